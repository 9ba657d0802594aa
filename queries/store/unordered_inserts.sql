-- name: store.unordered_inserts
-- params: (none)
-- Bulk inserts whose row order does not matter may run in parallel (undo with store.ordered_inserts).
SET preserve_insertion_order = false;
