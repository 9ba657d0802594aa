-- name: trace.annotation_version
-- params: $chain VARCHAR
-- Changes when labels, case wallets (labels too) or the chain's clusters change (cached per chain).
SELECT (SELECT count(*) FROM labels)::BIGINT AS labels,
       (SELECT coalesce(max(imported_at)::VARCHAR, '') FROM labels) AS imported,
       (SELECT coalesce(sum(hash(case_name, chain, address, label, category) % 1000000007), 0) FROM case_wallets)::BIGINT AS wallets,
       (SELECT count(*) FROM cluster_member_ids WHERE chain = $chain)::BIGINT AS members,
       (SELECT coalesce(sum(hash(cluster_id, size, is_service) % 1000000007), 0) FROM clusters WHERE chain = $chain)::BIGINT AS clusters;
