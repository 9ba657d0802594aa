-- name: cluster.reset_change
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM change_guesses WHERE chain = $chain;
