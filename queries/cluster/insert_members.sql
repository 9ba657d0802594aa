-- name: cluster.insert_members
-- params: $chain VARCHAR
-- cluster_work_root holds every address of a rewritten cluster of 2+ members, with its union-find root.
INSERT INTO cluster_member_ids (chain, addr_id, cluster_id)
SELECT $chain, r.addr_id, c.cluster_id FROM cluster_work_root r JOIN cluster_work_cid c ON c.root = r.root;
