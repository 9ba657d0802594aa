// Issue 17 point 8: every CoinJoin rule against real mainnet transactions (test/fixtures/coinjoin/README.md).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEsploraTx } from "../adapters/esplora/index.ts";
import {
  type CoinJoinKind,
  detectCoinJoin,
  isCollaborative,
  WASABI1_LAST_BLOCK_TIME,
} from "../src/core/coinjoin.ts";
import { type AddressType, DevChain } from "../src/devchain/bitcoin.ts";
import type { UtxoTx } from "../src/domain.ts";

const FIXTURES = new URL("./fixtures/coinjoin/", import.meta.url);
const mainnet = (file: string): UtxoTx =>
  parseEsploraTx(JSON.parse(readFileSync(new URL(file, FIXTURES), "utf8")));

describe("real mainnet transactions", () => {
  it("a Whirlpool mix with a P2WSH output (f0537c65) is a mix: the server takes any bech32 address", () => {
    const tx = mainnet("whirlpool-mix-0.05-p2wsh-f0537c65.json");
    expect(tx.txid).toBe("f0537c6554069e5ee28641a1f253640163efe9c3cbed8a85416f0544ccd32bec");
    expect(tx.outputs.map((o) => o.scriptType)).toContain("v0_p2wsh");
    expect(detectCoinJoin(tx)).toEqual({
      kind: "whirlpool-mix",
      confidence: 95,
      reason: "5x5 Whirlpool mix at pool 0.05 BTC: 3 remixers, 2 new entrants, 1 output(s) to v0_p2wsh",
    });
  });

  it("Samourai 0.05 BTC pool mixes (2019 and later)", () => {
    for (const f of ["whirlpool-mix-0.05-323df21f.json", "whirlpool-mix-0.05-d8e3e8b6.json"]) {
      expect(detectCoinJoin(mainnet(f)), f).toMatchObject({ kind: "whirlpool-mix", confidence: 95 });
    }
    expect(detectCoinJoin(mainnet("whirlpool-mix-0.05-323df21f.json"))!.reason).toContain(
      "2 remixers, 3 new entrants",
    );
  });

  it("Ashigaru's 0.025 BTC pool: its mixes and the Tx0 that fed one of them", () => {
    for (const f of [
      "whirlpool-ashigaru-mix-0.025-5f0080e3.json",
      "whirlpool-ashigaru-mix-0.025-1394d9a5.json",
    ]) {
      expect(detectCoinJoin(mainnet(f)), f).toMatchObject({
        kind: "whirlpool-mix",
        confidence: 95,
        reason: "5x5 Whirlpool mix at pool 0.025 BTC (Ashigaru): 3 remixers, 2 new entrants",
      });
    }
    const tx0 = mainnet("whirlpool-ashigaru-tx0-0.025-18c99977.json");
    expect(detectCoinJoin(tx0)).toEqual({
      kind: "whirlpool-tx0",
      confidence: 85,
      reason:
        "Whirlpool Tx0 for pool 0.025 BTC (Ashigaru): 9 premix outputs of 2500605 sat, coordinator fee 125000 sat (vout 1), OP_RETURN",
    });
    expect(isCollaborative("whirlpool-tx0")).toBe(false);
  });

  it("a Samourai Tx0 at the 70-premix maximum", () => {
    expect(detectCoinJoin(mainnet("whirlpool-tx0-0.05-63679c9e.json"))).toMatchObject({
      kind: "whirlpool-tx0",
      reason: expect.stringContaining("70 premix outputs of 5002117 sat, coordinator fee 175000 sat"),
    });
  });

  it("a zkSNACKs WabiSabi round of 327 inputs (fb596c9f)", () => {
    expect(detectCoinJoin(mainnet("wasabi2-zksnacks-327in-fb596c9f.json"))).toEqual({
      kind: "wasabi-2",
      confidence: 95,
      reason:
        "WabiSabi round: 327 inputs and 279 outputs in descending order, 272 outputs at standard denominations, locktime 0, final sequences",
    });
  });

  it("JoinMarket: a 10-party sweep; the 2-party join stays a weak, ambiguous match", () => {
    expect(detectCoinJoin(mainnet("joinmarket-10party-6cb2433f.json"))).toMatchObject({
      kind: "joinmarket",
      confidence: 80,
      reason: "10 equal outputs of 198732961 sat and 9 change outputs from 23 inputs",
    });
    // also scored Stonewall-like by its source: the lowest JoinMarket confidence
    expect(detectCoinJoin(mainnet("joinmarket-2party-4f112abd.json"))).toMatchObject({
      kind: "joinmarket",
      confidence: 55,
    });
  });

  it("look-alikes are no CoinJoin: a Stonewall spending two postmix coins, an exchange's 143-output batch", () => {
    expect(detectCoinJoin(mainnet("stonewall-f1592e0b.json"))).toBeNull();
    const batch = mainnet("batch-withdrawal-143-3d81a6b9.json");
    expect(batch.outputs).toHaveLength(143);
    expect(detectCoinJoin(batch)).toBeNull();
  });
});

// ---- published shapes rebuilt on the devchain (no outpoints published: see the fixtures README) ----

