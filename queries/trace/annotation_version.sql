-- name: trace.annotation_version
-- params: $chain VARCHAR
-- Changes when labels or the chain's clusters change (labels and clusters are cached per chain).
SELECT (SELECT count(*) FROM labels)::BIGINT AS labels,
       (SELECT coalesce(max(imported_at)::VARCHAR, '') FROM labels) AS imported,
       (SELECT count(*) FROM cluster_member_ids WHERE chain = $chain)::BIGINT AS members,
       (SELECT coalesce(sum(hash(cluster_id, size, is_service) % 1000000007), 0) FROM clusters WHERE chain = $chain)::BIGINT AS clusters;
