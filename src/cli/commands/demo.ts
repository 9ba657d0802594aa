import type { Command } from "commander";
import type { DemoReport } from "../../demo/run.ts";
import type { Cli } from "../context.ts";
import { numberArg, PORT } from "../options.ts";
import { serveUntilStopped } from "./serve.ts";

/** The web UI's pages for the demo's flagged wallets. */
export function demoUiUrls(u: string, r: DemoReport): string[] {
  const q = (o: Record<string, string>, addresses: string[]) => {
    const p = new URLSearchParams(o);
    for (const a of addresses) p.append("address", a);
    return p.toString();
  };
  return [
    `${u}/ui/address?${q({ chain: "bitcoin" }, [r.bitcoin.flagged])}`,
    `${u}/ui/trace?${q({ chain: "bitcoin", hops: "8", model: "haircut" }, r.bitcoin.cluster.members)}`,
    `${u}/ui/trace?${q({ chain: r.token.chain, hops: "4", model: "poison" }, [r.token.flagged])}`,
    `${u}/ui/cases?name=demo`,
  ];
}

/** What to open and try against the demo's server. */
function tryThese(u: string, r: DemoReport): string {
  const post = (body: string) =>
    `curl -X POST ${u}/v1/trace -H 'content-type: application/json' -d '${body}'`;
  const [address, btcTrace, tokenTrace, demoCase] = demoUiUrls(u, r);
  return [
    "",
    `Open the web UI in a browser: ${u}/ui`,
    `  the flagged vendor wallet:      ${address}`,
    `  where the vendor's bitcoin went: ${btcTrace}`,
    `  where the vendor's USDT went:    ${tokenTrace}`,
    `  the case:                        ${demoCase}`,
    "",
    `fundtrace API on ${u} (the local chains stay up; Ctrl-C stops everything). Try:`,
    `  curl -X POST '${u}/v1/trace/export?format=html' -H 'content-type: application/json' -d '{"chain":"bitcoin","address":"${r.bitcoin.flagged}","maxHops":8}' > report.html`,
    `  curl ${u}/v1/health`,
    `  curl ${u}/v1/addresses/bitcoin/${r.bitcoin.flagged}`,
    `  curl ${u}/v1/clusters/bitcoin/${r.bitcoin.flagged}`,
    `  curl '${u}/v1/addresses/bitcoin/${r.bitcoin.flagged}/exposure?hops=8&direction=out'`,
    `  ${post(`{"chain":"bitcoin","address":"${r.bitcoin.flagged}","model":"fifo","maxHops":8}`)}`,
    `  ${post(`{"chain":"anvil","address":"${r.token.flagged}","model":"poison","maxHops":4}`)}`,
    `  curl ${u}/v1/queries/demo-vendor/runs`,
    `  curl ${u}/v1/cases/demo`,
    `  curl '${u}/v1/queries/demo-vendor/runs/latest/evidence?format=graphml' > demo.graphml`,
    `  ${u}/openapi.json lists every route`,
    "",
  ].join("\n");
}

interface DemoFlags {
  serve: boolean;
  host: string;
  port: number;
  out?: string;
}

/** `demo`: the whole job offline on local chains, then the API over the result. */
export function demoCommand(program: Command, cli: Cli): void {
  program
    .command("demo")
    .description(
      "the whole job offline: local Bitcoin (Esplora) and EVM (anvil) chains with a darknet vendor's money, ingest, cluster, trace, report, evidence, API",
    )
    .option("--no-serve", "exit after the report instead of serving the API")
    .option("--host <host>", "API interface", "127.0.0.1")
    .option("--port <port>", "API port (0: any free port)", numberArg("--port", PORT), 8080)
    .option("--out <dir>", "evidence folder (default: demo-evidence beside the database)")
    .action(async (o: DemoFlags) => {
      const { runDemo, demoText } = await import("../../demo/run.ts");
      const db = cli.globals.db ?? process.env.FUNDTRACE_DEMO_DB ?? "./data/demo.duckdb";
      const demo = await runDemo({ db, out: o.out, progress: (line) => cli.io.stderr.write(`… ${line}\n`) });
      try {
        cli.out(demo.report, () => demoText(demo.report));
        if (!o.serve) return;
        const opts = { host: o.host, port: o.port, apiKeys: [], anyPortIfTaken: true };
        await serveUntilStopped(cli, demo.services, opts, (url) => tryThese(url, demo.report));
      } finally {
        await demo.stop();
      }
    });
}
