/** Node answers → rows, through the shared EVM row builders (identical to the Etherscan adapter's). */
import type { AccountTransfer } from "../../src/domain.ts";
import { UpstreamError } from "../../src/errors.ts";
import {
  addressToTopic,
  decodeErc20Transfer,
  hexToBigInt,
  hexToNumber,
  type RawLog,
  TRANSFER_TOPIC,
} from "../evm/encoding.ts";
import { internalRow, type NativeAsset, tokenRow, topLevelRows } from "../evm/rows.ts";
import { traceId, valueCalls } from "../evm/traces.ts";
import type { Flows } from "./flows.ts";
import type { RpcLookups } from "./lookups.ts";
import type { RangedCalls } from "./ranged.ts";

export interface RowContext {
  source: string;
  chain: string;
  native: NativeAsset;
  look: RpcLookups;
}

/** ERC-20 Transfer logs from or to `a` (eth_getLogs by topic), with the token's symbol and decimals. */
export async function tokenRows(c: RowContext, ranged: RangedCalls, a: string, from: number, to: number) {
  const topic = addressToTopic(a);
  type Log = RawLog & { removed?: boolean };
  const [sent, received] = await Promise.all([
    ranged.all<Log>("eth_getLogs", { topics: [TRANSFER_TOPIC, topic] }, from, to),
    ranged.all<Log>("eth_getLogs", { topics: [TRANSFER_TOPIC, null, topic] }, from, to),
  ]);
  const seen = new Set<string>();
  const found = [];
  for (const log of [...sent, ...received]) {
    const t = log.removed ? undefined : decodeErc20Transfer(log);
    const key = `${log.transactionHash.toLowerCase()}:${t?.logIndex}`;
    if (!t || seen.has(key)) continue;
    seen.add(key);
    found.push({ log, t, blockNumber: hexToNumber(log.blockNumber) });
  }
  // Issued together so ethers sends them as one batch.
  await Promise.all([
    ...[...new Set(found.map((f) => f.t.token))].map(c.look.token),
    ...[...new Set(found.map((f) => f.blockNumber))].map(c.look.blockTime),
  ]);
  const rows: AccountTransfer[] = [];
  for (const { log, t, blockNumber } of found) {
    const meta = await c.look.token(t.token);
    const place = {
      chain: c.chain,
      txid: log.transactionHash.toLowerCase(),
      blockNumber,
      blockTime: await c.look.blockTime(blockNumber),
      txIndex: hexToNumber(log.transactionIndex),
    };
    rows.push(tokenRow(place, { ...t, symbol: meta.symbol, decimals: meta.decimals }));
  }
  return rows;
}

/** Native, internal and fee rows from the top-level transactions and the internal calls touching `a`. */
export async function valueRows(c: RowContext, a: string, f: Flows): Promise<AccountTransfer[]> {
  const { look } = c;
  const top = await Promise.all(
    [...f.top.values()].map(async (t) => {
      const r = await look.receipt(t.hash);
      const to = t.to ?? r.contractAddress?.toLowerCase() ?? null;
      if (t.from !== a && to !== a) return [];
      const blockTime = await look.blockTime(t.blockNumber);
      const place = {
        chain: c.chain,
        txid: t.hash,
        blockNumber: t.blockNumber,
        blockTime,
        txIndex: t.txIndex,
      };
      return topLevelRows(a, place, c.native, {
        from: t.from,
        to,
        value: t.value,
        success: r.status !== "0x0",
        fee: () => {
          if (r.effectiveGasPrice === undefined)
            throw new UpstreamError(c.source, `receipt of ${t.hash} has no effectiveGasPrice`, {
              cause: new Error("eth_getTransactionReceipt answered without effectiveGasPrice"),
            });
          return hexToBigInt(r.gasUsed) * hexToBigInt(r.effectiveGasPrice);
        },
      });
    }),
  );
  const internal = await Promise.all(
    [...f.internal].map(async ([hash, info]) => {
      const [flat, r] = await Promise.all([info.flat ?? look.traces(hash), look.receipt(hash)]);
      const txOk = r.status !== "0x0";
      const place = {
        chain: c.chain,
        txid: hash,
        blockNumber: info.blockNumber,
        blockTime: await look.blockTime(info.blockNumber),
        txIndex: info.txIndex,
      };
      return valueCalls(flat).flatMap((call, seq) =>
        call.from === a || call.to === a
          ? [
              internalRow(place, c.native, {
                seq,
                traceAddress: traceId(call),
                from: call.from,
                to: call.to,
                value: call.value,
                success: txOk && !call.reverted,
              }),
            ]
          : [],
      );
    }),
  );
  return [...top.flat(), ...internal.flat()];
}
