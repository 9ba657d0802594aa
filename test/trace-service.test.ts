import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevChain } from "../src/devchain/bitcoin.ts";
import { DevChain as Chain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import type { ScreenResult } from "../src/services/screen.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let chain: DevChain;
let server: EsploraServer;
let s: Services;
// each test that changes a database's labels or its expanded graph has its own
let warm: Services;
let exp: Services;
let scr: Services;

/** A vendor's coins peel through two hops into an exchange deposit; nothing is ingested beforehand. */
function peel() {
  const c = new Chain({ seed: "peel" });
  const vendor = c.wallet("vendor");
  const hop1 = c.wallet("hop1");
  const hop2 = c.wallet("hop2");
  const exch = c.wallet("exchange");
  const V = vendor.address();
  const u = c.fund(V, 1_000_000n);
  c.mine();
  const t1 = c.send({
    from: [u],
    to: [
      { address: hop1.address(), value: 900_000n },
      { address: c.wallet("shop").address(), value: 99_000n },
    ],
    fee: 1_000n,
  });
  c.mine();
  const t2 = c.send({
    from: hop1,
    to: [
      { address: hop2.address(), value: 800_000n },
      { address: c.wallet("x").address(), value: 99_000n },
    ],
    fee: 1_000n,
  });
  c.mine();
  const E = exch.address();
  const t3 = c.send({ from: hop2, to: [{ address: E, value: 799_000n }], fee: 1_000n });
  c.mine();
  return { c, V, E, t1, t2, t3 };
}

const sc = peel();
const csv = (rows: string) =>
  Buffer.from(`chain,address,label,category,source,confidence,program,reference,cluster_defining\n${rows}\n`);
/** Services on a fresh database that knows the exchange; nothing is expanded yet. */
async function traceServices(name: string): Promise<Services> {
  const t = await btcServices(dir, name, server.url);
  await t.labels.importBytes(
    csv(`bitcoin,${sc.E},Test Exchange,exchange,test,50,,,false`),
    "exch.csv",
    "csv",
  );
  return t;
}
beforeAll(async () => {
  chain = sc.c;
  server = await startServer(chain);
  s = await traceServices("trace");
  warm = await traceServices("trace-warm");
  await warm.traces.trace({ chain: "bitcoin", addresses: [sc.V], model: "haircut", maxHops: 5 });
  exp = await traceServices("exposure");
  scr = await traceServices("screen");
  const [hop1, hop2] = [sc.t1.outputs[0]!.address!, sc.t2.outputs[0]!.address!];
  await scr.labels.importBytes(
    csv(`bitcoin,${hop2},Terror wallet,terrorism_financing,test,60,,,false`),
    "tf.csv",
    { format: "csv", dataset: "tf" }, // exch.csv has the same source: a dataset of its own
  );
  await scr.labels.importBytes(
    csv(`bitcoin,${hop1},SDN party,sanction,OFAC,60,SDGT,,false`),
    "sdn.csv",
    "csv",
  );
});
afterAll(async () => {
  for (const t of [s, warm, exp, scr]) t?.close();
  await server?.close();
});

describe("trace service with on-demand expansion", () => {
  it("follows a peel chain into an exchange through the local Esplora, then repeats with 0 requests", async () => {
    const r = await s.traces.trace({ chain: "bitcoin", addresses: [sc.V], model: "haircut", maxHops: 5 });
    const ex = r.endpoints.find((e) => e.address === sc.E);
    expect(ex).toBeDefined();
    // haircut: 900000/1000000 of the vendor's coin to hop1, all of hop1 (800000/900000 after fee share), all to E
    // t1: in 1,000,000 fully tainted → hop1 output 900,000 tainted
    // t2: in 900,000 tainted of 900,000 → hop2 output 800,000 tainted
    // t3: in 800,000 tainted → E gets 799,000 tainted
    expect(ex!.amount).toBe(799_000n);
    expect(ex!.stop).toBe(true);
    expect(ex!.hops).toBe(3);
    expect(ex!.paths[0]!.hops.map((h) => h.txid)).toEqual([sc.t1.txid, sc.t2.txid, sc.t3.txid]);
    expect(r.stats.requests).toBeGreaterThan(0);
    server.resetStats();
    const again = await s.traces.trace({ chain: "bitcoin", addresses: [sc.V], model: "haircut", maxHops: 5 });
    expect(server.stats.total).toBe(0);
    expect(again.stats.requests).toBe(0);
    expect(again.endpoints.map((e) => [e.address, e.amount])).toEqual(
      r.endpoints.map((e) => [e.address, e.amount]),
    );
  });

  it("answers POST /v1/trace with amounts as decimal strings, and the CLI prints the report", async () => {
    const { createApp } = await import("../src/api/app.ts");
    const res = await createApp(warm).request("/v1/trace", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chain: "bitcoin", address: sc.V, model: "fifo", maxHops: 5 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    const ex = body.endpoints.find((e: any) => e.address === sc.E);
    expect(ex.amount).toBe("799000");
    expect(body.stats.requests).toBe(0);
    const bad = await createApp(warm).request("/v1/trace", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chain: "bitcoin", address: sc.V, maxHops: 20 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toContain("hop limit too high");
  });

  it("computes exposure and a risk band: indirect terror financing is high, a direct sanctioned counterparty severe", async () => {
    const hop2 = sc.t2.outputs[0]!.address!;
    await exp.labels.importBytes(
      Buffer.from(
        `chain,address,label,category,source,confidence,program,reference,cluster_defining\nbitcoin,${hop2},Terror wallet,terrorism_financing,test,60,,,false\n`,
      ),
      "tf.csv",
      { format: "csv", dataset: "tf" }, // exch.csv has the same source: a dataset of its own
    );
    const r = await exp.traces.exposure("bitcoin", sc.V, { hops: 3, direction: "out" });
    const tf = r.indirect.find((e) => e.category === "terrorism_financing");
    // haircut: hop2 received 800,000 of the vendor's 1,000,000 → 80%
    expect(tf).toMatchObject({ direction: "out", amount: 800_000n, share: "0.8000" });
    expect(r.risk.band).toBe("high");
    const hop1 = sc.t1.outputs[0]!.address!;
    await exp.labels.importBytes(
      Buffer.from(
        `chain,address,label,category,source,confidence,program,reference,cluster_defining\nbitcoin,${hop1},SDN party,sanction,OFAC,60,SDGT,,false\n`,
      ),
      "sdn.csv",
      "csv",
    );
    const r2 = await exp.traces.exposure("bitcoin", sc.V, { hops: 3, direction: "out" });
    expect(r2.direct.find((e) => e.category === "sanction")).toMatchObject({
      amount: 900_000n,
      share: "0.9000",
    });
    expect(r2.risk.band).toBe("severe");
    const { createApp } = await import("../src/api/app.ts");
    const api = (await (
      await createApp(exp).request(`/v1/addresses/bitcoin/${sc.V}/exposure?hops=3&direction=out`)
    ).json()) as any;
    expect(api.risk.band).toBe("severe");
    expect(api.direct.find((e: any) => e.category === "sanction").amount).toBe("900000");
  });

  it("screening includes exposure when asked", async () => {
    const plain = await scr.screen.screen([{ chain: "bitcoin", address: sc.V }]);
    expect((plain.results[0] as ScreenResult).risk.band).toBe("none");
    const withExp = await scr.screen.screen([{ chain: "bitcoin", address: sc.V }], { exposureHops: 3 });
    expect((withExp.results[0] as ScreenResult).risk.band).toBe("severe");
    expect((withExp.results[0] as ScreenResult).risk.reasons.join(" ")).toContain(
      "direct outgoing exposure to sanction",
    );
  });

  it("rejects a hop limit too high and a bad address before anything happens", async () => {
    await expect(s.traces.trace({ chain: "bitcoin", addresses: [sc.V], maxHops: 13 })).rejects.toThrow(
      /hop limit too high: 13/,
    );
    await expect(
      s.traces.trace({ chain: "bitcoin", addresses: ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"] }),
    ).rejects.toThrow(/checksum/);
  });
});
