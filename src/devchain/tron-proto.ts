/**
 * Tron's transaction encoding, for the local TronGrid-compatible chain: `raw_data` as java-tron's
 * protobuf (`Transaction.raw`), so `raw_data_hex` and `txID = sha256(raw_data_hex)` are real. Only the
 * contract types the devchain issues are declared; field numbers are java-tron's (protocol/Tron.proto,
 * protocol/contract/*.proto). A test encodes real TronGrid transactions and gets their raw_data_hex
 * and txID back byte for byte.
 */
import { createHash } from "node:crypto";
import protobuf from "protobufjs";

const PROTO = `
syntax = "proto3";
package protocol;
message Any { string type_url = 1; bytes value = 2; }
message TransferContract { bytes owner_address = 1; bytes to_address = 2; int64 amount = 3; }
message TransferAssetContract {
  bytes asset_name = 1; bytes owner_address = 2; bytes to_address = 3; int64 amount = 4;
}
message TriggerSmartContract {
  bytes owner_address = 1; bytes contract_address = 2; int64 call_value = 3; bytes data = 4;
  int64 call_token_value = 5; int64 token_id = 6;
}
message FreezeBalanceV2Contract { bytes owner_address = 1; int64 frozen_balance = 2; int32 resource = 3; }
message Contract {
  int32 type = 1; Any parameter = 2; bytes provider = 3; bytes ContractName = 4; int32 Permission_id = 5;
}
message TransactionRaw {
  bytes ref_block_bytes = 1; int64 ref_block_num = 3; bytes ref_block_hash = 4; int64 expiration = 8;
  bytes data = 10; repeated Contract contract = 11; int64 timestamp = 14; int64 fee_limit = 18;
}
message BlockHeaderRaw {
  int64 timestamp = 1; bytes txTrieRoot = 2; bytes parentHash = 3; int64 number = 7; int64 witness_id = 8;
  bytes witness_address = 9; int32 version = 10;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const type = (name: string) => root.lookupType(`protocol.${name}`);

/** java-tron's ContractType numbers for the types the devchain issues. */
export const CONTRACT_TYPES = {
  TransferContract: 1,
  TransferAssetContract: 2,
  TriggerSmartContract: 31,
  FreezeBalanceV2Contract: 54,
} as const;
export type ContractTypeName = keyof typeof CONTRACT_TYPES;

/** FreezeBalanceV2's resource enum as TronGrid prints it. */
const RESOURCES: Record<string, number> = { BANDWIDTH: 0, ENERGY: 1, TRON_POWER: 2 };

/** `raw_data.contract[0]` as TronGrid prints it (addresses `41…` hex, amounts JSON numbers). */
export interface RawContractJson {
  type: ContractTypeName;
  parameter: { value: Record<string, string | number | bigint>; type_url: string };
  Permission_id?: number;
}

export interface RawDataJson {
  contract: RawContractJson[];
  ref_block_bytes: string;
  ref_block_hash: string;
  expiration: number;
  timestamp?: number;
  fee_limit?: number;
  data?: string;
}

const hex = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "hex"));
const int = (v: string | number | bigint | undefined) => (v === undefined ? undefined : String(v));

/** A contract's parameter value in the protobuf's field names and types. */
function valueFields(c: RawContractJson): Record<string, unknown> {
  const v = c.parameter.value;
  const s = (k: string) => (v[k] === undefined ? undefined : String(v[k]));
  switch (c.type) {
    case "TransferContract":
      return {
        owner_address: hex(s("owner_address")),
        to_address: hex(s("to_address")),
        amount: int(v.amount),
      };
    case "TransferAssetContract":
      return {
        // TronGrid's v1 list prints the TRC-10 id as text; the protobuf holds its ASCII bytes
        asset_name: Buffer.from(s("asset_name") ?? "", "utf8"),
        owner_address: hex(s("owner_address")),
        to_address: hex(s("to_address")),
        amount: int(v.amount),
      };
    case "TriggerSmartContract":
      return {
        owner_address: hex(s("owner_address")),
        contract_address: hex(s("contract_address")),
        call_value: int(v.call_value),
        data: hex(s("data")),
        call_token_value: int(v.call_token_value),
        token_id: int(v.token_id),
      };
    case "FreezeBalanceV2Contract":
      return {
        owner_address: hex(s("owner_address")),
        frozen_balance: int(v.frozen_balance),
        resource: RESOURCES[s("resource") ?? "BANDWIDTH"],
      };
  }
}

/** `raw_data` as java-tron serialises it. */
export function encodeRawData(raw: RawDataJson): Uint8Array {
  const contracts = raw.contract.map((c) => {
    const t = type(c.type);
    const value = t.encode(t.fromObject(valueFields(c))).finish();
    return {
      type: CONTRACT_TYPES[c.type],
      parameter: { type_url: c.parameter.type_url, value },
      Permission_id: c.Permission_id,
    };
  });
  const T = type("TransactionRaw");
  return T.encode(
    T.fromObject({
      ref_block_bytes: hex(raw.ref_block_bytes),
      ref_block_hash: hex(raw.ref_block_hash),
      expiration: int(raw.expiration),
      data: hex(raw.data),
      contract: contracts,
      timestamp: int(raw.timestamp),
      fee_limit: int(raw.fee_limit),
    }),
  ).finish();
}

export const sha256Hex = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/** raw_data_hex and the txID (sha256 of the raw bytes). */
export function txIdOf(raw: RawDataJson): { rawDataHex: string; txID: string } {
  const bytes = encodeRawData(raw);
  return { rawDataHex: Buffer.from(bytes).toString("hex"), txID: sha256Hex(bytes) };
}

export interface BlockHeaderJson {
  number: number;
  txTrieRoot: string;
  witness_address: string;
  parentHash: string;
  version: number;
  timestamp: number;
}

/** blockID: the header's sha256 with its first 8 bytes replaced by the block number (java-tron BlockId). */
export function blockIdOf(h: BlockHeaderJson): string {
  const T = type("BlockHeaderRaw");
  const bytes = T.encode(
    T.fromObject({
      timestamp: int(h.timestamp),
      txTrieRoot: hex(h.txTrieRoot),
      parentHash: hex(h.parentHash),
      number: int(h.number),
      witness_address: hex(h.witness_address),
      version: h.version,
    }),
  ).finish();
  return BigInt(h.number).toString(16).padStart(16, "0") + sha256Hex(bytes).slice(16);
}
