-- name: watch.label_change_done
-- params: $id VARCHAR
-- Re-screened: deleted in the transaction that wrote its alerts.
DELETE FROM label_changes WHERE id = $id;
