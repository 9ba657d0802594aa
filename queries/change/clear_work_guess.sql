-- name: change.clear_work_guess
-- params: (none)
DELETE FROM change_work_guess;
