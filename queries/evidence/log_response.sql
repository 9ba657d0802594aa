-- name: evidence.log_response
-- params: $source VARCHAR, $url VARCHAR, $request VARCHAR, $sha256 VARCHAR, $status INTEGER
-- The first time a URL returned this exact body; a changed body (new page content) is a new row.
INSERT INTO response_log (source, url, request, sha256, status, fetched_at)
VALUES ($source, $url, $request, $sha256, $status, current_timestamp) ON CONFLICT DO NOTHING;
