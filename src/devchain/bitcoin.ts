/**
 * Deterministic Bitcoin mainnet-format chain builder for tests and demos.
 *
 * Every transaction is a real, fully signed bitcoinjs-lib serialisation and every block has a real
 * header (no proof of work), so txids, wtxids and block hashes are the genuine double-SHA256 values.
 * Amounts are bigint satoshi; the Esplora JSON view converts them to exact JSON numbers.
 */
import { createHash } from "node:crypto";
import * as bitcoin from "bitcoinjs-lib";
import { ECPairFactory, type ECPairInterface } from "ecpair";
import * as ecc from "tiny-secp256k1";

bitcoin.initEccLib(ecc);
const ECPair = ECPairFactory(ecc);
const NETWORK = bitcoin.networks.bitcoin;

export type AddressType = "p2pkh" | "p2wpkh" | "p2sh-p2wpkh" | "p2tr";
export const ADDRESS_TYPES: readonly AddressType[] = ["p2pkh", "p2wpkh", "p2sh-p2wpkh", "p2tr"];

/** One spendable (or spent) output. */
export interface Utxo {
  txid: string;
  vout: number;
  value: bigint;
  /** Absent for outputs without an address form (OP_RETURN, bare scripts). */
  address?: string;
  scriptPubKey: string;
}

export interface Recipient {
  /** Either an address or a raw output script (hex or bytes), e.g. an OP_RETURN. */
  address?: string;
  script?: string | Uint8Array;
  value: bigint;
}

export interface SendOptions {
  /** A wallet (coins are selected oldest first) or explicit inputs, used in the given order. */
  from: Wallet | readonly Utxo[];
  to: readonly Recipient[];
  fee: bigint;
  /** Where change goes; defaults to a fresh address of the sending wallet. */
  changeAddress?: string;
  version?: number;
  locktime?: number;
  /** nSequence of every input; default 0xfffffffd (opt-in RBF, like most modern wallets). */
  sequence?: number;
}

export interface SentTx {
  txid: string;
  hex: string;
  fee: bigint;
  inputs: Utxo[];
  outputs: Utxo[];
  change?: Utxo;
}

export interface MineOptions {
  /** Block header time; default previous block time + blockInterval. */
  time?: number;
  /** Only these mempool txs (plus their unconfirmed ancestors); default the whole mempool. */
  txids?: readonly string[];
}

export interface BlockInfo {
  height: number;
  hash: string;
  prevHash: string;
  time: number;
  bits: number;
  nonce: number;
  version: number;
  merkleRoot: string;
  txids: string[];
  size: number;
  weight: number;
}

export interface ReorgOptions {
  /** Txs from the removed blocks that do not come back (with their descendants). */
  drop?: readonly string[];
  /** false: every tx of the removed blocks is discarded instead of going back to the mempool. */
  toMempool?: boolean;
}

export interface ReorgResult {
  removedBlocks: string[];
  returnedToMempool: string[];
  dropped: string[];
}

export interface DevChainOptions {
  seed?: string;
  /** Height of the first (anchor) block; default 800000. */
  startHeight?: number;
  /** Header time of the anchor block; default 1690168629 (real time of block 800000). */
  startTime?: number;
  /** Seconds between default block times; default 600. */
  blockInterval?: number;
  /** Compact target in every header; default 0x17053894 (block 800000). */
  bits?: number;
}

// ---- Esplora JSON shapes (field order matters: it is the order electrs serialises) ----

export interface EsploraStatus {
  confirmed: boolean;
  block_height?: number;
  block_hash?: string;
  block_time?: number;
}

export interface EsploraVout {
  scriptpubkey: string;
  scriptpubkey_asm: string;
  scriptpubkey_type: string;
  scriptpubkey_address?: string;
  value: number;
}

export interface EsploraVin {
  txid: string;
  vout: number;
  prevout: EsploraVout | null;
  scriptsig: string;
  scriptsig_asm: string;
  witness?: string[];
  is_coinbase: boolean;
  sequence: number;
  inner_redeemscript_asm?: string;
  inner_witnessscript_asm?: string;
}

export interface EsploraTx {
  txid: string;
  version: number;
  locktime: number;
  vin: EsploraVin[];
  vout: EsploraVout[];
  size: number;
  weight: number;
  fee: number;
  status: EsploraStatus;
}

export interface EsploraOutspend {
  spent: boolean;
  txid?: string;
  vin?: number;
  status?: EsploraStatus;
}

// ---- small helpers ----

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, "hex"));
}

