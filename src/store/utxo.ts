import { listValue } from "@duckdb/node-api";
import { storedFingerprint } from "../core/change.ts";
import type {
  LoggedResponse,
  RawResponse,
  ResponseStore,
  SpentBy,
  UtxoInput,
  UtxoOutput,
  UtxoTx,
} from "../domain.ts";
import { appendRows, type Columns } from "./append.ts";
import type { Store } from "./db.ts";
import { IdStore } from "./ids.ts";
import { int, text } from "./rows.ts";

export interface StoredTxState {
  txid: string;
  confirmed: boolean;
  blockHash: string | null;
  blockHeight: number | null;
}

/** Typed writes and reads of the UTXO tables. Call inside store.tx() to write atomically. */
export class UtxoStore {
  private readonly ids: IdStore;

  constructor(private readonly store: Store) {
    this.ids = new IdStore(store);
  }

  /** Writes one transaction with its inputs and outputs; `outspends` (when fetched) sets each output's spend. */
  async writeTx(tx: UtxoTx, outspends?: (SpentBy | null)[] | null): Promise<void> {
    await this.writeTxs([tx], [outspends]);
  }

  /**
   * Writes a batch of transactions, idempotent: one already stored is rewritten whole (an output keeps its
   * stored spend unless `outspends[i]` gives it), every stored output a batch input spends points at it,
   * and the txid and addresses get their integer ids with the rows clustering reads. The batch is
   * appended to staging tables and merged by set-based statements, inside the caller's transaction if
   * any, else in one of its own. A txid given twice keeps its last version.
   */
  async writeTxs(
    txs: readonly UtxoTx[],
    outspends: readonly ((SpentBy | null)[] | null | undefined)[] = [],
  ): Promise<void> {
    if (txs.length === 0) return;
    const staged = stage(txs, outspends);
    const s = this.store;
    await s.tx(async () => {
      await appendRows(s, "utxo_txs_stage", TX_COLUMNS, staged.txs);
      await appendRows(s, "utxo_inputs_stage", INPUT_COLUMNS, staged.inputs);
      await appendRows(s, "utxo_outputs_stage", OUTPUT_COLUMNS, staged.outputs);
      for (const q of INTERN_ADDRESSES) await s.run(q);
      // txids interned before (a rewrite, a tx deleted since) have stale id rows to replace
      const hadIds = await this.changed("utxo.stage_tx_ids");
      for (const q of INTERN_TXIDS) await s.run(q);
      if ((await this.changed("utxo.stage_known")) > 0) for (const q of REWRITE_KNOWN) await s.run(q);
      for (const q of INSERT_ROWS) await s.run(q);
      if (hadIds > 0) for (const q of DELETE_STALE_IDS) await s.run(q);
      for (const q of INSERT_IDS) await s.run(q);
      for (const q of CLEAR_STAGE) await s.run(q);
    });
  }

  /** Runs a write statement; the number of rows it changed. */
  private async changed(name: string): Promise<number> {
    const r = await this.store.one(name);
    return r ? int(r, "Count") : 0;
  }

  async deleteTx(chain: string, txid: string): Promise<void> {
    const id = await this.ids.txId(txid);
    if (id !== undefined) {
      await this.store.run("utxo.delete_tx_index", { chain, tx_id: id });
      await this.store.run("utxo.delete_fingerprint", { chain, tx_id: id });
      await this.store.run("utxo.delete_input_ids", { tx_id: id });
      await this.store.run("utxo.delete_output_ids", { tx_id: id });
    }
    await this.store.run("utxo.clear_spends_by", { chain, txid });
    await this.store.run("utxo.delete_tx_inputs", { chain, txid });
    await this.store.run("utxo.delete_tx_outputs", { chain, txid });
    await this.store.run("utxo.delete_tx", { chain, txid });
  }

  async txStates(chain: string, txids: string[]): Promise<Map<string, StoredTxState>> {
    const out = new Map<string, StoredTxState>();
    if (txids.length === 0) return out;
    for (const r of await this.store.all("utxo.tx_state", { chain, txids: listValue(txids) })) {
      out.set(r.txid as string, toState(r));
    }
    return out;
  }

  /** Every stored confirmed transaction paying or spending one of these addresses, in chain order. */
  async txidsTouching(chain: string, addresses: string[]): Promise<string[]> {
    const rows = await this.store.all("utxo.txids_touching", { chain, addresses: listValue(addresses) });
    return rows.map((r) => text(r, "txid"));
  }

  async addressTxsSince(chain: string, address: string, minHeight: number): Promise<StoredTxState[]> {
    return (await this.store.all("utxo.address_txs_since", { chain, address, min_height: minHeight })).map(
      toState,
    );
  }
}

