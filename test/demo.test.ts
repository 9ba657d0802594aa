import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_EXPECTED } from "../src/demo/run.ts";
import { runBin } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();

describe("fundtrace demo", () => {
  it("runs the whole job offline and reports the terror-financing endpoint and both exchanges with non-zero amounts", {
    tags: ["slow"],
    timeout: 180_000,
  }, async () => {
    const db = join(dir, "demo.duckdb");
    const r = await runBin(["--json", "--db", db, "demo", "--no-serve"]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    // the vendor's three receiving addresses are one cluster, proven by the consolidation
    expect(rep.bitcoin.cluster.size).toBe(3);
    expect(new Set(rep.bitcoin.cluster.evidence.map((e: any) => e.heuristic))).toEqual(
      new Set(["multi-input"]),
    );
    expect(Object.values(rep.bitcoin.coinjoins).reduce((a: number, b: any) => a + b, 0)).toBe(1);
    const models = rep.bitcoin.traces.map((t: any) => t.model);
    expect(models).toEqual(["poison", "haircut", "fifo"]);
    const at = (t: any, a: string) => t.endpoints.find((e: any) => e.address === a);
    // hand-computed: peel 1 pays 0.8 BTC to exchange A at hop 2; peel 2 pays 0.25 BTC to the OFAC SDGT address at hop 3;
    // the CoinJoin (vendor input 80,000,000 of 520,500,000) dilutes haircut taint of the 79,985,000 cash-out
    const expectB: Record<string, string> = { poison: "79985000", haircut: "12293563", fifo: "79985000" };
    for (const t of rep.bitcoin.traces) {
      expect(at(t, DEMO_EXPECTED.btcExchangeA)).toMatchObject({ amount: "80000000", hops: 2, stop: true });
      expect(at(t, DEMO_EXPECTED.btcTerror)).toMatchObject({ amount: "25000000", hops: 3, stop: false });
      expect(at(t, DEMO_EXPECTED.btcTerror).categories).toContain("terrorism_financing");
      expect(at(t, DEMO_EXPECTED.btcTerror).paths[0]).toHaveLength(3);
      expect(at(t, DEMO_EXPECTED.btcExchangeB)).toMatchObject({ amount: expectB[t.model], hops: 6 });
    }
    // the token: broker holds 5,000 tainted then 5,000 clean USDT and sends 4,000 to Gaza Now
    const expectT: Record<string, string> = {
      poison: "4000000000",
      haircut: "2000000000",
      fifo: "4000000000",
    };
    for (const t of rep.token.traces) {
      const g = at(t, DEMO_EXPECTED.evmTerror);
      expect(g).toMatchObject({ amount: expectT[t.model], hops: 2, symbol: "USDT", decimals: 6 });
      expect(g.categories).toContain("terrorism_financing");
      expect(g.paths).toHaveLength(1);
    }
    // Tron: 10,000 USDT of donations; 6,000 reach a layer holding 6,000 clean USDT from an OTC desk
    // first; the layer sends 8,000 on, all of which reach the NBCTF-listed wallet
    const expectTron: Record<string, string> = {
      poison: "8000000000",
      haircut: "4000000000",
      fifo: "2000000000",
    };
    expect(rep.tron.traces.map((t: any) => t.model)).toEqual(["poison", "haircut", "fifo"]);
    for (const t of rep.tron.traces) {
      const n = at(t, DEMO_EXPECTED.tronTerror);
      expect(n).toMatchObject({
        amount: expectTron[t.model],
        hops: 3,
        asset: rep.tron.token,
        symbol: "USDT",
      });
      expect(n.categories).toContain("terrorism_financing");
      // the fake USDT spam never mixes in
      expect(t.endpoints.every((e: any) => e.asset !== rep.tron.spam.token)).toBe(true);
    }
    expect(rep.tron.token).toBe("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    expect(rep.tron.spam).toMatchObject({ balance: "10000000" });
    expect(rep.tron.spam.token).not.toBe(rep.tron.token);
    expect(["high", "severe"]).toContain(rep.bitcoin.exposure.band);
    expect(["high", "severe"]).toContain(rep.token.exposure.band);
    expect(["high", "severe"]).toContain(rep.tron.exposure.band);
    expect(rep.analyst.endpoints).toBe(3);
    // the evidence package of the saved query's run is on disk and its hashes check
    const pkg = JSON.parse(
      await readFile(join(rep.evidence.dir, "case/queries/demo-vendor/evidence.json"), "utf8"),
    );
    expect(pkg.responses.length).toBeGreaterThan(0);
    expect(pkg.unsourced).toEqual([]);
    expect(await readFile(join(rep.evidence.dir, "case/tagpack.yaml"), "utf8")).toContain(
      "darknet vendor (demo)",
    );
    expect(r.stderr).toContain("tracing the vendor's bitcoin forward");
    // the compliance view of the flagged address alone, offline on the demo database: it received
    // 76,000,000 of the 200,000,000 consolidated, so 38% of the 25,000,000 paid to the listed address
    const x = await runBin([
      "--db",
      db,
      "--offline",
      "--json",
      "exposure",
      "bitcoin",
      rep.bitcoin.flagged,
      "--hops",
      "8",
      "--direction",
      "out",
    ]);
    expect(x.code).toBe(0);
    const ex = JSON.parse(x.stdout);
    expect(ex.indirect.find((e: any) => e.category === "terrorism_financing")).toMatchObject({
      direction: "out",
      amount: "9500000",
      share: "0.1250",
    });
    expect(ex.direct).toEqual([]);
    expect(ex.risk.band).toBe("high");
  });

  it("refuses to recreate a database that holds other work", async () => {
    const { runCli } = await import("./helpers/cli.ts");
    const db = join(dir, "real.duckdb");
    const { Store } = await import("../src/store/db.ts");
    const st = await Store.open(db);
    await st.sql(
      "INSERT INTO utxo_txs (chain, txid, confirmed, fee, input_count, output_count) VALUES ('bitcoin', 'ab', true, 0, 1, 1)",
    );
    st.close();
    const r = await runCli(["--db", db, "demo", "--no-serve"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not from the demo");
    const again = await Store.open(db);
    expect((await again.sql("SELECT count(*)::INTEGER AS n FROM utxo_txs"))[0]!.n).toBe(1);
    again.close();
  });

  it("prints a readable report naming the endpoints", { tags: ["slow"], timeout: 180_000 }, async () => {
    const r = await runBin([
      "--db",
      join(dir, "demo-text.duckdb"),
      "demo",
      "--no-serve",
      "--out",
      join(dir, "ev"),
    ]);
    expect(r.code).toBe(0);
    for (const a of Object.values(DEMO_EXPECTED)) expect(r.stdout).toContain(a);
    expect(r.stdout).toMatch(/risk (HIGH|SEVERE)/);
    expect(r.stdout).toContain("0.25000000 BTC");
    expect(r.stdout).toContain("2000.000000 USDT");
    expect(r.stdout).toContain("TRON (USDT-TRC20 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t)");
    expect(r.stdout).toContain("8000.000000 USDT");
    // every command it suggests works once the demo's chains are gone
    expect(r.stdout).toContain("--offline query run demo-vendor");
    const hints = r.stdout.split("\n").filter((l) => l.includes("fundtrace --db "));
    expect(hints.length).toBeGreaterThan(4);
    for (const h of hints) expect(h).toContain(" --offline ");
  });
});
