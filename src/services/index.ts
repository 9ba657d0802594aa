import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createEsploraSource } from "../../adapters/esplora/index.ts";
import { createEtherscanSource } from "../../adapters/etherscan/index.ts";
import { createEvmRpcSource } from "../../adapters/evm-rpc/index.ts";
import type { ChainSource } from "../../adapters/source.ts";
import type { RetryEvent } from "../../adapters/transport.ts";
import { createTronGridSource, createTronNodeSource } from "../../adapters/tron/index.ts";
import { getChain } from "../chains.ts";
import { type Config, DEFAULT_LABELS_DIR, VERSION } from "../config.ts";
import { BadInputError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { Store } from "../store/db.ts";
import { DbResponseStore } from "../store/utxo.ts";
import { AddressService } from "./addresses.ts";
import { AuditService } from "./audit.ts";
import { CaseService } from "./cases.ts";
import { ClusterService } from "./cluster.ts";
import { EvidenceService } from "./evidence.ts";
import { IngestService } from "./ingest.ts";
import { JobService } from "./jobs.ts";
import { type ImportFormat, type ImportResult, LabelService } from "./labels.ts";
import { QueryService } from "./queries.ts";
import { ScreenService } from "./screen.ts";
import { TraceService } from "./trace.ts";
import { WatchService } from "./watch/index.ts";

/** The one place where store, adapters and core meet. API and CLI only talk to this. */
export interface Services {
  version: string;
  config: Config;
  store: Store;
  labels: LabelService;
  screen: ScreenService;
  addresses: AddressService;
  ingest: IngestService;
  clusters: ClusterService;
  traces: TraceService;
  queries: QueryService;
  cases: CaseService;
  evidence: EvidenceService;
  audit: AuditService;
  jobs: JobService;
  /** Watchlists, schedules, alerts and webhooks. */
  watch: WatchService;
  /** The configured data source for a chain (one per chain, shared counters). */
  source(chain: string): ChainSource;
  log: Logger | undefined;
  close(): void;
}

export type Progress = (done: number, total: number, what: string) => void;

export type { RetryEvent };

export interface ServicesOptions {
  log?: Logger;
  progress?: Progress;
  onRetry?: (e: RetryEvent) => void;
  /**
   * For commands that only read: open the file read-only when it is ready to be read as it is
   * (exists, current schema, labels imported), so several can run at once; otherwise read-write.
   */
  readOnly?: boolean;
}

/** The store, read-only when asked and the file needs no write first (migration, default labels). */
async function openStore(config: Config, readOnly: boolean | undefined): Promise<[Store, boolean]> {
  if (readOnly && config.db !== ":memory:" && existsSync(config.db)) {
    const ro = await Store.open(config.db, { readOnly: true });
    const ready =
      (await ro.schemaVersion()) === Store.latestVersion() &&
      (!config.defaultLabels || (await new LabelService(ro).imports()).length > 0);
    if (ready) return [ro, true];
    ro.close();
  }
  return [await Store.open(config.db), false];
}

export async function createServices(config: Config, opts: ServicesOptions = {}): Promise<Services> {
  const [store, readOnly] = await openStore(config, opts.readOnly);
  const labels = new LabelService(store);
  const sources = new Map<string, ChainSource>();
  const responses = new DbResponseStore(store);
  const source = (chainName: string): ChainSource => {
    const chain = getChain(chainName);
    if (config.offline)
      throw new BadInputError(`offline: no upstream requests for ${chain.name} (drop --offline to fetch)`);
    let s = sources.get(chain.name);
    if (s) return s;
    // What every source shares: timeouts, retry rules, retry events, the response store.
    const transport = {
      responses,
      timeoutMs: config.httpTimeoutMs,
      retry: { baseDelayMs: config.retryBaseMs, maxRetries: config.maxRetries },
      onRetry: opts.onRetry,
      ...(config.rps ? { rps: config.rps } : {}),
    };
    if (chain.family === "bitcoin") {
      s = createEsploraSource({ ...transport, baseUrl: config.esploraUrl, chain: chain.name });
    } else if (chain.family === "evm" && (config.etherscanUrl || config.etherscanKey)) {
      const url = config.etherscanUrl ?? "https://api.etherscan.io/v2/api";
      s = createEtherscanSource({
        baseUrl: url,
        apiKey: config.etherscanKey,
        chain: chain.name,
        chainId: config.evmChainId ?? chain.chainId,
        nativeSymbol: chain.symbol,
        // a key or an etherscan.io URL means Etherscan v2; a keyless other URL is a Blockscout instance
        flavor:
          config.etherscanFlavor ??
          (config.etherscanKey || /etherscan\.io/.test(url) ? "etherscan-v2" : "blockscout"),
        ...transport,
      });
    } else if (chain.family === "evm" && config.evmRpcUrl) {
      s = createEvmRpcSource({
        url: config.evmRpcUrl,
        chain: chain.name,
        chainId: config.evmChainId ?? chain.chainId,
        nativeSymbol: chain.symbol,
        ...transport,
      });
    } else if (chain.family === "tron") {
      s = config.tronNodeUrl
        ? createTronNodeSource({ url: config.tronNodeUrl, ...transport })
        : createTronGridSource({ baseUrl: config.tronUrl, apiKey: config.tronKey, ...transport });
    } else if (chain.family === "evm") {
      throw new BadInputError(
        `no data source for ${chain.name}: set --etherscan-url/--etherscan-key (Etherscan v2, Blockscout) or --evm-rpc-url`,
      );
    } else {
      throw new BadInputError(
        `no data source for chain "${chain.name}" yet (Bitcoin via Esplora, EVM via Etherscan or RPC, Tron via TronGrid or a java-tron node)`,
      );
    }
    sources.set(chain.name, s);
    return s;
  };
  const jobs = new JobService(store);
  // marks jobs a stopped server left running as failed: a write
  if (!readOnly) await jobs.init();
  // built in dependency order: each service gets the ones it calls
  const ingest = new IngestService(store, source, {
    confirmations: config.evmConfirmations,
    chunkBlocks: 100_000,
    fromBlock: config.fromBlock,
    toBlock: config.toBlock,
  });
  const traces = new TraceService(store, labels, ingest, source);
  const queries = new QueryService(store, traces, ingest, (chain) => {
    try {
      source(chain);
      return true;
    } catch {
      return false;
    }
  });
  const evidence = new EvidenceService(store, labels);
  const watch = new WatchService({
    store,
    labels,
    queries,
    ingest,
    evidence,
    source,
    // webhooks are retried for hours (15 min apart at most), not seconds as upstream requests are
    delivery: {
      retry: {
        baseDelayMs: config.webhookRetryBaseMs,
        maxRetries: config.webhookMaxRetries,
        maxDelayMs: Math.max(config.webhookRetryBaseMs, 15 * 60_000),
      },
    },
    log: opts.log,
  });
  const services: Services = {
    version: VERSION,
    config,
    store,
    labels,
    screen: new ScreenService(labels, (chain, address, hops, fetch) =>
      traces.exposure(chain, address, { hops, fetch }),
    ),
    addresses: new AddressService(store, labels),
    ingest,
    clusters: new ClusterService(store, labels),
    traces,
    queries,
    cases: new CaseService(store, queries),
    evidence,
    audit: new AuditService(store),
    jobs,
    watch,
    source,
    log: opts.log,
    close: () => {
      for (const src of sources.values()) void src.close();
      store.close();
    },
  };
  if (!readOnly && config.defaultLabels && (await labels.imports()).length === 0) {
    await importDefaultLabels(services, opts.progress);
  }
  return services;
}

/** Imports the bundled label set (labels/manifest.json); files already imported are skipped by hash. */
export async function importDefaultLabels(s: Services, progress?: Progress): Promise<ImportResult[]> {
  const manifest = JSON.parse(readFileSync(join(DEFAULT_LABELS_DIR, "manifest.json"), "utf8")) as {
    files: { file: string; format: ImportFormat }[];
  };
  const out: ImportResult[] = [];
  let i = 0;
  for (const f of manifest.files) {
    progress?.(i, manifest.files.length, f.file);
    out.push(await s.labels.importFile(join(DEFAULT_LABELS_DIR, f.file), f.format));
    i++;
  }
  progress?.(i, manifest.files.length, "done");
  return out;
}
