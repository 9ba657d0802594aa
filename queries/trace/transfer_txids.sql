-- name: trace.transfer_txids
-- params: $chain VARCHAR, $tids INTEGER[]
SELECT tid::INTEGER AS tid, txid FROM account_transfers WHERE chain = $chain AND tid IN (SELECT unnest($tids));
