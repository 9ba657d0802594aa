-- name: change.clear_work_addr
-- params: (none)
DELETE FROM change_work_addr;
