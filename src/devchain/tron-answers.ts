/**
 * What the local TronGrid server answers, built from the devchain in the real formats: TronGrid v1
 * items (addresses `41…` hex in transactions, base58 in TRC-20 items and events' contract address),
 * java-tron's TransactionInfo and blocks. Key order and omitted zero fields follow real answers
 * (test/fixtures/tron, checked by test/devchain-tron.test.ts).
 */
import { tronBase58, tronHex } from "../chains.ts";
import {
  APPROVAL_TOPIC,
  type DevBlock,
  type DevInternal,
  type DevLog,
  type DevTx,
  TRANSFER_TOPIC,
  type TronDevChain,
} from "./tron.ts";

const NOTE_CALL = Buffer.from("call").toString("hex");
const b58Word = (w: string) => tronBase58(Buffer.from(w.slice(24), "hex"));

/** A Transfer or Approval log's parties (32-byte words) and value, indexed or not (null for other logs). */
function logParts(l: DevLog): { transfer: boolean; x: string; y: string; value: bigint } | null {
  const transfer = l.topics[0] === TRANSFER_TOPIC;
  if (!transfer && l.topics[0] !== APPROVAL_TOPIC) return null;
  if (l.topics.length === 3)
    return { transfer, x: l.topics[1]!, y: l.topics[2]!, value: BigInt(`0x${l.data}`) };
  // an event that indexes nothing carries from, to, value in its data (decoded by the ABI)
  if (l.topics.length === 1 && l.data.length === 192)
    return {
      transfer,
      x: l.data.slice(0, 64),
      y: l.data.slice(64, 128),
      value: BigInt(`0x${l.data.slice(128)}`),
    };
  return null;
}

/** Drops undefined and zero-valued keys, as java-tron's JSON printer does for proto3 defaults. */
function nonZero<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== 0 && v !== 0n && v !== "") out[k] = v;
  return out as Partial<T>;
}

/** `call_value` is keyed "_" for TRX and left out when zero. */
const internalData = (i: DevInternal) => ({
  note: "call",
  rejected: i.rejected,
  ...(i.callValue > 0n ? { call_value: { _: i.callValue } } : {}),
});

function inlineInternal(i: DevInternal) {
  return {
    internal_tx_id: i.hash,
    data: internalData(i),
    from_address: tronHex(i.from),
    to_address: tronHex(i.to),
  };
}

/** An item of `/v1/accounts/:a/transactions`. */
export function v1Tx(t: DevTx) {
  return {
    ret: [{ contractRet: t.contractRet, fee: t.fee }],
    signature: [t.signature],
    txID: t.txID,
    net_usage: t.netUsage,
    raw_data_hex: t.rawDataHex,
    net_fee: t.netFee,
    energy_usage: t.energyUsage,
    blockNumber: t.block,
    block_timestamp: t.timestamp,
    energy_fee: t.energyFee,
    energy_usage_total: t.energyUsageTotal,
    raw_data: t.rawData,
    internal_transactions: t.internals.map(inlineInternal),
  };
}

/** The bare internal-transaction row the same list holds for an internal move touching the account. */
export function v1InternalRow(t: DevTx, i: DevInternal) {
  return {
    internal_tx_id: i.hash,
    data: internalData(i),
    block_timestamp: t.timestamp,
    to_address: tronHex(i.to),
    tx_id: t.txID,
    from_address: tronHex(i.from),
  };
}

/** An item of `/v1/accounts/:a/transactions/trc20` (`detail` only with get_detail=true). */
export function v1Trc20(chain: TronDevChain, t: DevTx, l: DevLog, detail: boolean) {
  const token = chain.tokens.get(tronBase58(Buffer.from(l.address, "hex")))!;
  const p = logParts(l)!;
  return {
    transaction_id: t.txID,
    token_info: { symbol: token.symbol, address: token.contract, decimals: token.decimals, name: token.name },
    block_timestamp: t.timestamp,
    from: b58Word(p.x),
    to: b58Word(p.y),
    ...(detail ? { detail: v1Tx(t) } : {}),
    type: p.transfer ? "Transfer" : "Approval",
    value: p.value.toString(),
  };
}

