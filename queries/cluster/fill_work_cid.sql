-- name: cluster.fill_work_cid
-- params: (none)
-- A cluster's id is its smallest member key, so any order of merges or ingest gives the same id.
INSERT INTO cluster_work_cid (root, cluster_id)
SELECT r.root, min(a.key) FROM cluster_work_root r JOIN address_ids a ON a.id = r.addr_id GROUP BY r.root;
