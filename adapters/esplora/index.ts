import { z } from "zod";
import type { SpentBy, UtxoTx } from "../../src/domain.ts";
import { UpstreamError } from "../../src/errors.ts";
import type { FetchOptions, Page, Tip, UtxoSource } from "../source.ts";
import { utxoPageInWindow } from "../time-window.ts";
import { Transport, type TransportOptions, textCheck } from "../transport.ts";

/** Esplora serves 25 confirmed transactions per /txs/chain page. */
export const ESPLORA_PAGE_SIZE = 25;

const sats = z
  .number()
  .refine((n) => Number.isSafeInteger(n) && n >= 0, "amount is not an exact non-negative integer")
  .transform((n) => BigInt(n));

const Status = z.object({
  confirmed: z.boolean(),
  block_height: z.number().int().optional(),
  block_hash: z.string().optional(),
  block_time: z.number().int().optional(),
});

const Prevout = z.object({
  scriptpubkey_type: z.string().optional(),
  scriptpubkey_address: z.string().optional(),
  value: sats,
});

const EsploraTx = z.object({
  txid: z.string().regex(/^[0-9a-f]{64}$/),
  version: z.number().int(),
  locktime: z.number().int(),
  vin: z.array(
    z.object({
      txid: z.string(),
      vout: z.number().int(),
      prevout: Prevout.nullable(),
      is_coinbase: z.boolean(),
      sequence: z.number().int(),
    }),
  ),
  vout: z.array(
    z.object({
      scriptpubkey_type: z.string().optional(),
      scriptpubkey_address: z.string().optional(),
      value: sats,
    }),
  ),
  size: z.number().int(),
  weight: z.number().int(),
  fee: sats,
  status: Status,
});

const Outspend = z.object({
  spent: z.boolean(),
  txid: z.string().optional(),
  vin: z.number().int().optional(),
  status: Status.optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string, url: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UpstreamError(
      "esplora",
      `unexpected response for ${what} (${url}): ${i?.path.join(".")}: ${i?.message}`,
      { cause: r.error },
    );
  }
  return r.data;
}

/** Maps one Esplora transaction to the store's UTXO model (mempool.space extras are ignored). */
export function mapEsploraTx(t: z.output<typeof EsploraTx>, chain = "bitcoin"): UtxoTx {
  const s = t.status;
  return {
    chain,
    txid: t.txid,
    block:
      s.confirmed && s.block_height !== undefined && s.block_hash !== undefined
        ? { height: s.block_height, hash: s.block_hash, time: s.block_time ?? 0 }
        : null,
    fee: t.fee,
    size: t.size,
    weight: t.weight,
    version: t.version,
    locktime: t.locktime,
    inputs: t.vin.map((i, vin) => ({
      vin,
      prevTxid: i.is_coinbase ? null : i.txid,
      prevVout: i.is_coinbase ? null : i.vout,
      address: i.prevout?.scriptpubkey_address ?? null,
      value: i.prevout?.value ?? 0n,
      scriptType: i.prevout?.scriptpubkey_type ?? null,
      isCoinbase: i.is_coinbase,
      sequence: i.sequence,
    })),
    outputs: t.vout.map((o, vout) => ({
      vout,
      address: o.scriptpubkey_address ?? null,
      value: o.value,
      scriptType: o.scriptpubkey_type ?? null,
    })),
  };
}

export function parseEsploraTx(body: unknown, chain = "bitcoin", url = ""): UtxoTx {
  return mapEsploraTx(parse(EsploraTx, body, "transaction", url), chain);
}

/** Plain-text answers: anything else (an HTML page) is not an Esplora API. */
const isHeight = textCheck(/^[0-9]{1,9}$/);
const isHash = textCheck(/^[0-9a-f]{64}$/);

const isConfirmedTx = (body: string) => /"confirmed"\s*:\s*true/.test(body.slice(-400));

export interface EsploraOptions extends Omit<TransportOptions, "source"> {
  chain?: string;
}

/** Esplora (blockstream.info, mempool.space, electrs) as a UtxoSource. */
export function createEsploraSource(opts: EsploraOptions): UtxoSource {
  const chain = opts.chain ?? "bitcoin";
  const http = new Transport({ rps: 5, concurrency: 4, ...opts, source: "esplora" });
  const txs = (body: unknown, url: string) =>
    parse(z.array(EsploraTx), body, "address transactions", url).map((t) => mapEsploraTx(t, chain));
  const enc = encodeURIComponent;

  return {
    id: "esplora",
    chain,
    model: "utxo",
    counter: http.counter,
    close: () => http.close(),

    async tip(): Promise<Tip> {
      const h = await http.request("/blocks/tip/height", { check: isHeight });
      const height = Number(h.body.trim());
      const hash = await http.request(`/block-height/${height}`, { check: isHash });
      return { height, hash: hash.body.trim() };
    },

    async blockHash(height: number): Promise<string | null> {
      const r = await http.request(`/block-height/${height}`, { accept: [404], check: isHash });
      return r.status === 404 ? null : r.body.trim();
    },

    async addressHistory(address: string, cursor: string | null, o?: FetchOptions): Promise<Page<UtxoTx>> {
      // First page: /txs gives up to 50 mempool txs then the first 25 confirmed, in one request.
      const path = cursor
        ? `/address/${enc(address)}/txs/chain/${enc(cursor)}`
        : `/address/${enc(address)}/txs`;
      const r = await http.getJson<unknown>(path);
      const all = txs(r.data, r.url);
      const items = all.filter((t) => t.block !== null);
      const next = items.length >= ESPLORA_PAGE_SIZE ? items[items.length - 1]!.txid : null;
      // Esplora pages by txid only, newest first: a window is cut from the pages as they come
      const page = cursor ? { items, next } : { items, next, mempool: all.filter((t) => t.block === null) };
      return utxoPageInWindow(page, o?.window);
    },

    async transaction(txid: string): Promise<UtxoTx | null> {
      const r = await http.getJson<unknown>(`/tx/${enc(txid)}`, {
        accept: [404, 400],
        reuse: true,
        store: isConfirmedTx,
      });
      if (r.status === 404 || r.status === 400) return null;
      return parseEsploraTx(r.data, chain, r.url);
    },

    async outspends(txid: string): Promise<(SpentBy | null)[] | null> {
      const allFinal = (body: string) => {
        try {
          const a = JSON.parse(body) as { spent: boolean; status?: { confirmed: boolean } }[];
          return a.length > 0 && a.every((o) => o.spent && o.status?.confirmed);
        } catch {
          return false;
        }
      };
      const r = await http.getJson<unknown>(`/tx/${enc(txid)}/outspends`, {
        accept: [404, 400],
        reuse: true,
        store: allFinal,
      });
      if (r.status === 404 || r.status === 400) return null;
      return parse(z.array(Outspend), r.data, "outspends", r.url).map((o) =>
        o.spent && o.txid !== undefined && o.vin !== undefined ? { txid: o.txid, vin: o.vin } : null,
      );
    },
  };
}
