-- name: trace.labelled
-- params: $chains VARCHAR[]
-- Interned addresses that may carry labels on these chains: labelled ones, case wallets, and members of clusters
-- with a cluster-defining label (candidates; the label service decides which labels apply).
SELECT a.id, a.address FROM address_ids a
WHERE a.address IN (SELECT address FROM labels WHERE chain IN (SELECT unnest($chains)))
   OR a.address IN (SELECT address FROM case_wallets WHERE chain IN (SELECT unnest($chains)))
UNION
SELECT a.id, a.address FROM cluster_member_ids m
JOIN (SELECT DISTINCT m2.chain, m2.cluster_id FROM cluster_member_ids m2
      JOIN address_ids a2 ON a2.id = m2.addr_id JOIN labels l ON l.address = a2.address AND l.cluster_defining) d
  ON d.chain = m.chain AND d.cluster_id = m.cluster_id
JOIN address_ids a ON a.id = m.addr_id;
