-- name: alerts.list
-- params: $status VARCHAR, $delivery VARCHAR, $trigger VARCHAR, $since VARCHAR, $limit BIGINT
-- Newest first. Filters are optional (NULL = any). delivery: none (no webhook), pending, delivered
-- (every webhook answered 2xx) or failed (a webhook gave up).
WITH d AS (
  SELECT alert_id,
         CASE WHEN count_if(status = 'failed') > 0 THEN 'failed'
              WHEN count_if(status = 'pending') > 0 THEN 'pending'
              ELSE 'delivered' END AS delivery
  FROM alert_outbox GROUP BY alert_id
)
SELECT a.id, a.trigger, a.kind, a.chain, a.address, a.category, a.categories, a.endpoint, a.amount,
       a.previous_amount, a.asset, a.symbol, a.decimals, a.direction, a.path, a.query_name, a.run_id,
       a.watchlist, a.detail::VARCHAR AS detail, a.message,
       strftime(a.created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created_at, a.status,
       strftime(a.acked_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS acked_at, a.acked_by,
       coalesce(d.delivery, 'none') AS delivery
FROM alerts a LEFT JOIN d ON d.alert_id = a.id
WHERE ($status IS NULL OR a.status = $status)
  AND ($delivery IS NULL OR coalesce(d.delivery, 'none') = $delivery)
  AND ($trigger IS NULL OR a.trigger = $trigger)
  AND ($since IS NULL OR a.created_at >= $since::TIMESTAMP)
ORDER BY a.created_at DESC, a.id
LIMIT $limit;
