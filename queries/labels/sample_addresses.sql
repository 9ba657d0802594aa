-- name: labels.sample_addresses
-- params: $limit BIGINT
-- A deterministic spread of labelled addresses on traced chains (bench and demo inputs).
SELECT chain, address FROM labels
WHERE chain IN ('bitcoin', 'ethereum', 'tron')
GROUP BY chain, address
ORDER BY hash(address), chain, address
LIMIT $limit;
