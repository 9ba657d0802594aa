-- name: labels.insert_spooled
-- params: $file VARCHAR, $dataset VARCHAR, $source_file VARCHAR, $source_hash VARCHAR, $imported_at TIMESTAMP
-- A dataset's labels from the newline-delimited JSON a worker thread wrote (src/store/label-spool.ts):
-- read by the database, so no request waits on a large import's rows passing through JavaScript.
INSERT INTO labels (chain, address, currency, label, category, source, confidence, program, reference,
  cluster_defining, dataset, source_file, source_hash, imported_at, actor)
SELECT chain, address, currency, label, category, source, confidence, program, reference,
  cluster_defining, $dataset, $source_file, $source_hash, $imported_at, actor
FROM read_json($file, format = 'newline_delimited', columns = {
  chain: 'VARCHAR', address: 'VARCHAR', currency: 'VARCHAR', label: 'VARCHAR', category: 'VARCHAR',
  source: 'VARCHAR', confidence: 'INTEGER', program: 'VARCHAR', reference: 'VARCHAR',
  cluster_defining: 'BOOLEAN', actor: 'VARCHAR'
});
