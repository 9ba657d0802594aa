/**
 * Tron facts → AccountTransfer rows, shared by the TronGrid and java-tron adapters so both give
 * identical rows.
 * - native: the transaction's own value: TransferContract (TRX), TransferAssetContract (a TRC-10,
 *   asset `trc10:<id>`), a TriggerSmartContract's call_value (seq 0) and call_token_value (seq 1).
 *   A call that did not succeed keeps its row with success=false: it moved nothing.
 * - internal: value-carrying frames of TransactionInfo.internal_transactions, seq in execution order
 *   over the whole transaction; success only when the transaction succeeded and the frame was not
 *   rejected (TronGrid's own `rejected` flag in list rows is unreliable, so rows come from the info).
 * - token: TRC-20 Transfer logs (3 topics), seq = log index; asset = the contract's base58 address.
 *   A token is its contract, never its symbol.
 * - fee: all TRX the transaction burned (bandwidth, energy, activation, memo, multisig), for the
 *   account that signed it.
 * Order: block, tx index, kind, seq. blockHash is null (callers read confirmed blocks only).
 */
import { normalizeAddress, tronFromHex } from "../../src/chains.ts";
import { type AccountTransfer, compareTransfers } from "../../src/domain.ts";
import { checkBlockRange } from "../evm/rows.ts";
import { toBig } from "./json.ts";
import type { TxInfo } from "./schemas.ts";

export const TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
export const TRX = { asset: "TRX", symbol: "TRX", decimals: 6 } as const;

export interface AssetMeta {
  symbol: string | null;
  decimals: number | null;
}

/** What is known of one transaction touching the address. */
export interface TxFacts {
  txid: string;
  block: number;
  txIndex: number;
  /** Block time, ms. */
  timestamp: number;
  /** raw_data.contract[0], when the transaction itself was seen (the account's list, its block). */
  contract?: { type: string; value: Record<string, unknown> };
  /** ret[0].contractRet, when the transaction itself was seen. */
  contractRet?: string;
  /** All TRX burned; else TransactionInfo.fee. */
  fee?: bigint;
  info?: TxInfo;
}

export interface MetaLookup {
  /** token_info of a TRC-20 contract (base58), when the source gave one. */
  token(contract: string): AssetMeta | undefined;
  trc10(id: string): AssetMeta;
}

/** The TRC-10 id in `asset_name`: a decimal string in v1 lists, the hex of its ASCII in the node API. */
export function trc10Id(assetName: unknown): string {
  const s = String(assetName ?? "");
  if (s.length >= 14 && s.length % 2 === 0 && /^(3[0-9])+$/.test(s))
    return Buffer.from(s, "hex").toString("ascii");
  return s;
}

export const trc10Asset = (id: string) => `trc10:${id}`;

/** Did the transaction succeed? From its own result when seen, else from its info. */
export function succeeded(f: Pick<TxFacts, "contractRet" | "info">): boolean {
  if (f.contractRet !== undefined) return f.contractRet === "SUCCESS";
  if (!f.info) return true;
  return f.info.result !== "FAILED" && (f.info.receipt?.result ?? "SUCCESS") === "SUCCESS";
}

const b58 = (hex: unknown) => tronFromHex(String(hex));

/** The TRC-10 ids a set of facts moves (to look their metadata up before mapping). */
export function trc10Ids(facts: TxFacts[]): string[] {
  const ids = new Set<string>();
  for (const f of facts) {
    const v = f.contract?.value;
    if (f.contract?.type === "TransferAssetContract") ids.add(trc10Id(v?.asset_name));
    if (f.contract?.type === "TriggerSmartContract" && v?.token_id !== undefined && toBig(v.call_token_value))
      ids.add(String(v.token_id));
    for (const i of f.info?.internal_transactions ?? [])
      for (const c of i.callValueInfo ?? []) if (c.tokenId) ids.add(c.tokenId);
  }
  return [...ids];
}

/** Every row of one transaction that touches `a`. */
export function rowsOf(a: string, f: TxFacts, meta: MetaLookup): AccountTransfer[] {
  const place = {
    chain: "tron",
    txid: f.txid,
    blockNumber: f.block,
    blockHash: null,
    blockTime: Math.floor(f.timestamp / 1000),
    txIndex: f.txIndex,
    logIndex: null,
    traceAddress: null,
  };
  const ok = succeeded(f);
  const rows: AccountTransfer[] = [];
  const trc10 = (id: string) => ({ asset: trc10Asset(id), ...meta.trc10(id) });
  const move = (
    kind: "native" | "internal",
    seq: number,
    from: string,
    to: string,
    value: bigint,
    success: boolean,
    asset: { asset: string } & AssetMeta = TRX,
  ) => {
    if (from === a || to === a) rows.push({ ...place, kind, seq, from, to, ...asset, value, success });
  };
  let owner: string | undefined;
  if (f.contract) {
    const v = f.contract.value;
    owner = b58(v.owner_address);
    const amount = toBig(v.amount) ?? 0n;
    if (f.contract.type === "TransferContract") move("native", 0, owner, b58(v.to_address), amount, ok);
    else if (f.contract.type === "TransferAssetContract")
      move("native", 0, owner, b58(v.to_address), amount, ok, trc10(trc10Id(v.asset_name)));
    else if (f.contract.type === "TriggerSmartContract") {
      const callee = b58(v.contract_address);
      const cv = toBig(v.call_value) ?? 0n;
      if (cv > 0n) move("native", 0, owner, callee, cv, ok);
      const ctv = toBig(v.call_token_value) ?? 0n;
      if (ctv > 0n && v.token_id !== undefined)
        move("native", 1, owner, callee, ctv, ok, trc10(String(v.token_id)));
    }
  }
  let seq = 0;
  for (const i of f.info?.internal_transactions ?? []) {
    for (const c of i.callValueInfo ?? []) {
      const v = c.callValue ?? 0n;
      if (v === 0n) continue;
      const from = b58(i.caller_address);
      const to = b58(i.transferTo_address);
      move("internal", seq++, from, to, v, ok && i.rejected !== true, c.tokenId ? trc10(c.tokenId) : TRX);
    }
  }
  if (ok)
    for (const [logIndex, l] of (f.info?.log ?? []).entries()) {
      const t = l.topics ?? [];
      if (t.length !== 3 || t[0]?.toLowerCase() !== TRANSFER_TOPIC) continue;
      const from = tronFromHex(t[1]!.slice(-40));
      const to = tronFromHex(t[2]!.slice(-40));
      if (from !== a && to !== a) continue;
      const token = tronFromHex(l.address.slice(-40));
      const m = meta.token(token);
      rows.push({
        ...place,
        kind: "token",
        seq: logIndex,
        logIndex,
        from,
        to,
        asset: token,
        symbol: m?.symbol ?? null,
        decimals: m?.decimals ?? null,
        value: BigInt(`0x${(l.data ?? "").slice(0, 64) || "0"}`),
        success: true,
      });
    }
  const fee = f.fee ?? f.info?.fee ?? 0n;
  if (owner === a && fee > 0n)
    rows.push({ ...place, kind: "fee", seq: 0, from: a, to: null, ...TRX, value: fee, success: true });
  return rows;
}

export function sortRows(rows: AccountTransfer[]): AccountTransfer[] {
  return rows.sort(compareTransfers);
}

/** A Tron address (any form, as base58) and a block range, checked before anything is asked upstream. */
export function checkTronInput(address: string, range: { fromBlock: number; toBlock: number }): string {
  const a = normalizeAddress("tron", address);
  checkBlockRange(range);
  return a;
}