function sha256(data: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** Display-order hex of an internal-order hash. */
function reversedHex(b: Uint8Array): string {
  return toHex(Uint8Array.from(b).reverse());
}

/** Satoshi as a JSON number; Bitcoin amounts stay below 2^53 so this is exact. */
export function satsToJsonNumber(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${v} is not representable exactly`);
  return n;
}

const ZERO_HASH = new Uint8Array(32);
const COINBASE_TXID = "0".repeat(64);

// ---- script helpers matching electrs / rust-bitcoin output ----

const OPCODE_NAMES: Record<number, string> = (() => {
  const names: Record<number, string> = {};
  names[0x4c] = "OP_PUSHDATA1";
  names[0x4d] = "OP_PUSHDATA2";
  names[0x4e] = "OP_PUSHDATA4";
  names[0x4f] = "OP_PUSHNUM_NEG1";
  names[0x50] = "OP_RESERVED";
  for (let i = 1; i <= 16; i++) names[0x50 + i] = `OP_PUSHNUM_${i}`;
  // 0x61 onwards, in opcode order
  const rest = (
    "OP_NOP OP_VER OP_IF OP_NOTIF OP_VERIF OP_VERNOTIF OP_ELSE OP_ENDIF OP_VERIFY OP_RETURN " +
    "OP_TOALTSTACK OP_FROMALTSTACK OP_2DROP OP_2DUP OP_3DUP OP_2OVER OP_2ROT OP_2SWAP OP_IFDUP " +
    "OP_DEPTH OP_DROP OP_DUP OP_NIP OP_OVER OP_PICK OP_ROLL OP_ROT OP_SWAP OP_TUCK OP_CAT OP_SUBSTR " +
    "OP_LEFT OP_RIGHT OP_SIZE OP_INVERT OP_AND OP_OR OP_XOR OP_EQUAL OP_EQUALVERIFY OP_RESERVED1 " +
    "OP_RESERVED2 OP_1ADD OP_1SUB OP_2MUL OP_2DIV OP_NEGATE OP_ABS OP_NOT OP_0NOTEQUAL OP_ADD OP_SUB " +
    "OP_MUL OP_DIV OP_MOD OP_LSHIFT OP_RSHIFT OP_BOOLAND OP_BOOLOR OP_NUMEQUAL OP_NUMEQUALVERIFY " +
    "OP_NUMNOTEQUAL OP_LESSTHAN OP_GREATERTHAN OP_LESSTHANOREQUAL OP_GREATERTHANOREQUAL OP_MIN OP_MAX " +
    "OP_WITHIN OP_RIPEMD160 OP_SHA1 OP_SHA256 OP_HASH160 OP_HASH256 OP_CODESEPARATOR OP_CHECKSIG " +
    "OP_CHECKSIGVERIFY OP_CHECKMULTISIG OP_CHECKMULTISIGVERIFY OP_NOP1 OP_CLTV OP_CSV OP_NOP4 OP_NOP5 " +
    "OP_NOP6 OP_NOP7 OP_NOP8 OP_NOP9 OP_NOP10 OP_CHECKSIGADD"
  ).split(" ");
  rest.forEach((n, i) => {
    names[0x61 + i] = n;
  });
  for (let c = 0xbb; c <= 0xfe; c++) names[c] = `OP_RETURN_${c}`;
  names[0xff] = "OP_INVALIDOPCODE";
  return names;
})();

/** Script assembly exactly as rust-bitcoin (and so Esplora) prints it. */
export function scriptAsm(script: Uint8Array): string {
  let out = "";
  let i = 0;
  let first = true;
  while (i < script.length) {
    const op = script[i++]!;
    let len = 0;
    if (op >= 0x01 && op <= 0x4b) {
      len = op;
    } else if (op >= 0x4c && op <= 0x4e) {
      const n = op === 0x4c ? 1 : op === 0x4d ? 2 : 4;
      if (script.length - i < n) {
        out += "<unexpected end>";
        break;
      }
      len = 0;
      for (let k = n - 1; k >= 0; k--) len = len * 256 + script[i + k]!;
      i += n;
    }
    if (!first) out += " ";
    first = false;
    out += op === 0x00 ? "OP_0" : op <= 0x4b ? `OP_PUSHBYTES_${op}` : OPCODE_NAMES[op]!;
    if (len > 0) {
      out += " ";
      if (len <= script.length - i) {
        out += toHex(script.subarray(i, i + len));
        i += len;
      } else {
        out += "<push past end>";
        break;
      }
    }
  }
  return out;
}

/** electrs' scriptpubkey_type, tested in the same order it uses. */
export function scriptType(s: Uint8Array): string {
  if (s.length === 0) return "empty";
  if (s[0] === 0x6a) return "op_return";
  if (
    (s.length === 35 && s[0] === 0x21 && s[34] === 0xac) ||
    (s.length === 67 && s[0] === 0x41 && s[66] === 0xac)
  ) {
    return "p2pk";
  }
  if (
    s.length === 25 &&
    s[0] === 0x76 &&
    s[1] === 0xa9 &&
    s[2] === 0x14 &&
    s[23] === 0x88 &&
    s[24] === 0xac
  ) {
    return "p2pkh";
  }
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) return "p2sh";
  if (s.length === 22 && s[0] === 0x00 && s[1] === 0x14) return "v0_p2wpkh";
  if (s.length === 34 && s[0] === 0x00 && s[1] === 0x20) return "v0_p2wsh";
  if (s.length === 34 && s[0] === 0x51 && s[1] === 0x20) return "v1_p2tr";
  return "unknown";
}

/** Mainnet address of an output script, or undefined where rust-bitcoin has none. */
export function scriptAddress(s: Uint8Array): string | undefined {
  // rust-bitcoin gives any valid witness program an address (v1 of other lengths, v2..v16); bitcoinjs does not.
  const op = s[0]!;
  const version = op === 0x00 ? 0 : op >= 0x51 && op <= 0x60 ? op - 0x50 : -1;
  if (version >= 0 && s.length >= 4 && s.length <= 42 && s[1] === s.length - 2) {
    const program = s.subarray(2);
    if (version === 0 && program.length !== 20 && program.length !== 32) return undefined;
    return bitcoin.address.toBech32(program, version, NETWORK.bech32);
  }
  try {
    return bitcoin.address.fromOutputScript(s, NETWORK);
  } catch {
    return undefined;
  }
}

/** Mainnet address → output script; like rust-bitcoin it accepts every valid witness version and length. */
export function addressToScript(address: string): Uint8Array {
  let legacy: bitcoin.address.Base58CheckResult | undefined;
  try {
    legacy = bitcoin.address.fromBase58Check(address);
  } catch {
    // not base58
  }
  if (legacy) {
    if (legacy.version === NETWORK.pubKeyHash) return bitcoin.payments.p2pkh({ hash: legacy.hash }).output!;
    if (legacy.version === NETWORK.scriptHash) return bitcoin.payments.p2sh({ hash: legacy.hash }).output!;
    throw new Error(`${address} is not a mainnet address`);
  }
  const b = bitcoin.address.fromBech32(address);
  if (b.prefix !== NETWORK.bech32) throw new Error(`${address} is not a mainnet address`);
  const v = b.version;
  const p = b.data;
  const ok = v === 0 ? p.length === 20 || p.length === 32 : v <= 16 && p.length >= 2 && p.length <= 40;
  if (!ok) throw new Error(`${address} has an invalid witness program`);
  return Uint8Array.from([v === 0 ? 0 : 0x50 + v, p.length, ...p]);
}

function esploraVout(script: Uint8Array, value: bigint): EsploraVout {
  const addr = scriptAddress(script);
  const o: EsploraVout = {
    scriptpubkey: toHex(script),
    scriptpubkey_asm: scriptAsm(script),
    scriptpubkey_type: scriptType(script),
  } as EsploraVout;
  if (addr !== undefined) o.scriptpubkey_address = addr;
  o.value = satsToJsonNumber(value);
  return o;
}

// ---- keys and wallets ----

interface Owner {
  type: AddressType;
  keyPair: ECPairInterface;
  /** Signer for the p2tr key path (tweaked with the BIP86 no-script tweak). */
  tapSigner?: ECPairInterface;
  xOnly?: Uint8Array;
  redeemScript?: Uint8Array;
  wallet: Wallet;
}

export interface WalletAddress {
  address: string;
  type: AddressType;
  scriptPubKey: string;
  keyIndex: number;
}

export class Wallet {
  readonly name: string;
  readonly defaultType: AddressType;
  private readonly chain: DevChain;
  private readonly list: WalletAddress[] = [];
  private readonly firstOfType = new Map<AddressType, string>();
  private nextKey = 0;

  /** Use DevChain.wallet(); the constructor is internal. */
  constructor(chain: DevChain, name: string, defaultType: AddressType) {
    this.chain = chain;
    this.name = name;
    this.defaultType = defaultType;
  }

  /** The wallet's stable receive address of that type (created on first use). */
  address(type: AddressType = this.defaultType): string {
    const a = this.firstOfType.get(type);
    return a ?? this.newAddress(type);
  }

  /** A fresh address on a new key. */
  newAddress(type: AddressType = this.defaultType): string {
    const index = this.nextKey++;
    const wa = this.chain._registerKey(this, index, type);
    this.list.push(wa);
    if (!this.firstOfType.has(type)) this.firstOfType.set(type, wa.address);
    return wa.address;
  }

  addresses(): WalletAddress[] {
    return [...this.list];
  }

  owns(address: string): boolean {
    return this.list.some((a) => a.address === address);
  }

  /** Unspent outputs (confirmed oldest first, then mempool order), excluding coins spent in the mempool. */
  utxos(opts: { includeUnconfirmed?: boolean } = {}): Utxo[] {
    return this.chain._walletUtxos(this, opts.includeUnconfirmed ?? true);
  }

  balance(opts: { includeUnconfirmed?: boolean } = {}): bigint {
    return this.utxos(opts).reduce((s, u) => s + u.value, 0n);
  }
}

// ---- chain state ----

type TxKind = "coinbase" | "fund" | "tx";

interface TxRecord {
  txid: string;
  tx: bitcoin.Transaction;
  hex: string;
  kind: TxKind;
}

interface BlockRecord {
  height: number;
  hash: string;
  block: bitcoin.Block;
  txids: string[];
}

export interface TxLocation {
  height: number;
  hash: string;
  time: number;
  pos: number;
}

interface ScriptEntry {
  /** Confirmed txids touching the script, oldest first (block order). */
  chain: string[];
  /** Mempool txids touching the script, in mempool order. */
  mempool: string[];
}

interface ChainIndex {
  loc: Map<string, TxLocation>;
  inMempool: Set<string>;
  spends: Map<string, { txid: string; vin: number }>;
  scripts: Map<string, ScriptEntry>;
  scripthashes: Map<string, string>;
}

export interface ScriptStats {
  funded_txo_count: number;
  funded_txo_sum: number;
  spent_txo_count: number;
  spent_txo_sum: number;
  tx_count: number;
}

const outpointKey = (txid: string, vout: number) => `${txid}:${vout}`;

export class DevChain {
  readonly seed: string;
  readonly startHeight: number;
  readonly blockInterval: number;
  readonly bits: number;
  private readonly records = new Map<string, TxRecord>();
  private readonly blocks: BlockRecord[] = [];
  private mempool: string[] = [];
  private readonly owners = new Map<string, Owner>();
  private readonly wallets = new Map<string, Wallet>();
  private blockCounter = 0;
  private fundCounter = 0;
  private index: ChainIndex | undefined;
  /** Bumped on every state change so observers (the server) can tell the chain moved. */
  version = 0;
  readonly miner: Wallet;

  constructor(opts: DevChainOptions = {}) {
    this.seed = opts.seed ?? "fundtrace-devchain";
    this.startHeight = opts.startHeight ?? 800_000;
    this.blockInterval = opts.blockInterval ?? 600;
    this.bits = opts.bits ?? 0x17053894;
    this.miner = this.wallet("miner", "p2wpkh");
    // The anchor block stands in for the real chain below startHeight.
    const parent = reversedHex(sha256(`devchain-parent|${this.seed}`));
    this.buildBlock(this.startHeight, parent, opts.startTime ?? 1_690_168_629, []);
  }

  // ---- wallets ----

  /** The wallet with that name (same name, same keys, across runs with the same seed). */
  wallet(name: string, defaultType: AddressType = "p2wpkh"): Wallet {
    let w = this.wallets.get(name);
    if (!w) {
      w = new Wallet(this, name, defaultType);
      this.wallets.set(name, w);
    }
    return w;
  }

  /** @internal */
  _registerKey(wallet: Wallet, index: number, type: AddressType): WalletAddress {
    let priv = sha256(`${this.seed}|${wallet.name}|${type}|${index}`);
    while (!ecc.isPrivate(priv)) priv = sha256(priv);
    const keyPair = ECPair.fromPrivateKey(priv, { network: NETWORK });
    const pubkey = keyPair.publicKey;
    const owner: Owner = { type, keyPair, wallet };
    let payment: bitcoin.Payment;
    switch (type) {
      case "p2pkh":
        payment = bitcoin.payments.p2pkh({ pubkey, network: NETWORK });
        break;
      case "p2wpkh":
        payment = bitcoin.payments.p2wpkh({ pubkey, network: NETWORK });
        break;
      case "p2sh-p2wpkh": {
        const redeem = bitcoin.payments.p2wpkh({ pubkey, network: NETWORK });
        owner.redeemScript = redeem.output!;
        payment = bitcoin.payments.p2sh({ redeem, network: NETWORK });
        break;
      }
      case "p2tr": {
        const xOnly = pubkey.subarray(1, 33);
        owner.xOnly = xOnly;
        owner.tapSigner = keyPair.tweak(bitcoin.crypto.taggedHash("TapTweak", xOnly));
        payment = bitcoin.payments.p2tr({ internalPubkey: xOnly, network: NETWORK });
        break;
      }
    }
    const script = toHex(payment.output!);
    this.owners.set(script, owner);
    return { address: payment.address!, type, scriptPubKey: script, keyIndex: index };
  }

  // ---- building transactions ----

  /** A coinbase-input transaction paying `value` to `address`; it waits in the mempool until mine(). */
  fund(address: string, value: bigint): Utxo {
    if (value <= 0n) throw new RangeError("fund value must be positive");
    const script = addressToScript(address);
    const tx = new bitcoin.Transaction();
    tx.version = 2;
    const n = ++this.fundCounter;
    // Unique scriptSig per call so equal payments still get distinct txids (BIP30).
    const scriptSig = bitcoin.script.compile([
      bitcoin.script.number.encode(n),
      new TextEncoder().encode("devchain fund"),
    ]);
    tx.addInput(ZERO_HASH, 0xffffffff, 0xffffffff, scriptSig);
    tx.addOutput(script, value);
    const rec = this.addRecord(tx, "fund");
    this.mempool.push(rec.txid);
    this.touch();
    return { txid: rec.txid, vout: 0, value, address, scriptPubKey: toHex(script) };
  }

  /** Builds, signs and puts into the mempool a transaction; every input must belong to a devchain wallet. */
  send(opts: SendOptions): SentTx {
    const outputs = opts.to.map((r) => ({ script: recipientScript(r), value: r.value }));
    for (const o of outputs) if (o.value < 0n) throw new RangeError("output value must not be negative");
    const outTotal = outputs.reduce((s, o) => s + o.value, 0n);
    const need = outTotal + opts.fee;
    let inputs: Utxo[];
    if (opts.from instanceof Wallet) {
      inputs = [];
      let sum = 0n;
      for (const u of opts.from.utxos()) {
        if (sum >= need) break;
        inputs.push(u);
        sum += u.value;
      }
      if (sum < need) {
        throw new Error(`wallet ${opts.from.name} has ${sum} sat spendable, needs ${need}`);
      }
    } else {
      inputs = [...opts.from];
      if (inputs.length === 0) throw new Error("send needs at least one input");
    }
    const idx = this.getIndex();
    const seen = new Set<string>();
    for (const u of inputs) {
      const k = outpointKey(u.txid, u.vout);
      if (seen.has(k)) throw new Error(`input ${k} used twice`);
      seen.add(k);
      if (!this.isKnown(u.txid, idx)) throw new Error(`input ${k}: unknown or dropped transaction`);
      const spender = idx.spends.get(k);
      if (spender) throw new Error(`input ${k} is already spent by ${spender.txid}`);
    }
    const inTotal = inputs.reduce((s, u) => s + this.prevOut(u.txid, u.vout).value, 0n);
    const change = inTotal - need;
    if (change < 0n) throw new Error(`inputs total ${inTotal} sat, outputs + fee need ${need}`);
    let changeOut: { script: Uint8Array; value: bigint } | undefined;
    if (change > 0n) {
      let changeAddr = opts.changeAddress;
      if (changeAddr === undefined) {
        if (!(opts.from instanceof Wallet)) throw new Error("change left over: pass changeAddress");
        changeAddr = opts.from.newAddress();
      }
      changeOut = { script: addressToScript(changeAddr), value: change };
      outputs.push(changeOut);
    }

    const psbt = new bitcoin.Psbt({ network: NETWORK });
    psbt.setVersion(opts.version ?? 2);
    psbt.setLocktime(opts.locktime ?? 0);
    const sequence = opts.sequence ?? 0xfffffffd;
    const signers: ECPairInterface[] = [];
    for (const u of inputs) {
      const prev = this.prevOut(u.txid, u.vout);
      const owner = this.owners.get(toHex(prev.script));
      if (!owner) throw new Error(`input ${u.txid}:${u.vout} is not owned by any devchain wallet`);
      const base = { hash: u.txid, index: u.vout, sequence };
      const witnessUtxo = { script: prev.script, value: prev.value };
      switch (owner.type) {
        case "p2pkh":
          psbt.addInput({ ...base, nonWitnessUtxo: this.records.get(u.txid)!.tx.toBuffer() });
          break;
        case "p2wpkh":
          psbt.addInput({ ...base, witnessUtxo });
          break;
        case "p2sh-p2wpkh":
          psbt.addInput({ ...base, witnessUtxo, redeemScript: owner.redeemScript! });
          break;
        case "p2tr":
          psbt.addInput({ ...base, witnessUtxo, tapInternalKey: owner.xOnly! });
          break;
      }
      signers.push(owner.type === "p2tr" ? owner.tapSigner! : owner.keyPair);
    }
    for (const o of outputs) psbt.addOutput({ script: o.script, value: o.value });
    signers.forEach((s, i) => {
      psbt.signInput(i, s);
    });
    if (!psbt.validateSignaturesOfAllInputs(verifySig)) throw new Error("signature check failed");
    psbt.finalizeAllInputs();
    // Fee sanity checks are the caller's business here (tests use odd fees on purpose).
    const tx = psbt.extractTransaction(true);
    const rec = this.addRecord(tx, "tx");
    this.mempool.push(rec.txid);
    this.touch();
    const outs: Utxo[] = tx.outs.map((o, vout) => utxoOf(rec.txid, vout, o.script, o.value));
    return {
      txid: rec.txid,
      hex: rec.hex,
      fee: opts.fee,
      inputs: inputs.map((u) => {
        const p = this.prevOut(u.txid, u.vout);
        return utxoOf(u.txid, u.vout, p.script, p.value);
      }),
      outputs: outs,
      change: changeOut ? outs[outs.length - 1] : undefined,
    };
  }

  // ---- blocks ----

  /** Mines the mempool (or the chosen txs and their ancestors) into a new block on the tip. */
  mine(opts: number | MineOptions = {}): BlockInfo {
    const o: MineOptions = typeof opts === "number" ? { time: opts } : opts;
    const tip = this.tipBlock();
    let chosen: string[];
    if (o.txids) {
      const want = new Set<string>();
      const addWithAncestors = (txid: string) => {
        if (want.has(txid)) return;
        if (!this.mempool.includes(txid)) throw new Error(`${txid} is not in the mempool`);
        want.add(txid);
        for (const input of this.records.get(txid)!.tx.ins) {
          const parent = reversedHex(input.hash);
          if (this.mempool.includes(parent)) addWithAncestors(parent);
        }
      };
      for (const t of o.txids) addWithAncestors(t);
      chosen = this.mempool.filter((t) => want.has(t));
    } else {
      chosen = [...this.mempool];
    }
    const chosenSet = new Set(chosen);
    this.mempool = this.mempool.filter((t) => !chosenSet.has(t));
    const rec = this.buildBlock(
      tip.height + 1,
      tip.hash,
      o.time ?? tip.block.timestamp + this.blockInterval,
      chosen,
    );
    return this.blockInfo(rec);
  }

  /** Mines n blocks with default times. */
  mineMany(n: number): BlockInfo[] {
    const out: BlockInfo[] = [];
    for (let i = 0; i < n; i++) out.push(this.mine());
    return out;
  }

  /**
   * Drops the last `depth` blocks. Their transactions (not the block coinbases) go back to the front of the
   * mempool unless dropped; mempool txs left without parents or in conflict are dropped too.
   */
  reorg(depth: number, opts: ReorgOptions = {}): ReorgResult {
    if (!Number.isInteger(depth) || depth < 1 || depth >= this.blocks.length) {
      throw new RangeError(`reorg depth must be 1..${this.blocks.length - 1}`);
    }
    const removed = this.blocks.splice(this.blocks.length - depth, depth);
    const back: string[] = [];
    const dropped: string[] = [];
    const dropSet = new Set(opts.drop ?? []);
    for (const b of removed) {
      for (const txid of b.txids) {
        const kind = this.records.get(txid)!.kind;
        if (kind === "coinbase") continue;
        if (opts.toMempool === false || dropSet.has(txid)) dropped.push(txid);
        else back.push(txid);
      }
    }
    const before = new Set([...back, ...this.mempool]);
    // Block txs never depend on mempool txs, so putting them first keeps parents before children.
    this.mempool = this.pruneMempool([...back, ...this.mempool]);
    const kept = new Set(this.mempool);
    for (const t of before) if (!kept.has(t)) dropped.push(t);
    this.touch();
    return {
      removedBlocks: removed.map((b) => b.hash),
      returnedToMempool: back.filter((t) => kept.has(t)),
      dropped,
    };
  }

  /** Removes a mempool tx and everything that depends on it; returns the removed txids. */
  dropFromMempool(txid: string): string[] {
    if (!this.mempool.includes(txid)) throw new Error(`${txid} is not in the mempool`);
    const before = this.mempool.filter((t) => t !== txid);
    const kept = this.pruneMempool(before);
    const keptSet = new Set(kept);
    const gone = this.mempool.filter((t) => !keptSet.has(t));
    this.mempool = kept;
    this.touch();
    return gone;
  }

  // ---- queries ----

  get tipHeight(): number {
    return this.tipBlock().height;
  }

  get tipHash(): string {
    return this.tipBlock().hash;
  }

  /** Active chain, lowest first. */
  chainBlocks(): BlockInfo[] {
    return this.blocks.map((b) => this.blockInfo(b));
  }

  blockAtHeight(height: number): BlockInfo | undefined {
    const b = this.blocks[height - this.startHeight];
    return b ? this.blockInfo(b) : undefined;
  }

  /** Only blocks of the active chain; stale blocks are forgotten. */
  blockByHash(hash: string): BlockInfo | undefined {
    const b = this.blocks.find((x) => x.hash === hash);
    return b ? this.blockInfo(b) : undefined;
  }

  /** Raw block (header + txs) as bitcoinjs serialises it. */
  blockHex(hash: string, headerOnly = false): string | undefined {
    const b = this.blocks.find((x) => x.hash === hash);
    return b ? b.block.toHex(headerOnly) : undefined;
  }

  /** Median of the last 11 header times up to that height (BIP113). */
  medianTimePast(height: number): number {
    const times: number[] = [];
    for (let h = Math.max(this.startHeight, height - 10); h <= height; h++) {
      const b = this.blocks[h - this.startHeight];
      if (b) times.push(b.block.timestamp);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  }

  mempoolTxids(): string[] {
    return [...this.mempool];
  }

  /** A tx in the active chain or the mempool. */
  hasTx(txid: string): boolean {
    return this.isKnown(txid, this.getIndex());
  }

  txHex(txid: string): string | undefined {
    return this.hasTx(txid) ? this.records.get(txid)!.hex : undefined;
  }

  transaction(txid: string): bitcoin.Transaction | undefined {
    return this.hasTx(txid) ? this.records.get(txid)!.tx : undefined;
  }

  txStatus(txid: string): EsploraStatus {
    const loc = this.getIndex().loc.get(txid);
    if (!loc) return { confirmed: false };
    return { confirmed: true, block_height: loc.height, block_hash: loc.hash, block_time: loc.time };
  }

  /** Height and position in block, for confirmed txs. */
  txLocation(txid: string): TxLocation | undefined {
    return this.getIndex().loc.get(txid);
  }

  /** The transaction exactly as Esplora's GET /tx/:txid returns it. */
  esploraTx(txid: string): EsploraTx | undefined {
    const idx = this.getIndex();
    if (!this.isKnown(txid, idx)) return undefined;
    const { tx } = this.records.get(txid)!;
    let inSum = 0n;
    const vin: EsploraVin[] = tx.ins.map((input) => {
      const isCb = bitcoin.Transaction.isCoinbaseHash(input.hash);
      const prevTxid = reversedHex(input.hash);
      let prevout: EsploraVout | null = null;
      let prevScript: Uint8Array | undefined;
      if (!isCb) {
        const p = this.prevOut(prevTxid, input.index);
        prevScript = p.script;
        inSum += p.value;
        prevout = esploraVout(p.script, p.value);
      }
      const v: EsploraVin = {
        txid: isCb ? COINBASE_TXID : prevTxid,
        vout: input.index,
        prevout,
        scriptsig: toHex(input.script),
        scriptsig_asm: scriptAsm(input.script),
      } as EsploraVin;
      if (input.witness.length > 0) v.witness = input.witness.map(toHex);
      v.is_coinbase = isCb;
      v.sequence = input.sequence;
      if (prevScript) addInnerScripts(v, prevScript, input);
      return v;
    });
    const vout = tx.outs.map((o) => esploraVout(o.script, o.value));
    const outSum = tx.outs.reduce((s, o) => s + o.value, 0n);
    // electrs reports fee 0 for coinbases; fund() txs have a coinbase input too.
    const anyCoinbaseInput = tx.ins.some((i) => bitcoin.Transaction.isCoinbaseHash(i.hash));
    return {
      txid,
      version: tx.version >>> 0,
      locktime: tx.locktime >>> 0,
      vin,
      vout,
      size: tx.byteLength(),
      weight: tx.weight(),
      fee: anyCoinbaseInput ? 0 : satsToJsonNumber(inSum - outSum),
      status: this.txStatus(txid),
    };
  }

  /** Every tx of the active chain (block order) and then the mempool, in Esplora JSON. */
  esploraTxs(): EsploraTx[] {
    const ids = [...this.blocks.flatMap((b) => b.txids), ...this.mempool];
    return ids.map((t) => this.esploraTx(t)!);
  }

  /** GET /tx/:txid/outspends; OP_RETURN outputs always read as unspent, as in electrs. */
  outspends(txid: string): EsploraOutspend[] | undefined {
    const idx = this.getIndex();
    if (!this.isKnown(txid, idx)) return undefined;
    return this.records.get(txid)!.tx.outs.map((_, vout) => this.outspend(txid, vout));
  }

  outspend(txid: string, vout: number): EsploraOutspend {
    const s = this.getIndex().spends.get(outpointKey(txid, vout));
    if (!s) return { spent: false };
    return { spent: true, txid: s.txid, vin: s.vin, status: this.txStatus(s.txid) };
  }

  /** Txids touching a script: confirmed newest first (reverse block position within a block), mempool oldest first. */
  scriptHistory(scriptHex: string): { chain: string[]; mempool: string[] } {
    const e = this.getIndex().scripts.get(scriptHex);
    if (!e) return { chain: [], mempool: [] };
    return { chain: [...e.chain].reverse(), mempool: [...e.mempool] };
  }

  /** Output script for an Esplora /scripthash/ key (sha256 of the script, not reversed). */
  scriptForScripthash(scripthash: string): string | undefined {
    return this.getIndex().scripthashes.get(scripthash);
  }

  scriptStats(scriptHex: string): { chain_stats: ScriptStats; mempool_stats: ScriptStats } {
    const e = this.getIndex().scripts.get(scriptHex);
    return {
      chain_stats: this.statsFor(scriptHex, e?.chain ?? []),
      mempool_stats: this.statsFor(scriptHex, e?.mempool ?? []),
    };
  }

  /** Unspent outputs paying a script: confirmed oldest first, then mempool; spends in the mempool count. */
  scriptUtxos(scriptHex: string): (Utxo & { status: EsploraStatus })[] {
    const idx = this.getIndex();
    const e = idx.scripts.get(scriptHex);
    if (!e) return [];
    const out: (Utxo & { status: EsploraStatus })[] = [];
    for (const txid of [...e.chain, ...e.mempool]) {
      const { tx } = this.records.get(txid)!;
      tx.outs.forEach((o, vout) => {
        if (toHex(o.script) !== scriptHex || idx.spends.has(outpointKey(txid, vout))) return;
        out.push({ ...utxoOf(txid, vout, o.script, o.value), status: this.txStatus(txid) });
      });
    }
    return out;
  }

  /** @internal */
  _walletUtxos(wallet: Wallet, includeUnconfirmed: boolean): Utxo[] {
    const idx = this.getIndex();
    const mine = new Set(wallet.addresses().map((a) => a.scriptPubKey));
    const ids = [...this.blocks.flatMap((b) => b.txids), ...(includeUnconfirmed ? this.mempool : [])];
    const out: Utxo[] = [];
    for (const txid of ids) {
      const { tx } = this.records.get(txid)!;
      tx.outs.forEach((o, vout) => {
        if (mine.has(toHex(o.script)) && !idx.spends.has(outpointKey(txid, vout))) {
          out.push(utxoOf(txid, vout, o.script, o.value));
        }
      });
    }
    return out;
  }

  // ---- internals ----

  private tipBlock(): BlockRecord {
    return this.blocks[this.blocks.length - 1]!;
  }

  private touch(): void {
    this.index = undefined;
    this.version++;
  }

  private isKnown(txid: string, idx: ChainIndex): boolean {
    return idx.loc.has(txid) || idx.inMempool.has(txid);
  }

  private addRecord(tx: bitcoin.Transaction, kind: TxKind): TxRecord {
    const rec: TxRecord = { txid: tx.getId(), tx, hex: tx.toHex(), kind };
    const old = this.records.get(rec.txid);
    if (old && old.hex !== rec.hex) throw new Error(`txid collision for ${rec.txid}`);
    this.records.set(rec.txid, rec);
    return rec;
  }

  private prevOut(txid: string, vout: number): { script: Uint8Array; value: bigint } {
    const rec = this.records.get(txid);
    const o = rec?.tx.outs[vout];
    if (!o) throw new Error(`unknown output ${txid}:${vout}`);
    return { script: o.script, value: o.value };
  }

  private buildBlock(height: number, prevHash: string, time: number, txids: string[]): BlockRecord {
    const txs = txids.map((t) => this.records.get(t)!.tx);
    let fees = 0n;
    for (const t of txs) {
      if (t.ins.some((i) => bitcoin.Transaction.isCoinbaseHash(i.hash))) continue;
      const inSum = t.ins.reduce((s, i) => s + this.prevOut(reversedHex(i.hash), i.index).value, 0n);
      fees += inSum - t.outs.reduce((s, o) => s + o.value, 0n);
    }
    const n = ++this.blockCounter;
    const cb = new bitcoin.Transaction();
    cb.version = 2;
    const extraNonce = new Uint8Array(8);
    new DataView(extraNonce.buffer).setBigUint64(0, BigInt(n));
    cb.addInput(
      ZERO_HASH,
      0xffffffff,
      0xffffffff,
      bitcoin.script.compile([bitcoin.script.number.encode(height), extraNonce]),
    );
    cb.setWitness(0, [new Uint8Array(32)]);
    const subsidy = height >= 64 * 210_000 ? 0n : 5_000_000_000n >> BigInt(Math.floor(height / 210_000));
    cb.addOutput(addressToScript(this.miner.address()), subsidy + fees);
    // BIP141 commitment; the coinbase wtxid is zero so it does not depend on this output.
    const commit = bitcoin.Block.calculateMerkleRoot([cb, ...txs], true);
    cb.addOutput(Uint8Array.from([0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed, ...commit]), 0n);
    const cbRec = this.addRecord(cb, "coinbase");

    const block = new bitcoin.Block();
    block.version = 0x20000000;
    block.prevHash = Uint8Array.from(fromHex(prevHash)).reverse();
    block.transactions = [cb, ...txs];
    block.merkleRoot = bitcoin.Block.calculateMerkleRoot(block.transactions);
    block.timestamp = time;
    block.bits = this.bits;
    block.nonce = n;
    const rec: BlockRecord = { height, hash: block.getId(), block, txids: [cbRec.txid, ...txids] };
    this.blocks.push(rec);
    this.touch();
    return rec;
  }

  private blockInfo(b: BlockRecord): BlockInfo {
    return {
      height: b.height,
      hash: b.hash,
      prevHash: reversedHex(b.block.prevHash!),
      time: b.block.timestamp,
      bits: b.block.bits,
      nonce: b.block.nonce,
      version: b.block.version,
      merkleRoot: reversedHex(b.block.merkleRoot!),
      txids: [...b.txids],
      size: b.block.byteLength(),
      weight: b.block.weight(),
    };
  }

  /** Keeps mempool txs (in order) whose inputs exist and are not spent by the chain or an earlier kept tx. */
  private pruneMempool(candidates: string[]): string[] {
    const chainOutputs = new Set<string>();
    const spent = new Set<string>();
    for (const b of this.blocks) {
      for (const txid of b.txids) {
        const { tx } = this.records.get(txid)!;
        tx.outs.forEach((_, v) => {
          chainOutputs.add(outpointKey(txid, v));
        });
        for (const i of tx.ins) {
          if (!bitcoin.Transaction.isCoinbaseHash(i.hash))
            spent.add(outpointKey(reversedHex(i.hash), i.index));
        }
      }
    }
    const kept: string[] = [];
    const available = chainOutputs;
    for (const txid of candidates) {
      const { tx } = this.records.get(txid)!;
      const ins = tx.ins
        .filter((i) => !bitcoin.Transaction.isCoinbaseHash(i.hash))
        .map((i) => outpointKey(reversedHex(i.hash), i.index));
      if (ins.some((k) => !available.has(k) || spent.has(k))) continue;
      for (const k of ins) spent.add(k);
      tx.outs.forEach((_, v) => {
        available.add(outpointKey(txid, v));
      });
      kept.push(txid);
    }
    return kept;
  }

  private statsFor(scriptHex: string, txids: string[]): ScriptStats {
    const s = { funded_txo_count: 0, funded_txo_sum: 0n, spent_txo_count: 0, spent_txo_sum: 0n, tx_count: 0 };
    for (const txid of txids) {
      s.tx_count++;
      const { tx } = this.records.get(txid)!;
      for (const o of tx.outs) {
        if (toHex(o.script) === scriptHex && o.script[0] !== 0x6a) {
          s.funded_txo_count++;
          s.funded_txo_sum += o.value;
        }
      }
      for (const i of tx.ins) {
        if (bitcoin.Transaction.isCoinbaseHash(i.hash)) continue;
        const p = this.prevOut(reversedHex(i.hash), i.index);
        if (toHex(p.script) === scriptHex) {
          s.spent_txo_count++;
          s.spent_txo_sum += p.value;
        }
      }
    }
    return {
      funded_txo_count: s.funded_txo_count,
      funded_txo_sum: satsToJsonNumber(s.funded_txo_sum),
      spent_txo_count: s.spent_txo_count,
      spent_txo_sum: satsToJsonNumber(s.spent_txo_sum),
      tx_count: s.tx_count,
    };
  }

  private getIndex(): ChainIndex {
    if (this.index) return this.index;
    const idx: ChainIndex = {
      loc: new Map(),
      inMempool: new Set(this.mempool),
      spends: new Map(),
      scripts: new Map(),
      scripthashes: new Map(),
    };
    const touchScript = (script: Uint8Array, txid: string, confirmed: boolean) => {
      const hex = toHex(script);
      let e = idx.scripts.get(hex);
      if (!e) {
        e = { chain: [], mempool: [] };
        idx.scripts.set(hex, e);
        idx.scripthashes.set(toHex(sha256(script)), hex);
      }
      const list = confirmed ? e.chain : e.mempool;
      if (list[list.length - 1] !== txid) list.push(txid);
    };
    const indexTx = (txid: string, confirmed: boolean) => {
      const { tx } = this.records.get(txid)!;
      tx.ins.forEach((input, vin) => {
        if (bitcoin.Transaction.isCoinbaseHash(input.hash)) return;
        const prevTxid = reversedHex(input.hash);
        idx.spends.set(outpointKey(prevTxid, input.index), { txid, vin });
        touchScript(this.prevOut(prevTxid, input.index).script, txid, confirmed);
      });
      for (const o of tx.outs) touchScript(o.script, txid, confirmed);
    };
    for (const b of this.blocks) {
      b.txids.forEach((txid, pos) => {
        idx.loc.set(txid, { height: b.height, hash: b.hash, time: b.block.timestamp, pos });
        indexTx(txid, true);
      });
    }
    for (const txid of this.mempool) indexTx(txid, false);
    this.index = idx;
    return idx;
  }
}

function recipientScript(r: Recipient): Uint8Array {
  if (r.address !== undefined) return addressToScript(r.address);
  if (r.script !== undefined) return typeof r.script === "string" ? fromHex(r.script) : r.script;
  throw new Error("recipient needs an address or a script");
}

function utxoOf(txid: string, vout: number, script: Uint8Array, value: bigint): Utxo {
  const u: Utxo = { txid, vout, value, scriptPubKey: toHex(script) };
  const a = scriptAddress(script);
  if (a !== undefined) u.address = a;
  return u;
}

function verifySig(pubkey: Uint8Array, msghash: Uint8Array, signature: Uint8Array): boolean {
  return pubkey.length === 32
    ? ecc.verifySchnorr(msghash, pubkey, signature)
    : ecc.verify(msghash, pubkey, signature);
}

/** electrs' get_innerscripts: redeem script of P2SH spends, witness script of (P2SH-)P2WSH spends. */
function addInnerScripts(v: EsploraVin, prevScript: Uint8Array, input: bitcoin.TxInput): void {
  let redeem: Uint8Array | undefined;
  if (scriptType(prevScript) === "p2sh") {
    const chunks = bitcoin.script.decompile(input.script);
    const last = chunks?.[chunks.length - 1];
    if (last instanceof Uint8Array) redeem = last;
  }
  if (redeem) v.inner_redeemscript_asm = scriptAsm(redeem);
  const wsh =
    scriptType(prevScript) === "v0_p2wsh" || (redeem !== undefined && scriptType(redeem) === "v0_p2wsh");
  const lastWitness = input.witness[input.witness.length - 1];
  if (wsh && lastWitness) v.inner_witnessscript_asm = scriptAsm(lastWitness);
}