// The merge of a staged batch, in order (one named statement each).
const INTERN_ADDRESSES = [
  "utxo.stage_addresses",
  "utxo.stage_address_ids",
  "utxo.stage_new_address_ids",
  "utxo.intern_staged_addresses",
];
const INTERN_TXIDS = ["utxo.stage_new_tx_ids", "utxo.intern_staged_txids"];
const REWRITE_KNOWN = [
  "utxo.keep_known_spends",
  "utxo.delete_known_inputs",
  "utxo.delete_known_outputs",
  "utxo.delete_known_txs",
];
const INSERT_ROWS = [
  "utxo.insert_staged_txs",
  "utxo.insert_staged_inputs",
  "utxo.insert_staged_outputs",
  "utxo.mark_spent_staged",
];
const DELETE_STALE_IDS = [
  "utxo.delete_stale_tx_index",
  "utxo.delete_stale_fingerprints",
  "utxo.delete_stale_input_ids",
  "utxo.delete_stale_output_ids",
];
const INSERT_IDS = [
  "utxo.insert_staged_tx_index",
  "utxo.insert_staged_fingerprints",
  "utxo.insert_staged_input_ids",
  "utxo.insert_staged_output_ids",
];
const CLEAR_STAGE = [
  "utxo.clear_stage_txs",
  "utxo.clear_stage_inputs",
  "utxo.clear_stage_outputs",
  "utxo.clear_stage_addresses",
];

interface StagedTx {
  ord: number;
  tx: UtxoTx;
  coinbase: boolean;
  fp: ReturnType<typeof storedFingerprint>;
}
interface StagedInput {
  ord: number;
  tx: UtxoTx;
  i: UtxoInput;
}
interface StagedOutput {
  ord: number;
  tx: UtxoTx;
  o: UtxoOutput;
  spend: SpentBy | null | undefined;
}

/** The batch as staging rows: each txid once (its last version), inputs then outputs of each tx numbered in order. */
function stage(
  txs: readonly UtxoTx[],
  outspends: readonly ((SpentBy | null)[] | null | undefined)[],
): { txs: StagedTx[]; inputs: StagedInput[]; outputs: StagedOutput[] } {
  const last = new Map<string, number>();
  txs.forEach((t, i) => {
    last.set(`${t.chain}\n${t.txid}`, i);
  });
  const out = { txs: [] as StagedTx[], inputs: [] as StagedInput[], outputs: [] as StagedOutput[] };
  let ord = 0;
  txs.forEach((tx, k) => {
    if (last.get(`${tx.chain}\n${tx.txid}`) !== k) return;
    const fetched = outspends[k];
    out.txs.push({
      ord: out.txs.length,
      tx,
      coinbase: tx.inputs.some((i) => i.isCoinbase),
      fp: storedFingerprint(tx),
    });
    for (const i of tx.inputs) out.inputs.push({ ord: ord++, tx, i });
    for (const o of tx.outputs) {
      out.outputs.push({ ord: ord++, tx, o, spend: fetched ? (fetched[o.vout] ?? null) : o.spentBy });
    }
  });
  return out;
}

const big = (v: number | null) => (v === null ? null : BigInt(v));

const TX_COLUMNS: Columns<StagedTx> = [
  ["integer", (r) => r.ord],
  ["varchar", (r) => r.tx.chain],
  ["varchar", (r) => r.tx.txid],
  ["integer", (r) => r.tx.block?.height ?? null],
  ["varchar", (r) => r.tx.block?.hash ?? null],
  ["bigint", (r) => big(r.tx.block?.time ?? null)],
  ["boolean", (r) => r.tx.block !== null],
  ["hugeint", (r) => r.tx.fee],
  ["integer", (r) => r.tx.size],
  ["integer", (r) => r.tx.weight],
  ["integer", (r) => r.tx.version],
  ["bigint", (r) => big(r.tx.locktime)],
  ["integer", (r) => r.tx.inputs.length],
  ["integer", (r) => r.tx.outputs.length],
  ["boolean", (r) => r.coinbase],
  ["boolean", (r) => r.fp.rbf],
  ["varchar", (r) => r.fp.coinjoin],
  ["varchar", (r) => r.fp.inType],
  ["hugeint", (r) => r.fp.minIn],
  ["integer", () => null],
  ["boolean", () => false],
  ["boolean", () => false],
];

