-- name: cluster.reset_change
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM change_guess_ids WHERE chain = $chain;
