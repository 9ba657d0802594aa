import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `npm run bench -- NAME`: runs bench/NAME.ts, prints its figures, writes bench/results/NAME.json. */
const name = process.argv[2];
const benches = [
  "screen",
  "cluster",
  "trace",
  "store",
  "ui",
  "api-race",
  "tron-ingest",
  "ingest",
  "watch",
  "api",
];
if (!name || !benches.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${benches.join(", ")})`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<Record<string, unknown>> };
const figures = await mod.run(process.argv.slice(3));
const result = {
  bench: name,
  at: new Date().toISOString(),
  node: process.version,
  machine: {
    cpus: (await import("node:os")).cpus().length,
    memGiB: Math.round((await import("node:os")).totalmem() / 2 ** 30),
  },
  ...figures,
};
const dir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