/** `/wallet/gettransactioninfobyid` (and one element of gettransactioninfobyblocknum). */
export function txInfo(t: DevTx) {
  const vm = t.type === "TriggerSmartContract";
  const failed = t.contractRet !== "SUCCESS";
  return {
    id: t.txID,
    ...nonZero({ fee: t.fee }),
    blockNumber: t.block,
    blockTimeStamp: t.timestamp,
    contractResult: [vm && !failed ? "1".padStart(64, "0") : ""],
    ...(vm ? { contract_address: tronHex(t.contract!) } : {}),
    receipt: nonZero({
      energy_usage: t.energyUsage,
      energy_fee: t.energyFee,
      energy_usage_total: t.energyUsageTotal,
      net_usage: t.netUsage,
      net_fee: t.netFee,
      result: vm ? t.contractRet : undefined,
    }),
    ...(t.logs.length
      ? { log: t.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })) }
      : {}),
    ...(failed
      ? { result: "FAILED", resMessage: Buffer.from("REVERT opcode executed").toString("hex") }
      : {}),
    ...(t.internals.length
      ? {
          internal_transactions: t.internals.map((i) => ({
            hash: i.hash,
            caller_address: tronHex(i.from),
            transferTo_address: tronHex(i.to),
            callValueInfo: [i.callValue > 0n ? { callValue: i.callValue } : {}],
            note: NOTE_CALL,
            ...(i.rejected ? { rejected: true } : {}),
          })),
        }
      : {}),
  };
}

/** A node-format transaction (inside blocks): `ret` has only contractRet. */
function nodeTx(t: DevTx) {
  return {
    ret: [{ contractRet: t.contractRet }],
    signature: [t.signature],
    txID: t.txID,
    raw_data: t.rawData,
    raw_data_hex: t.rawDataHex,
  };
}

/** `/wallet/getnowblock`, `/wallet/getblockbynum`: `transactions` absent when the block has none. */
export function block(b: DevBlock) {
  return {
    blockID: b.blockID,
    block_header: {
      raw_data: {
        number: b.number,
        txTrieRoot: b.txTrieRoot,
        witness_address: b.witness,
        parentHash: b.parentHash,
        version: 31,
        timestamp: b.timestamp,
      },
      witness_signature: `${b.blockID}${b.blockID}00`,
    },
    ...(b.txs.length ? { transactions: b.txs.map(nodeTx) } : {}),
  };
}

/** `/v1/transactions/:id/events` items (TRC-20 Transfer and Approval). */
export function events(t: DevTx) {
  return t.logs.map((l, i) => {
    const p = logParts(l)!;
    const transfer = p.transfer;
    const [a, b] = transfer ? ["from", "to"] : ["owner", "spender"];
    const x = `0x${p.x.slice(24)}`;
    const y = `0x${p.y.slice(24)}`;
    const v = p.value.toString();
    const ix = l.topics.length === 3 ? " indexed" : "";
    return {
      block_number: t.block,
      block_timestamp: t.timestamp,
      caller_contract_address: tronBase58(Buffer.from(l.address, "hex")),
      contract_address: tronBase58(Buffer.from(l.address, "hex")),
      event_index: i,
      event_name: transfer ? "Transfer" : "Approval",
      result: { "0": x, "1": y, "2": v, [a!]: x, [b!]: y, value: v },
      result_type: { [a!]: "address", [b!]: "address", value: "uint256" },
      event: `${transfer ? "Transfer" : "Approval"}(address${ix} ${a}, address${ix} ${b}, uint256 value)`,
      transaction_id: t.txID,
    };
  });
}

/** `/v1/accounts/:a` data[0]; null for an account the chain never saw. */
export function account(chain: TronDevChain, a: string) {
  const created = chain.createdAt(a);
  if (created === undefined) return null;
  const trc20 = [...chain.tokensOf(a)].map(([c, v]) => ({ [c]: v.toString() }));
  const trc10 = [...chain.trc10Of(a)].map(([key, value]) => ({ key, value }));
  const owner = { keys: [{ address: a, weight: 1 }], threshold: 1, permission_name: "owner" };
  return {
    owner_permission: owner,
    account_resource: {},
    address: tronHex(a),
    create_time: created,
    ...(trc10.length ? { assetV2: trc10 } : {}),
    ...nonZero({ balance: chain.balance(a) }),
    trc20,
    net_window_size: 28800,
    net_window_optimized: true,
  };
}

/** Does a log name this account (a Transfer or an Approval it is party to)? */
export function logTouches(l: DevLog, a: string): boolean {
  const p = logParts(l);
  const w = tronHex(a).slice(2);
  return p !== null && (p.x.endsWith(w) || p.y.endsWith(w));
}
