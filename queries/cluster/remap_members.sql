-- name: cluster.remap_members
-- params: $chain VARCHAR, $old BIGINT[], $new BIGINT[]
-- Parallel lists: every member of a cluster that took a new id (it merged with a smaller one) moves to it,
-- whether the run loaded that member or not.
UPDATE cluster_member_ids m SET cluster_id = r.new_id
FROM (SELECT unnest($old) AS old_id, unnest($new) AS new_id) r
WHERE m.chain = $chain AND m.cluster_id = r.old_id;
