import { readFile, writeFile } from "node:fs/promises";
import { Command, CommanderError, Option } from "commander";
import { type Config, loadConfig, VERSION } from "../config.ts";
import { BadInputError, type FundtraceError, isBadInput } from "../errors.ts";
import { createLogger } from "../log.ts";
import { redactSecrets } from "../redact.ts";
import type { Heuristic } from "../services/cluster.ts";
import { createServices, importDefaultLabels, type Services } from "../services/index.ts";
import { gapNotes, validateIngestInput } from "../services/ingest.ts";
import { type ImportFormat, type ImportResult, LABEL_FORMATS } from "../services/labels.ts";
import type { ScreenItem } from "../services/screen.ts";
import { type TraceRequest, validateTrace } from "../services/trace.ts";
import { traceCsv, traceGraphml, traceTable } from "../services/trace-format.ts";
import { defaultIO, type IO, ProgressReporter, table, toJson } from "./output.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

interface GlobalOpts {
  db?: string;
  json?: boolean;
  esploraUrl?: string;
  evmRpcUrl?: string;
  etherscanUrl?: string;
  etherscanKey?: string;
  etherscanFlavor?: string;
  tronUrl?: string;
  rps?: string;
  chainId?: string;
  defaultLabels?: boolean;
  offline?: boolean;
}

/** Parses `chain,address` lines (blank lines, `#` comments and a header line are skipped). */
export function parseScreenLines(text: string): ScreenItem[] {
  const items: ScreenItem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parts = line.split(/[,\t ]+/).filter(Boolean);
    if (i === 0 && parts[0]?.toLowerCase() === "chain" && parts[1]?.toLowerCase() === "address") return;
    if (parts.length !== 2) throw new BadInputError(`line ${i + 1}: expected "chain,address", got "${line}"`);
    items.push({ chain: parts[0]!, address: parts[1]! });
  });
  return items;
}

