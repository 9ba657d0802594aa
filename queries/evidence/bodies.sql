-- name: evidence.bodies
-- params: $hashes VARCHAR[]
SELECT sha256, body FROM response_bodies WHERE list_contains($hashes, sha256) ORDER BY sha256;
