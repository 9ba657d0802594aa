import { parseEsploraTx } from "../adapters/esplora/index.ts";
import { ADDRESS_TYPES, DevChain } from "../src/devchain/bitcoin.ts";
import { prng } from "../src/devchain/evm-faults.ts";
import type { AccountTransfer, SpentBy, TransferKind, UtxoTx } from "../src/domain.ts";

/**
 * Recorded pages for the ingest bench, without a network. Bitcoin: the history of a busy exchange
 * address on a devchain (deposits from wallets of every script type, withdrawals with change back to
 * it, consolidations), parsed from Esplora JSON by the adapter's own parser, then repeated with every
 * txid, block and counterparty address renamed per copy, so a million distinct transactions keep the
 * template's shapes, values, script types and spends. Accounts: an exchange wallet's transfers
 * (native, token logs, internal calls, fees) over ascending blocks.
 */

export interface UtxoPage {
  txs: UtxoTx[];
  outspends: (SpentBy | null)[][];
}

export interface UtxoTemplate {
  address: string;
  txs: UtxoTx[];
  outspends: (SpentBy | null)[][];
  span: number;
}

/** A devchain history of one exchange address: deposits, withdrawals with change back, consolidations. */
export function utxoTemplate(seed = 1, n = 400): UtxoTemplate {
  const rand = prng(seed);
  const chain = new DevChain({ seed: `ingest-bench-${seed}` });
  const exchange = chain.wallet("exchange", "p2wpkh");
  const A = exchange.address();
  const users = Array.from({ length: 40 }, (_, i) => chain.wallet(`user${i}`, ADDRESS_TYPES[i % 4]));
  for (const u of users) chain.fund(u.newAddress(), 50_000_000n + BigInt(Math.floor(rand() * 1e8)));
  chain.fund(A, 500_000_000n);
  chain.mine();
  for (let i = 0; i < n; i++) {
    const u = users[Math.floor(rand() * users.length)]!;
    if (rand() < 0.5 && u.balance() > 2_000_000n) {
      const value = BigInt(Math.floor(rand() * 1_000_000)) * (rand() < 0.4 ? 1000n : 1n) + 100_000n;
      if (value + 10_000n < u.balance())
        chain.send({ from: u, to: [{ address: A, value }], fee: 1_500n, changeAddress: u.newAddress() });
    } else {
      const value = BigInt(Math.floor(rand() * 5_000_000)) + 50_000n;
      if (value + 10_000n < exchange.balance())
        chain.send({
          from: exchange,
          to: [{ address: u.newAddress(), value }],
          fee: 2_000n,
          changeAddress: A,
        });
    }
    if (rand() < 0.2) chain.mine();
  }
  chain.mine();
  const all = chain.esploraTxs().map((t) => parseEsploraTx(t));
  const txs = all.filter((t) => t.block !== null && [...t.inputs, ...t.outputs].some((x) => x.address === A));
  const outspends = txs.map((t) =>
    (chain.outspends(t.txid) ?? []).map((o) => (o.spent ? { txid: o.txid!, vin: o.vin! } : null)),
  );
  const heights = txs.map((t) => t.block!.height);
  return { address: A, txs, outspends, span: Math.max(...heights) - Math.min(...heights) + 1 };
}

/** Pages of `size` txs, newest first as Esplora gives them, until `total` txs: copy k renames everything but A. */
export function* utxoPages(tpl: UtxoTemplate, total: number, size = 25): Generator<UtxoPage> {
  const copies = Math.ceil(total / tpl.txs.length);
  let left = total;
  let page: UtxoPage = { txs: [], outspends: [] };
  for (let k = copies - 1; k >= 0 && left > 0; k--) {
    for (let i = tpl.txs.length - 1; i >= 0 && left > 0; i--, left--) {
      page.txs.push(renameTx(tpl.txs[i]!, k, tpl));
      page.outspends.push(tpl.outspends[i]!.map((s) => s && { txid: renameTxid(s.txid, k), vin: s.vin }));
      if (page.txs.length === size) {
        yield page;
        page = { txs: [], outspends: [] };
      }
    }
  }
  if (page.txs.length > 0) yield page;
}

