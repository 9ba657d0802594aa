/** Shared types. Amounts are always bigint in base units (satoshi, wei, token units). */
export type Amount = bigint;

export interface LabelRecord {
  /** Registry chain name (bitcoin, ethereum, tron, ...) or a label-only chain (litecoin, monero, ...). */
  chain: string;
  /** Normalised address (EVM lower-case, bech32 lower-case, base58 exact). */
  address: string;
  /** Currency code as the source gives it (XBT, BTC, USDT, ETH, TRX, ...). */
  currency: string;
  /** Human label: entity name or tag label. */
  label: string;
  category: string;
  /** Where the attribution comes from: OFAC SDN list, an NBCTF order, a TagPack title. */
  source: string;
  /** GraphSense numeric confidence scale, 0..100. */
  confidence: number;
  /** Sanctions programs (';'-joined, e.g. "SDGT;IFSR") or null. */
  program: string | null;
  /** Reference into the source: SDN uid, order id, URL. */
  reference: string | null;
  /** A cluster-defining label applies to every member of the address's cluster. */
  clusterDefining: boolean;
  /** Optional actor id (GraphSense ActorPack) */
  actor?: string | null;
}

/** A set of labels read from one file; importing it replaces the dataset's previous rows. */
export interface LabelDataset {
  /** Stable id: re-importing the same dataset id replaces its rows (so delistings disappear). */
  dataset: string;
  format: LabelFormat;
  labels: LabelRecord[];
  /** Rows skipped with the reason (bad checksum, unsupported chain format, ...). */
  skipped: { address: string; reason: string }[];
}

/**
 * A parsed dataset whose labels a worker thread wrote to `file` (newline-delimited JSON, one LabelRecord
 * per line) instead of handing them over: the database reads them from there, and the thread that
 * answers requests never holds or appends a large file's rows.
 */
export interface SpooledLabelDataset extends Omit<LabelDataset, "labels"> {
  file: string;
  /** Lines in `file`. */
  rows: number;
}

/** Labels in a dataset, held or spooled. */
export function labelCount(ds: LabelDataset | SpooledLabelDataset): number {
  return "labels" in ds ? ds.labels.length : ds.rows;
}

export type LabelFormat = "ofac-sdn" | "tagpack" | "nbctf" | "csv" | "evm-labels";

export interface StoredLabel extends LabelRecord {
  dataset: string;
  sourceFile: string | null;
  sourceHash: string | null;
  importedAt: string;
}

/** Block a transaction was confirmed in. `time` is the block timestamp in Unix seconds. */
export interface BlockRef {
  height: number;
  hash: string;
  time: number;
}

export interface UtxoInput {
  vin: number;
  prevTxid: string | null;
  prevVout: number | null;
  /** Address of the spent output (null for coinbase and non-standard scripts). */
  address: string | null;
  value: Amount;
  scriptType: string | null;
  isCoinbase: boolean;
  sequence: number | null;
}

export interface SpentBy {
  txid: string;
  vin: number;
}

export interface UtxoOutput {
  vout: number;
  address: string | null;
  value: Amount;
  scriptType: string | null;
  /** Spending input when known; undefined = not asked yet, null = unspent when asked. */
  spentBy?: SpentBy | null;
}

/** The store's UTXO model of one transaction (inputs in vin order, outputs in vout order). */
export interface UtxoTx {
  chain: string;
  txid: string;
  /** null while unconfirmed. */
  block: BlockRef | null;
  fee: Amount;
  size: number | null;
  weight: number | null;
  version: number | null;
  locktime: number | null;
  inputs: UtxoInput[];
  outputs: UtxoOutput[];
}

export type TransferKind = "native" | "internal" | "token" | "fee";

/**
 * Order of transfer kinds inside one transaction: the fee first (gas is bought before the call
 * runs), then the call value, internal call values, token logs. One definition for adapters and core.
 */
export const KIND_ORDER: Readonly<Record<TransferKind, number>> = {
  fee: 0,
  native: 1,
  internal: 2,
  token: 3,
};

/** Chain order: (block, tx index, kind order, seq); txid only breaks ties a valid chain never has. */
export function compareTransfers(a: AccountTransfer, b: AccountTransfer): number {
  return (
    a.blockNumber - b.blockNumber ||
    a.txIndex - b.txIndex ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    a.seq - b.seq ||
    (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : 0)
  );
}

/** The store's account-model value move: one row per native transfer, internal call value, token log, or fee. */
export interface AccountTransfer {
  chain: string;
  txid: string;
  kind: TransferKind;
  /** Position among this tx's transfers of this kind (log index, trace order), unique per (txid, kind). */
  seq: number;
  blockNumber: number;
  blockHash: string | null;
  blockTime: number | null;
  txIndex: number;
  logIndex: number | null;
  traceAddress: string | null;
  from: string;
  to: string | null;
  /** "ETH" (native symbol) or the token's lower-case contract address. */
  asset: string;
  symbol: string | null;
  decimals: number | null;
  value: Amount;
  success: boolean;
}

/** Raw upstream bodies kept for evidence and for never asking twice for what cannot change. */
export interface RawResponse {
  source: string;
  key: string;
  /** URL with secrets redacted. */
  url: string;
  status: number;
  sha256: string;
  body: string;
}

export interface ResponseStore {
  get(source: string, key: string): Promise<RawResponse | undefined>;
  put(r: RawResponse): Promise<void>;
  /** Keeps every answer as received, with the URL (and POST body) that returned it: evidence. */
  log?(r: LoggedResponse): Promise<void>;
}

export interface LoggedResponse {
  source: string;
  /** URL with secrets redacted. */
  url: string;
  /** The request body for POSTs (JSON-RPC), "" for GETs. */
  request: string;
  status: number;
  sha256: string;
  body: string;
}
