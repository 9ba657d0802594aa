-- name: deposit.insert_members
-- params: $chain VARCHAR, $addresses VARCHAR[], $roots VARCHAR[]
-- Parallel lists: each member with its cluster's smallest address, which names the cluster.
-- The addresses are interned first (ids.intern_addresses).
INSERT INTO cluster_member_ids (chain, addr_id, cluster_id)
SELECT $chain, a.id, ('0x' || left(md5($chain || ':' || m.root), 15))::BIGINT
FROM (SELECT unnest($addresses) AS address, unnest($roots) AS root) m JOIN address_ids a ON a.address = m.address;
