-- name: responses.get
-- params: $source VARCHAR, $request_key VARCHAR
SELECT url, status, sha256, body FROM raw_responses WHERE source = $source AND request_key = $request_key;
