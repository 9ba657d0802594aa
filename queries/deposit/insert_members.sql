-- name: deposit.insert_members
-- params: $chain VARCHAR, $addresses VARCHAR[], $roots VARCHAR[]
-- Parallel lists: each member with its cluster's smallest address, which names the cluster (as for Bitcoin).
INSERT INTO cluster_members (chain, address, cluster_id)
SELECT $chain, m.address, ('0x' || left(md5($chain || ':' || m.root), 15))::BIGINT
FROM (SELECT unnest($addresses) AS address, unnest($roots) AS root) m;
