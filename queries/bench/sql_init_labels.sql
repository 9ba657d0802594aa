-- name: bench.sql_init_labels
-- params: (none)
INSERT INTO cluster_work_root (addr_rank, root_rank) SELECT rank, rank FROM cluster_work_addr;
