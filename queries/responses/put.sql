-- name: responses.put
-- params: $source VARCHAR, $request_key VARCHAR, $url VARCHAR, $status INTEGER, $sha256 VARCHAR, $body VARCHAR
INSERT INTO raw_responses (source, request_key, url, status, sha256, body, fetched_at)
VALUES ($source, $request_key, $url, $status, $sha256, $body, current_timestamp)
ON CONFLICT (source, request_key) DO UPDATE SET
  url = excluded.url, status = excluded.status, sha256 = excluded.sha256, body = excluded.body, fetched_at = excluded.fetched_at;
