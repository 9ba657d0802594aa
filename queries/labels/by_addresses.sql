-- name: labels.by_addresses
-- params: $addresses VARCHAR[]
-- Every label on any of these normalised addresses; the caller keeps those of the right chain space.
SELECT l.chain, l.address, l.currency, l.label, l.category, l.source, l.confidence, l.program, l.reference,
       l.cluster_defining, l.actor, l.dataset
FROM labels l
SEMI JOIN (SELECT unnest($addresses) AS address) q ON l.address = q.address
ORDER BY l.address, l.category, l.dataset, l.label;
