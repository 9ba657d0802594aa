import { listValue } from "@duckdb/node-api";
import type { ChangeContext, FirstSeen, TxFingerprint } from "../core/change.ts";
import type { LoggedResponse, RawResponse, ResponseStore, SpentBy, UtxoTx } from "../domain.ts";
import type { Store } from "./db.ts";
import { IdStore } from "./ids.ts";
import { text } from "./rows.ts";

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
    const s = this.store;
    const chain = tx.chain;
    await s.run("utxo.upsert_tx", {
      chain,
      txid: tx.txid,
      block_height: tx.block?.height ?? null,
      block_hash: tx.block?.hash ?? null,
      block_time: tx.block ? BigInt(tx.block.time) : null,
      confirmed: tx.block !== null,
      fee: tx.fee,
      size: tx.size,
      weight: tx.weight,
      version: tx.version,
      locktime: tx.locktime === null ? null : BigInt(tx.locktime),
      input_count: tx.inputs.length,
      output_count: tx.outputs.length,
    });
    for (const i of tx.inputs) {
      await s.run("utxo.upsert_input", {
        chain,
        txid: tx.txid,
        vin: i.vin,
        prev_txid: i.prevTxid,
        prev_vout: i.prevVout,
        address: i.address,
        value: i.value,
        script_type: i.scriptType,
        is_coinbase: i.isCoinbase,
        sequence: i.sequence === null ? null : BigInt(i.sequence),
      });
    }
    for (const o of tx.outputs) {
      const spend = outspends ? (outspends[o.vout] ?? null) : o.spentBy;
      await s.run("utxo.upsert_output", {
        chain,
        txid: tx.txid,
        vout: o.vout,
        address: o.address,
        value: o.value,
        script_type: o.scriptType,
        spent_by_txid: spend?.txid ?? null,
        spent_by_vin: spend?.vin ?? null,
        spend_known: spend !== undefined,
      });
    }
    await s.run("utxo.mark_spent", { chain, txid: tx.txid });
    await this.writeIds(tx);
  }

  /** Interns the tx's txid and addresses and writes what clustering reads, as integer ids. */
  private async writeIds(tx: UtxoTx): Promise<void> {
    const s = this.store;
    const addressed = tx.inputs.filter((i) => i.address !== null);
    const addresses = [...tx.inputs, ...tx.outputs].map((x) => x.address).filter((a) => a !== null);
    await this.ids.internAddresses(addresses);
    await this.ids.internTxids([tx.txid]);
    const txId = (await this.ids.txId(tx.txid))!;
    await s.run("utxo.delete_tx_index", { chain: tx.chain, tx_id: txId });
    await s.run("utxo.insert_tx_index", {
      chain: tx.chain,
      tx_id: txId,
      confirmed: tx.block !== null,
      coinbase: tx.inputs.some((i) => i.isCoinbase),
      input_count: tx.inputs.length,
      output_count: tx.outputs.length,
    });
    await s.run("utxo.delete_input_ids", { tx_id: txId });
    if (addressed.length > 0) {
      await s.run("utxo.insert_input_ids", {
        tx_id: txId,
        vins: listValue(addressed.map((i) => i.vin)),
        addresses: listValue(addressed.map((i) => i.address)),
      });
    }
  }

  async deleteTx(chain: string, txid: string): Promise<void> {
    const id = await this.ids.txId(txid);
    if (id !== undefined) {
      await this.store.run("utxo.delete_tx_index", { chain, tx_id: id });
      await this.store.run("utxo.delete_input_ids", { tx_id: id });
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

/**
 * What change heuristics need to know about these addresses from the whole store, read by two
 * aggregate queries (loading every transaction that touches them costs minutes on a large store).
 * Equal to changeContextFromTxs over every stored confirmed transaction touching them.
 */
export async function changeContextFor(
  store: Store,
  chain: string,
  addresses: string[],
): Promise<ChangeContext> {
  const list = listValue(addresses);
  const first = new Map<string, FirstSeen>();
  for (const r of await store.all("change.first_seen", { chain, addresses: list })) {
    first.set(r.address as string, {
      txid: r.txid as string,
      height: r.block_height === null ? null : Number(r.block_height),
    });
  }
  const spends = new Map<string, TxFingerprint[]>();
  for (const r of await store.all("change.spends_of", { chain, addresses: list })) {
    const a = r.address as string;
    let l = spends.get(a);
    if (!l) {
      l = [];
      spends.set(a, l);
    }
    l.push({
      txid: r.txid as string,
      version: r.version === null ? null : Number(r.version),
      locktime: r.locktime === null ? null : Number(r.locktime),
      rbf: (r.rbf as boolean | null) ?? null,
    });
  }
  return {
    firstSeen: (address) => first.get(address),
    spentTxsOf: (address) => spends.get(address) ?? [],
  };
}