interface Shape {
  txid: string;
  expect: CoinJoinKind | null;
  date: string;
  locktime: number;
  vin: string;
  vout: string;
}
const SHAPES = (JSON.parse(readFileSync(new URL("shapes.json", FIXTURES), "utf8")) as { shapes: Shape[] })
  .shapes;
const shape = (prefix: string) => SHAPES.find((s) => s.txid.startsWith(prefix))!;

const TYPES: Record<string, AddressType> = { w: "p2wpkh", t: "p2tr", k: "p2pkh", s: "p2sh-p2wpkh" };
function parseItems(list: string) {
  return list.split(" ").map((item) => {
    const m = /^([wtks])(\d+)(?:~([0-9a-f]+))?(?:=(\d+))?$/.exec(item);
    if (!m) throw new Error(`bad shape item ${item}`);
    return { type: TYPES[m[1]!]!, value: BigInt(m[2]!), sequence: m[3], same: m[4] };
  });
}

/** The shape as a devchain transaction: each input a coin of its own wallet, outputs to fresh addresses. */
function rebuild(s: Shape, opts: { startHeight?: number; startTime?: number } = {}): UtxoTx {
  const chain = new DevChain({ seed: `shape-${s.txid}-${opts.startTime ?? 0}`, ...opts });
  const ins = parseItems(s.vin);
  const outs = parseItems(s.vout);
  const sequences = new Set(ins.map((i) => i.sequence ?? "ffffffff"));
  expect(sequences.size).toBe(1); // the devchain signs every input with one nSequence
  const coins = ins.map((i, k) => chain.fund(chain.wallet(`in${k}`).newAddress(i.type), i.value));
  chain.mine();
  const addresses: string[] = [];
  const to = outs.map((o, k) => {
    const address =
      o.same === undefined ? chain.wallet(`out${k}`).newAddress(o.type) : addresses[Number(o.same)]!;
    addresses.push(address);
    return { address, value: o.value };
  });
  const fee = ins.reduce((a, i) => a + i.value, 0n) - outs.reduce((a, o) => a + o.value, 0n);
  expect(fee).toBeGreaterThan(0n);
  const sent = chain.send({
    from: coins,
    to,
    fee,
    locktime: s.locktime,
    sequence: Number.parseInt([...sequences][0]!, 16),
  });
  chain.mine();
  const tx = parseEsploraTx(chain.esploraTx(sent.txid));
  expect(tx.inputs.map((i) => i.value)).toEqual(ins.map((i) => i.value));
  expect(tx.outputs.map((o) => o.value)).toEqual(outs.map((o) => o.value));
  return tx;
}

describe("real rounds rebuilt from their published shapes", () => {
  it("WabiSabi rounds of 8, 22 and 23 inputs (coordinators after zkSNACKs) are Wasabi 2", () => {
    const small = detectCoinJoin(rebuild(shape("3dac69b9")));
    expect(small).toMatchObject({ kind: "wasabi-2", confidence: 70 });
    expect(small!.reason).toContain("8 inputs and 6 outputs");
    expect(detectCoinJoin(rebuild(shape("75b47375")))).toMatchObject({ kind: "wasabi-2", confidence: 85 });
    expect(detectCoinJoin(rebuild(shape("e85631f9")))).toMatchObject({ kind: "wasabi-2", confidence: 85 });
  });

  it("batches that crocs-muni's WabiSabi detector took for rounds are not: RBF sequences, one script paid 12 times", () => {
    for (const p of ["280d9dc3", "aeca125b"]) {
      const s = shape(p);
      expect(s.expect).toBeNull();
      expect(detectCoinJoin(rebuild(s)), p).toBeNull();
    }
  });

  it("Whirlpool surge mixes of 8 and 9 participants at the 0.001 BTC pool", () => {
    expect(detectCoinJoin(rebuild(shape("f82fa771")))).toMatchObject({
      kind: "whirlpool-mix",
      confidence: 85,
      reason: "8x8 Whirlpool mix at pool 0.001 BTC: 6 remixers, 2 new entrants",
    });
    expect(detectCoinJoin(rebuild(shape("f540e8d8")))).toMatchObject({
      kind: "whirlpool-mix",
      reason: "9x9 Whirlpool mix at pool 0.001 BTC: 7 remixers, 2 new entrants",
    });
  });

  it("a Wasabi 1 round of 2019 is Wasabi 1; the same shape mined after zkSNACKs stopped (June 2024) is not", () => {
    const ww1 = shape("5e20c289");
    // the corpus gives the date, not the height: 590,000 is below the real one
    const tx = rebuild(ww1, { startHeight: 590_000, startTime: Date.UTC(2019, 8, 8) / 1000 });
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "wasabi-1", confidence: 90 });
    expect(m!.reason).toContain("65 equal outputs of 10040008 sat");
    expect(m!.reason).toBe(
      "ZeroLink round: 65 equal outputs of 10040008 sat (~0.1 BTC), 93 inputs, 43 unique-value outputs (change, coordinator fee), Wasabi 1.1 mixing levels: 26x level 1, 16x level 2, 5x level 3, 2x level 4",
    );
    const late = rebuild(ww1, { startHeight: 846_000, startTime: WASABI1_LAST_BLOCK_TIME });
    expect(late.block!.time).toBeGreaterThanOrEqual(WASABI1_LAST_BLOCK_TIME);
    expect(detectCoinJoin(late)).toBeNull();
  });
});