const INPUT_COLUMNS: Columns<StagedInput> = [
  ["integer", (r) => r.ord],
  ["varchar", (r) => r.tx.chain],
  ["varchar", (r) => r.tx.txid],
  ["integer", (r) => r.i.vin],
  ["varchar", (r) => r.i.prevTxid],
  ["integer", (r) => r.i.prevVout],
  ["varchar", (r) => r.i.address],
  ["hugeint", (r) => r.i.value],
  ["varchar", (r) => r.i.scriptType],
  ["boolean", (r) => r.i.isCoinbase],
  ["bigint", (r) => big(r.i.sequence)],
];

const OUTPUT_COLUMNS: Columns<StagedOutput> = [
  ["integer", (r) => r.ord],
  ["varchar", (r) => r.tx.chain],
  ["varchar", (r) => r.tx.txid],
  ["integer", (r) => r.o.vout],
  ["varchar", (r) => r.o.address],
  ["hugeint", (r) => r.o.value],
  ["varchar", (r) => r.o.scriptType],
  ["varchar", (r) => r.spend?.txid ?? null],
  ["integer", (r) => r.spend?.vin ?? null],
  ["boolean", (r) => r.spend !== undefined],
];

function toState(r: Record<string, unknown>): StoredTxState {
  return {
    txid: r.txid as string,
    confirmed: Boolean(r.confirmed),
    blockHash: (r.block_hash as string | null) ?? null,
    blockHeight: r.block_height === null ? null : Number(r.block_height),
  };
}

/** raw_responses as the adapters' response store. */
export class DbResponseStore implements ResponseStore {
  constructor(private readonly store: Store) {}
  async get(source: string, key: string): Promise<RawResponse | undefined> {
    const r = await this.store.one("responses.get", { source, request_key: key });
    if (!r) return undefined;
    return {
      source,
      key,
      url: r.url as string,
      status: Number(r.status),
      sha256: r.sha256 as string,
      body: r.body as string,
    };
  }
  async log(r: LoggedResponse): Promise<void> {
    // body first: a crash in between leaves an unreferenced body, never a dangling hash
    await this.store.run("evidence.log_body", { sha256: r.sha256, body: r.body });
    await this.store.run("evidence.log_response", {
      source: r.source,
      url: r.url,
      request: r.request,
      sha256: r.sha256,
      status: r.status,
    });
  }
  async put(r: RawResponse): Promise<void> {
    await this.store.run("responses.put", {
      source: r.source,
      request_key: r.key,
      url: r.url,
      status: r.status,
      sha256: r.sha256,
      body: r.body,
    });
  }
}

/** Reads whole transactions back in the UtxoTx model (inputs by vin, outputs by vout). */
export async function loadUtxoTxs(store: Store, chain: string, txids: string[]): Promise<UtxoTx[]> {
  if (txids.length === 0) return [];
  const ids = listValue(txids);
  const [txs, ins, outs] = [
    await store.all("utxo.txs_by_ids", { chain, txids: ids }),
    await store.all("utxo.inputs_by_txids", { chain, txids: ids }),
    await store.all("utxo.outputs_by_txids", { chain, txids: ids }),
  ];
  const byId = new Map<string, UtxoTx>();
  for (const r of txs) {
    byId.set(r.txid as string, {
      chain,
      txid: r.txid as string,
      block: r.confirmed
        ? { height: Number(r.block_height), hash: r.block_hash as string, time: Number(r.block_time) }
        : null,
      fee: r.fee as bigint,
      size: r.size === null ? null : Number(r.size),
      weight: r.weight === null ? null : Number(r.weight),
      version: r.version === null ? null : Number(r.version),
      locktime: r.locktime === null ? null : Number(r.locktime),
      inputs: [],
      outputs: [],
    });
  }
  for (const r of ins) {
    byId.get(r.txid as string)?.inputs.push({
      vin: Number(r.vin),
      prevTxid: (r.prev_txid as string | null) ?? null,
      prevVout: r.prev_vout === null ? null : Number(r.prev_vout),
      address: (r.address as string | null) ?? null,
      value: r.value as bigint,
      scriptType: (r.script_type as string | null) ?? null,
      isCoinbase: Boolean(r.is_coinbase),
      sequence: r.sequence === null ? null : Number(r.sequence),
    });
  }
  for (const r of outs) {
    byId.get(r.txid as string)?.outputs.push({
      vout: Number(r.vout),
      address: (r.address as string | null) ?? null,
      value: r.value as bigint,
      scriptType: (r.script_type as string | null) ?? null,
      spentBy:
        r.spent_by_txid === null ? null : { txid: r.spent_by_txid as string, vin: Number(r.spent_by_vin) },
    });
  }
  return txids.map((t) => byId.get(t)).filter((t): t is UtxoTx => t !== undefined);
}
