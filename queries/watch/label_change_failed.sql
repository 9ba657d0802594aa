-- name: watch.label_change_failed
-- params: $id VARCHAR, $error VARCHAR
UPDATE label_changes SET error = $error WHERE id = $id;