function renameTx(t: UtxoTx, k: number, tpl: UtxoTemplate): UtxoTx {
  const addr = (a: string | null) => (a === null || a === tpl.address ? a : renameAddress(a, k));
  const b = t.block!;
  return {
    ...t,
    txid: renameTxid(t.txid, k),
    block: {
      height: b.height + k * tpl.span,
      hash: renameTxid(b.hash, k),
      time: b.time + k * tpl.span * 600,
    },
    inputs: t.inputs.map((i) => ({
      ...i,
      prevTxid: i.prevTxid === null ? null : renameTxid(i.prevTxid, k),
      address: addr(i.address),
    })),
    outputs: t.outputs.map((o) => ({ ...o, address: addr(o.address) })),
  };
}

const HEX = "0123456789abcdef";
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Copy 0 keeps the template's strings; copy k replaces 24 characters by ones drawn from a hash of (k, s). */
function rename(s: string, k: number, alphabet: string, from: number): string {
  if (k === 0) return s;
  let h1 = 0x811c9dc5 ^ k;
  let h2 = 0x9747b28c + k;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822507) ^ (h2 >>> 13);
  }
  let out = s.slice(0, from);
  for (let i = 0; i < 24; i++) {
    const x = i % 2 === 0 ? h1 : h2;
    out += alphabet[(x >>> ((i * 5) % 27)) % alphabet.length];
    if (i % 2 === 1) {
      h1 = Math.imul(h1 ^ (h1 >>> 15), 2246822507);
      h2 = Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    }
  }
  return out + s.slice(from + 24);
}

function renameTxid(txid: string, k: number): string {
  return rename(txid, k, HEX, 0);
}

function renameAddress(a: string, k: number): string {
  return a.startsWith("bc1") || a.startsWith("bcrt1") || a.startsWith("tb1")
    ? rename(a, k, BECH32, a.indexOf("1") + 2)
    : rename(a, k, BASE58, 1);
}

/** `total` transfers of one exchange wallet in chunks of `size`, ascending blocks, as an account source gives them. */
export function* accountPages(
  total: number,
  size: number,
  seed = 1,
): Generator<{ rows: AccountTransfer[]; toBlock: number }> {
  const rand = prng(seed);
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += HEX[Math.floor(rand() * 16)];
    return s;
  };
  const wallet = `0x${"28c6c06298d514db089934071355e5743bf21d60"}`;
  const usdt = "0xdac17f958d2ee523a2206206994597c13d831ec7";
  const pool = Array.from({ length: 50_000 }, () => `0x${hex(40)}`);
  let block = 18_000_000;
  let made = 0;
  while (made < total) {
    const rows: AccountTransfer[] = [];
    while (rows.length < size && made + rows.length < total) {
      block += rand() < 0.3 ? 1 : 0;
      const txid = `0x${hex(64)}`;
      const other = rand() < 0.7 ? pool[Math.floor(rand() * pool.length)]! : `0x${hex(40)}`;
      const out = rand() < 0.4;
      const base = {
        chain: "ethereum",
        txid,
        blockNumber: block,
        blockHash: `0x${block.toString(16).padStart(64, "0")}`,
        blockTime: 1_690_000_000 + block * 12,
        txIndex: Math.floor(rand() * 200),
        traceAddress: null,
        success: rand() > 0.01,
      };
      const kind: TransferKind = rand() < 0.35 ? "token" : rand() < 0.1 ? "internal" : "native";
      rows.push({
        ...base,
        kind,
        seq: 0,
        logIndex: kind === "token" ? Math.floor(rand() * 300) : null,
        traceAddress: kind === "internal" ? "0,1" : null,
        from: out ? wallet : other,
        to: out ? other : wallet,
        asset: kind === "token" ? usdt : "ETH",
        symbol: kind === "token" ? "USDT" : "ETH",
        decimals: kind === "token" ? 6 : 18,
        value: BigInt(Math.floor(rand() * 1e9)) * 10n ** BigInt(kind === "token" ? 3 : 10),
      });
      if (out && rows.length < size && made + rows.length < total) {
        rows.push({
          ...base,
          kind: "fee",
          seq: 0,
          logIndex: null,
          from: wallet,
          to: null,
          asset: "ETH",
          symbol: "ETH",
          decimals: 18,
          value: BigInt(Math.floor(rand() * 1e6)) * 10n ** 9n,
        });
      }
    }
    made += rows.length;
    yield { rows, toBlock: block };
  }
}
