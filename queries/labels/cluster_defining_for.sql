-- name: labels.cluster_defining_for
-- params: $addresses VARCHAR[]
-- Cluster-defining labels of other members of these addresses' clusters (they apply to the whole cluster).
SELECT q.address AS target, l.chain, l.address, l.currency, l.label, l.category, l.source, l.confidence, l.program,
       l.reference, l.cluster_defining, l.actor, l.dataset, m.chain AS cluster_chain
FROM (SELECT unnest($addresses) AS address) q
JOIN cluster_members m ON m.address = q.address
JOIN cluster_members m2 ON m2.chain = m.chain AND m2.cluster_id = m.cluster_id AND m2.address <> q.address
JOIN labels l ON l.address = m2.address AND l.cluster_defining
ORDER BY q.address, l.address, l.category, l.dataset, l.label;