async function readInput(file: string | undefined, io: IO): Promise<string> {
  if (file && file !== "-") {
    try {
      return await readFile(file, "utf8");
    } catch (cause) {
      throw new BadInputError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

interface TraceOpts {
  direction: "forward" | "backward";
  hops: string;
  model: "poison" | "haircut" | "fifo";
  minValue?: string;
  stopAt: string;
  to?: string;
  maxAddresses: string;
}

/** The trace options of SPEC, shared by `trace` and `query save`. */
function withTraceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--direction <d>", "forward: where it went; backward: where it came from")
        .choices(["forward", "backward"])
        .default("forward"),
    )
    .option("--hops <n>", "hop limit (max 12)", "5")
    .addOption(
      new Option("--model <m>", "taint model").choices(["poison", "haircut", "fifo"]).default("haircut"),
    )
    .option("--min-value <amount>", "ignore taint below this many base units")
    .option("--stop-at <categories>", "report and do not follow these categories", "exchange")
    .option("--to <targets>", "link search: only paths ending at these categories or addresses")
    .option("--max-addresses <n>", "expansion budget", "500");
}

function toTraceRequest(chain: string, addresses: string[], o: TraceOpts): TraceRequest {
  const hops = Number(o.hops);
  const maxAddresses = Number(o.maxAddresses);
  if (!Number.isInteger(hops)) throw new BadInputError(`--hops must be a whole number, got "${o.hops}"`);
  if (!Number.isInteger(maxAddresses))
    throw new BadInputError(`--max-addresses must be a whole number, got "${o.maxAddresses}"`);
  const to = (o.to ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const isCategory = (x: string) => /^[a-z_]+$/.test(x);
  return {
    chain,
    addresses,
    direction: o.direction,
    maxHops: hops,
    model: o.model,
    minValue: o.minValue,
    stopAt: o.stopAt
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
    targets: o.to
      ? { categories: to.filter(isCategory), addresses: to.filter((x) => !isCategory(x)) }
      : undefined,
    maxAddresses,
  };
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad input). */
export async function main(argv: string[], io: IO = defaultIO()): Promise<number> {
  let services: Services | undefined;
  let config: Config | undefined;
  const program = new Command();
  const write = (s: string) => io.stdout.write(s);
  const globals = (): GlobalOpts => program.opts<GlobalOpts>();
  const progress = () => new ProgressReporter(io, Boolean(globals().json));

  const open = async (extra: Record<string, unknown> = {}): Promise<Services> => {
    if (services) return services;
    const g = globals();
    // commander sets defaultLabels=true unless --no-default-labels: only the flag may override the env
    config = loadConfig({
      ...g,
      defaultLabels: g.defaultLabels === false ? false : undefined,
      evmChainId: g.chainId,
      ...extra,
    });
    const p = progress();
    services = await createServices(config, {
      progress: (d, t, w) => p.update(d, t, `importing default labels: ${w}`),
      // Retries as they happen ("esplora: 429 from mempool.space, retry 2/6 in 1.4 s"); silent under --json.
      onRetry: (e) => {
        if (!globals().json) io.stderr.write(`${e.message}\n`);
      },
    });
    return services;
  };
  const out = (json: unknown, text: () => string) => {
    write(globals().json ? `${toJson(json)}\n` : text());
  };

  program
    .name("fundtrace")
    .description("Trace crypto flows to exchanges, sanctioned parties and terror-financing wallets.")
    .version(VERSION)
    .option("--db <path>", "DuckDB file (env FUNDTRACE_DB)", undefined)
    .option("--json", "machine output on stdout (same document as the API)")
    .option("--esplora-url <url>", "Esplora API base (env FUNDTRACE_ESPLORA_URL)")
    .option("--evm-rpc-url <url>", "EVM JSON-RPC node (env FUNDTRACE_EVM_RPC_URL)")
    .option("--etherscan-url <url>", "Etherscan-compatible API (env FUNDTRACE_ETHERSCAN_URL)")
    .option("--etherscan-key <key>", "Etherscan API key (env ETHERSCAN_API_KEY)")
    .option(
      "--etherscan-flavor <f>",
      "etherscan-v2 or blockscout (env FUNDTRACE_ETHERSCAN_FLAVOR; default: v2 with a key)",
    )
    .option("--tron-url <url>", "TronGrid API (env FUNDTRACE_TRON_URL)")
    .option("--rps <n>", "requests per second per source")
    .option("--chain-id <id>", "EVM chain id for Etherscan v2 (env FUNDTRACE_EVM_CHAIN_ID)")
    .option("--no-default-labels", "do not import the bundled label set into an empty database")
    .option("--offline", "never ask an upstream source; use what is stored (env FUNDTRACE_OFFLINE=1)")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const labels = program.command("labels").description("import, list and export attribution labels");
  labels
    .command("import")
    .description("load labels from files (format sniffed when omitted); --defaults loads the bundled set")
    .argument("[files...]", "label files (.xml[.bz2], .yaml[.gz], .csv, .json)")
    .addOption(new Option("--format <format>", "file format").choices([...LABEL_FORMATS]))
    .option("--defaults", "import the bundled default label set")
    .action(async (files: string[], o: { format?: ImportFormat; defaults?: boolean }) => {
      if (files.length === 0 && !o.defaults)
        throw new BadInputError("give label files to import, or --defaults");
      const s = await open();
      const results: ImportResult[] = [];
      if (o.defaults) results.push(...(await importDefaultLabels(s)));
      const p = progress();
      for (const [i, f] of files.entries()) {
        p.update(i, files.length, f);
        results.push(await s.labels.importFile(f, o.format));
      }
      if (files.length) p.update(files.length, files.length, "done");
      out({ imports: results }, () =>
        table(
          ["file", "dataset", "format", "rows", "skipped", "note"],
          results.map((r) => [
            r.sourceFile,
            r.dataset,
            r.format,
            r.rows,
            r.skipped,
            r.unchanged ? "unchanged (same file)" : "",
          ]),
        ),
      );
    });
  labels
    .command("list")
    .description("show stored labels")
    .option("--chain <chain>")
    .option("--category <category>")
    .option("--dataset <dataset>")
    .option("--limit <n>", "rows to show", "100")
    .action(async (o: { chain?: string; category?: string; dataset?: string; limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new BadInputError(`--limit must be a positive integer, got "${o.limit}"`);
      const s = await open();
      const r = await s.labels.list({ chain: o.chain, category: o.category, dataset: o.dataset, limit });
      out(
        r,
        () =>
          table(
            ["chain", "address", "category", "label", "source", "conf", "program"],
            r.labels.map((l) => [l.chain, l.address, l.category, l.label, l.source, l.confidence, l.program]),
          ) + `${r.labels.length} of ${r.total} labels\n`,
      );
    });
  labels
    .command("export")
    .description("share labels as a GraphSense TagPack (YAML) or CSV")
    .addOption(new Option("--format <format>").choices(["tagpack", "csv"]).default("tagpack"))
    .option("--chain <chain>")
    .option("--category <category>")
    .option("-o, --output <file>", "write to a file instead of stdout")
    .action(async (o: { format: "tagpack" | "csv"; chain?: string; category?: string; output?: string }) => {
      const s = await open();
      const text = await s.labels.export(o.format, { chain: o.chain, category: o.category });
      if (o.output) await writeFile(o.output, text);
      else write(text);
    });

  program
    .command("screen")
    .description("screen `chain,address` lines against every label (FILE or - for stdin)")
    .argument("[file]", "file with one chain,address per line; - or none reads stdin")
    .option("--exposure-hops <n>", "also compute exposure up to N hops (traces stored data, may fetch)")
    .action(async (file: string | undefined, o: { exposureHops?: string }) => {
      if (o.exposureHops !== undefined && !/^\d+$/.test(o.exposureHops)) {
        throw new BadInputError(`--exposure-hops must be a whole number, got "${o.exposureHops}"`);
      }
      const items = parseScreenLines(await readInput(file, io));
      if (items.length === 0) throw new BadInputError("no chain,address lines to screen");
      const s = await open();
      const r = await s.screen.screen(items, {
        exposureHops: o.exposureHops === undefined ? undefined : Number(o.exposureHops),
      });
      out(r, () =>
        table(
          ["chain", "address", "sanctioned", "risk", "categories", "labels"],
          r.results.map((x) => [
            x.chain,
            x.address,
            x.sanctioned ? "YES" : "no",
            x.risk.band,
            x.categories.join(","),
            [...new Set(x.labels.map((l) => (l.program ? `${l.label} [${l.program}]` : l.label)))].join("; "),
          ]),
        ),
      );
    });

  program
    .command("ingest")
    .description("pull the full history of these addresses (incremental on rerun)")
    .argument("<chain>", "bitcoin, ethereum (or another EVM chain)")
    .argument("<addresses...>")
    .option("--from-block <n>", "EVM: first block to read (default: genesis, or where the last run stopped)")
    .option("--to-block <n>", "EVM: last block to read (default: tip less FUNDTRACE_EVM_CONFIRMATIONS)")
    .action(async (chain: string, addresses: string[], o: { fromBlock?: string; toBlock?: string }) => {
      validateIngestInput(chain, addresses);
      const s = await open({ fromBlock: o.fromBlock, toBlock: o.toBlock });
      const p = progress();
      const r = await s.ingest.ingest(chain, addresses, (d, t, w) => p.update(d, t, w));
      out(
        r,
        () =>
          table(
            ["address", "new/changed txs", "unconfirmed", "corrected", "pages", "state"],
            r.addresses.map((a) => [
              a.address,
              a.written,
              a.mempool,
              a.corrected,
              a.pages,
              a.upToDate ? "up to date" : "updated",
            ]),
          ) +
          `${r.requests} upstream requests (${r.retries} retries) to ${r.source}\n` +
          gapNotes(r.gaps),
      );
    });

  const cluster = program
    .command("cluster")
    .description("(re)compute clusters of a chain, or show one with its evidence")
    .argument("[chain]", "bitcoin")
    .option("--heuristics <list>", "multi-input[,change]", "multi-input")
    .option("--full", "recompute from scratch instead of adding new transactions")
    .option("--service-threshold <n>", "clusters this large are flagged as services", "1000")
    .action(
      async (
        chain: string | undefined,
        o: { heuristics: string; full?: boolean; serviceThreshold: string },
      ) => {
        if (!chain) throw new BadInputError("give a chain: fundtrace cluster bitcoin");
        const threshold = Number(o.serviceThreshold);
        if (!Number.isInteger(threshold) || threshold < 2)
          throw new BadInputError(`--service-threshold must be an integer >= 2`);
        const heuristics = o.heuristics.split(",").map((h) => h.trim()) as Heuristic[];
        const s = await open();
        const p = progress();
        const r = await s.clusters.cluster(chain, {
          heuristics,
          full: o.full,
          serviceThreshold: threshold,
          progress: (d, t, w) => p.update(d, t, w),
        });
        out(
          r,
          () =>
            [
              `${r.chain}: ${r.transactions} new transactions, ${r.merges} merges, ${r.clusters} clusters (largest ${r.largest})`,
              `CoinJoins not merged: ${
                Object.entries(r.coinjoins)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(", ") || "none"
              }`,
              `change guesses: ${r.changeGuesses}`,
            ].join("\n") + "\n",
        );
      },
    );
  cluster
    .command("show")
    .description("one address's cluster: members, labels, evidence")
    .argument("<chain>")
    .argument("<address>")
    .action(async (chain: string, address: string) => {
      const s = await open();
      const c = await s.clusters.show(chain, address);
      out(c, () => {
        const lines = [
          `cluster ${c.id} on ${c.chain}: ${c.size} addresses${c.isService ? " (likely a service)" : ""}`,
        ];
        for (const m of c.members.slice(0, 50)) lines.push(`  member ${m}`);
        if (c.members.length > 50) lines.push(`  … ${c.members.length - 50} more`);
        for (const l of c.labels) lines.push(`  label ${l.address}: ${l.category} ${l.label} (${l.source})`);
        for (const e of c.evidence.slice(0, 50))
          lines.push(`  merge ${e.heuristic} in ${e.txid}: ${e.addresses[0]} + ${e.addresses[1]}`);
        return lines.join("\n") + "\n";
      });
    });

  withTraceOptions(
    program
      .command("trace")
      .description("follow funds hop by hop to exchanges, sanctioned and terror-linked wallets")
      .argument("<chain>")
      .argument("<addresses...>"),
  )
    .addOption(
      new Option("--format <f>", "output").choices(["table", "json", "csv", "graphml"]).default("table"),
    )
    .option("--evidence <dir>", "also write the evidence package (JSON, CSV, GraphML, raw bodies) here")
    .action(
      async (chain: string, addresses: string[], o: TraceOpts & { format: string; evidence?: string }) => {
        const req = toTraceRequest(chain, addresses, o);
        validateTrace(req);
        const s = await open();
        const p = progress();
        const r = await s.traces.trace(req, (round, what) => p.update(round, round + 1, what));
        if (o.evidence) {
          const pkg = await s.evidence.build(req, r);
          await s.evidence.writeDir(o.evidence, pkg, r);
          io.stderr.write(
            `evidence package: ${o.evidence}/evidence.json (${pkg.responses.length} upstream responses, ${pkg.unsourced.length} refs unsourced)\n`,
          );
        }
        const fmt = globals().json ? "json" : o.format;
        write(
          fmt === "json"
            ? `${toJson(r)}\n`
            : fmt === "csv"
              ? traceCsv(r)
              : fmt === "graphml"
                ? traceGraphml(r)
                : traceTable(r) + gapNotes(r.stats.gaps),
        );
      },
    );

  program
    .command("exposure")
    .description("direct and indirect exposure by category, in and out, with a risk score and band")
    .argument("<chain>")
    .argument("<address>")
    .option("--hops <n>", "indirect exposure up to N hops (max 12)", "3")
    .addOption(
      new Option("--direction <d>", "in, out or both").choices(["in", "out", "both"]).default("both"),
    )
    .addOption(
      new Option("--model <m>", "taint model").choices(["poison", "haircut", "fifo"]).default("haircut"),
    )
    .option("--max-addresses <n>", "expansion budget", "500")
    .action(
      async (
        chain: string,
        address: string,
        o: {
          hops: string;
          direction: "in" | "out" | "both";
          model: "poison" | "haircut" | "fifo";
          maxAddresses: string;
        },
      ) => {
        const hops = Number(o.hops);
        const maxAddresses = Number(o.maxAddresses);
        if (!Number.isInteger(hops))
          throw new BadInputError(`--hops must be a whole number, got "${o.hops}"`);
        if (!Number.isInteger(maxAddresses) || maxAddresses < 1)
          throw new BadInputError(`--max-addresses must be a whole number ≥ 1, got "${o.maxAddresses}"`);
        const s = await open();
        const r = await s.traces.exposure(chain, address, {
          hops,
          direction: o.direction,
          model: o.model,
          maxAddresses,
        });
        out(r, () => {
          const rows = [
            ...r.direct.map((e) => ({ ...e, kind: "direct" })),
            ...r.indirect.map((e) => ({ ...e, kind: "indirect" })),
          ];
          return (
            [
              `exposure of ${r.address} on ${r.chain} (${o.model}, ${hops} hops): risk ${r.risk.band.toUpperCase()} (${r.risk.score})${r.truncated ? " TRUNCATED by the address budget" : ""}`,
              ...r.risk.reasons.map((x) => `  - ${x}`),
              rows.length
                ? table(
                    ["kind", "dir", "category", "amount", "asset", "share", "addresses"],
                    rows.map((e) => [
                      e.kind,
                      e.direction,
                      e.category,
                      e.amount.toString(),
                      e.asset,
                      e.share,
                      e.addresses,
                    ]),
                  )
                : "  no labelled counterparties within reach\n",
            ].join("\n") + gapNotes(r.gaps)
          );
        });
      },
    );

  const query = program
    .command("query")
    .description("saved trace queries: save, run (with the difference from the last run), list, show");
  query
    .command("save")
    .description(
      "save trace parameters under a name: fundtrace query save NAME -- CHAIN ADDRESS... [trace options]",
    )
    .argument("<name>")
    .argument("<traceArgs...>")
    .allowUnknownOption()
    .action(async (name: string, traceArgs: string[]) => {
      const sub = withTraceOptions(new Command("trace").argument("<chain>").argument("<addresses...>"))
        .exitOverride()
        .configureOutput({ writeOut: (x) => io.stdout.write(x), writeErr: (x) => io.stderr.write(x) });
      let req: TraceRequest | undefined;
      sub.action((chain: string, addresses: string[], o: TraceOpts) => {
        req = toTraceRequest(chain, addresses, o);
      });
      sub.parse(traceArgs, { from: "user" });
      if (!req) throw new BadInputError("give the trace arguments after --: CHAIN ADDRESS... [options]");
      const s = await open();
      const saved = await s.queries.save(name, req);
      out(
        saved,
        () => `saved query "${saved.name}": ${saved.params.chain} ${saved.params.addresses.join(" ")}\n`,
      );
    });
  query
    .command("run")
    .description("pull what is new, trace again, store the run and show what changed")
    .argument("<name>")
    .action(async (name: string) => {
      const s = await open();
      const r = await s.queries.run(name);
      out(r, () => {
        const lines = [
          `run ${r.id} of "${name}": ${r.endpoints.length} endpoints (digest ${r.digest.slice(0, 16)}…)`,
        ];
        for (const e of r.endpoints)
          lines.push(`  ${e.address}  ${e.amount} ${e.asset}  hop ${e.hops}  ${e.categories.join(",")}`);
        if (!r.diff) lines.push("  first run: nothing to compare");
        else {
          for (const e of r.diff.newEndpoints)
            lines.push(`  NEW endpoint ${e.address} ${e.amount} ${e.asset}`);
          for (const c of r.diff.changedAmounts)
            lines.push(`  CHANGED ${c.address} ${c.previous} -> ${c.current} (${c.delta}) ${c.asset}`);
          for (const n of r.diff.newPaths) lines.push(`  NEW path to ${n.address}: ${n.path}`);
          for (const e of r.diff.goneEndpoints) lines.push(`  GONE ${e.address}`);
          if (
            !r.diff.newEndpoints.length &&
            !r.diff.changedAmounts.length &&
            !r.diff.newPaths.length &&
            !r.diff.goneEndpoints.length
          ) {
            lines.push("  no change since the last run");
          }
        }
        return lines.join("\n") + "\n";
      });
    });
  query
    .command("list")
    .description("saved queries")
    .action(async () => {
      const s = await open();
      const qs = await s.queries.list();
      out({ queries: qs }, () =>
        table(
          ["name", "chain", "addresses", "runs", "last run"],
          qs.map((q) => [q.name, q.params.chain, q.params.addresses.join(" "), q.runs, q.lastRun ?? "-"]),
        ),
      );
    });
  query
    .command("show")
    .description("a saved query and its runs")
    .argument("<name>")
    .action(async (name: string) => {
      const s = await open();
      const q = await s.queries.get(name);
      const runs = await s.queries.runs(name);
      out(
        { ...q, runs },
        () =>
          [
            `${q.name}: ${JSON.stringify(q.params)}`,
            ...runs.map((r) => `  run ${r.id} ${r.finishedAt} ${r.endpoints.length} endpoints`),
          ].join("\n") + "\n",
      );
    });

  query
    .command("evidence")
    .description("the evidence package of a run (default: the latest): JSON, CSV, GraphML and raw bodies")
    .argument("<name>")
    .option("--run <id>", "run id (default: latest)")
    .option("--out <dir>", "write the package folder here (default: print the JSON)")
    .action(async (name: string, o: { run?: string; out?: string }) => {
      const s = await open();
      const d = await s.queries.runDetail(name, o.run);
      const pkg = await s.evidence.forRun(d);
      if (!o.out) {
        write(`${toJson(pkg)}\n`);
        return;
      }
      const files = await s.evidence.writeDir(o.out, pkg, d.trace);
      out(
        { dir: o.out, files, responses: pkg.responses.length },
        () => `wrote ${files.length} files to ${o.out}\n`,
      );
    });

  const kase = program.command("case").description("cases: flagged wallets, notes and saved queries");
  kase
    .command("create")
    .argument("<name>")
    .option("--title <t>", "title")
    .option("--description <d>", "description")
    .action(async (name: string, o: { title?: string; description?: string }) => {
      const s = await open();
      const c = await s.cases.create(name, o);
      out(c, () => `created case "${c.name}": ${c.title}\n`);
    });
  kase.command("list").action(async () => {
    const s = await open();
    const cs = await s.cases.list();
    out({ cases: cs }, () =>
      table(
        ["name", "title", "wallets", "queries", "notes", "updated"],
        cs.map((c) => [c.name, c.title, c.wallets, c.queries, c.notes, c.updatedAt]),
      ),
    );
  });
  kase
    .command("show")
    .argument("<name>")
    .action(async (name: string) => {
      const s = await open();
      const c = await s.cases.get(name);
      out(c, () => {
        const lines = [`case ${c.name}: ${c.title}${c.description ? ` (${c.description})` : ""}`];
        for (const w of c.wallets)
          lines.push(
            `  wallet ${w.chain} ${w.address}  ${w.category ?? "-"}  ${w.label ?? ""}${w.note ? `  (${w.note})` : ""}`,
          );
        for (const q of c.queries)
          lines.push(`  query ${q.name}: ${q.chain} ${q.addresses.join(" ")}  last run ${q.lastRun ?? "-"}`);
        for (const n of c.notes) lines.push(`  note ${n.createdAt}: ${n.text}`);
        return lines.join("\n") + "\n";
      });
    });
  kase
    .command("add-wallet")
    .description("flag a wallet in the case")
    .argument("<name>")
    .argument("<chain>")
    .argument("<address>")
    .option("--label <l>", "what the wallet is (e.g. the vendor's name)")
    .option("--category <c>", "TagPack category (e.g. market, terrorism, sanction)")
    .option("--note <n>", "note")
    .action(
      async (
        name: string,
        chain: string,
        address: string,
        o: { label?: string; category?: string; note?: string },
      ) => {
        const s = await open();
        const w = await s.cases.addWallet(name, chain, address, o);
        out(w, () => `flagged ${w.chain} ${w.address} in case "${name}"\n`);
      },
    );
  kase
    .command("note")
    .argument("<name>")
    .argument("<text...>")
    .action(async (name: string, text: string[]) => {
      const s = await open();
      const n = await s.cases.addNote(name, text.join(" "));
      out(n, () => `noted in case "${name}"\n`);
    });
  kase
    .command("add-query")
    .description("attach a saved query to the case")
    .argument("<name>")
    .argument("<query>")
    .action(async (name: string, queryName: string) => {
      const s = await open();
      await s.cases.addQuery(name, queryName);
      out(await s.cases.get(name), () => `query "${queryName}" added to case "${name}"\n`);
    });
  kase
    .command("export")
    .description("the case's attributions as a TagPack, and each query's latest run as an evidence package")
    .argument("<name>")
    .requiredOption("--out <dir>", "folder to write")
    .action(async (name: string, o: { out: string }) => {
      const s = await open();
      const files = await s.cases.exportTo(name, o.out, s.evidence);
      out({ dir: o.out, files }, () => `wrote ${files.length} files to ${o.out}\n`);
    });

  program
    .command("audit")
    .description("the audit log of API writes, newest first")
    .option("--limit <n>", "entries", "100")
    .action(async (o: { limit: string }) => {
      const n = Number(o.limit);
      if (!Number.isInteger(n) || n < 1)
        throw new BadInputError(`--limit must be a whole number ≥ 1, got "${o.limit}"`);
      const s = await open();
      const es = await s.audit.list(n);
      out({ entries: es }, () =>
        table(
          ["at", "key", "action", "target", "status"],
          es.map((e) => [e.at, e.keyId, e.action, e.target ?? "", e.status]),
        ),
      );
    });

  program
    .command("address")
    .description("what is known of one address: labels, cluster, stats")
    .argument("<chain>")
    .argument("<address>")
    .action(async (chain: string, address: string) => {
      const s = await open();
      const info = await s.addresses.info(chain, address);
      out(info, () => {
        const lines = [`${info.chain} ${info.address}`];
        lines.push(
          `  transactions ${info.stats.txCount}  received ${info.stats.received}  sent ${info.stats.sent}  balance ${info.stats.balance} (${info.stats.asset} base units)`,
        );
        lines.push(`  first seen ${info.stats.firstSeen ?? "-"}  last seen ${info.stats.lastSeen ?? "-"}`);
        lines.push(`  cluster ${info.cluster ? `${info.cluster.id} (${info.cluster.size} addresses)` : "-"}`);
        if (info.labels.length === 0) lines.push("  no labels");
        for (const l of info.labels)
          lines.push(`  label ${l.category}: ${l.label} (${l.source}${l.program ? `, ${l.program}` : ""})`);
        return lines.join("\n") + "\n";
      });
    });

  program
    .command("serve")
    .description("the HTTP API (default 127.0.0.1:8080)")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--port <port>", "port", "8080")
    .action(async (o: { host: string; port: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new BadInputError(`--port must be 0..65535, got "${o.port}"`);
      const s = await open();
      const { startServer } = await import("../api/server.ts");
      const log = createLogger(config?.logLevel);
      const srv = await startServer(s, { host: o.host, port, apiKeys: config?.apiKeys ?? [], log });
      io.stderr.write(`fundtrace API listening on ${srv.url} (OpenAPI: ${srv.url}/openapi.json)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          srv.close().then(resolve, resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });

  program
    .command("demo")
    .description(
      "the whole job offline: local Bitcoin (Esplora) and EVM (anvil) chains with a darknet vendor's money, ingest, cluster, trace, report, evidence, API",
    )
    .option("--no-serve", "exit after the report instead of serving the API")
    .option("--host <host>", "API interface", "127.0.0.1")
    .option("--port <port>", "API port (0: any free port)", "8080")
    .option("--out <dir>", "evidence folder (default: demo-evidence beside the database)")
    .action(async (o: { serve: boolean; host: string; port: string; out?: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new BadInputError(`--port must be 0..65535, got "${o.port}"`);
      const { runDemo, demoText } = await import("../demo/run.ts");
      const db = globals().db ?? process.env.FUNDTRACE_DEMO_DB ?? "./data/demo.duckdb";
      const demo = await runDemo({ db, out: o.out, progress: (line) => io.stderr.write(`… ${line}\n`) });
      try {
        out(demo.report, () => demoText(demo.report));
        if (!o.serve) return;
        const { startServer } = await import("../api/server.ts");
        let srv: Awaited<ReturnType<typeof startServer>>;
        try {
          srv = await startServer(demo.services, { host: o.host, port, apiKeys: [] });
        } catch (e) {
          if (!(e instanceof BadInputError)) throw e;
          io.stderr.write(`${e.message}; using a free port instead\n`);
          srv = await startServer(demo.services, { host: o.host, port: 0, apiKeys: [] });
        }
        const r = demo.report;
        const u = srv.url;
        const lines = [
          "",
          `fundtrace API on ${u} (the local chains stay up; Ctrl-C stops everything). Try:`,
          `  curl ${u}/v1/health`,
          `  curl ${u}/v1/addresses/bitcoin/${r.bitcoin.flagged}`,
          `  curl ${u}/v1/clusters/bitcoin/${r.bitcoin.flagged}`,
          `  curl '${u}/v1/addresses/bitcoin/${r.bitcoin.flagged}/exposure?hops=8&direction=out'`,
          `  curl -X POST ${u}/v1/trace -H 'content-type: application/json' -d '{"chain":"bitcoin","address":"${r.bitcoin.flagged}","model":"fifo","maxHops":8}'`,
          `  curl -X POST ${u}/v1/trace -H 'content-type: application/json' -d '{"chain":"anvil","address":"${r.token.flagged}","model":"poison","maxHops":4}'`,
          `  curl ${u}/v1/queries/demo-vendor/runs`,
          `  curl ${u}/v1/cases/demo`,
          `  curl '${u}/v1/queries/demo-vendor/runs/latest/evidence?format=graphml' > demo.graphml`,
          `  ${u}/openapi.json lists every route`,
          "",
        ];
        io.stderr.write(lines.join("\n"));
        await new Promise<void>((resolve) => {
          const stop = () => {
            srv.close().then(resolve, resolve);
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
      } finally {
        await demo.stop();
      }
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0)
        return EXIT_OK;
      return EXIT_BAD_INPUT;
    }
    const secrets = [config?.etherscanKey, ...(config?.apiKeys ?? [])];
    const msg = redactSecrets(e instanceof Error ? e.message : String(e), secrets);
    if (globals().json)
      io.stderr.write(
        `${toJson({ error: { code: (e as FundtraceError).code ?? "INTERNAL", message: msg } })}\n`,
      );
    else io.stderr.write(`fundtrace: ${msg}\n`);
    return isBadInput(e) ? EXIT_BAD_INPUT : EXIT_FAILURE;
  } finally {
    services?.close();
  }
}
