-- name: watch.schedule_rename
-- params: $kind VARCHAR, $name VARCHAR, $new_name VARCHAR
-- A renamed query keeps its schedule.
UPDATE schedules SET name = $new_name WHERE kind = $kind AND name = $name;
