-- name: store.ordered_inserts
-- params: (none)
SET preserve_insertion_order = true;
