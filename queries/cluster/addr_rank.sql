-- name: cluster.addr_ranks
-- params: $addresses VARCHAR[]
SELECT rank, address FROM cluster_work_addr WHERE address IN (SELECT unnest($addresses));
