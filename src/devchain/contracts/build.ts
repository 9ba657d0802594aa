/**
 * Compiles the devchain contracts with solc-js (wasm, offline) and writes `<Name>.json` (ABI + bytecode)
 * next to each source, so tests and demos never need the compiler at runtime.
 * Run after editing a .sol file: `npx tsx src/devchain/contracts/build.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc") as { compile(input: string): string; version(): string };

const DIR = fileURLToPath(new URL("./", import.meta.url));
const SOURCES = ["TestUSDT.sol", "Forwarder.sol"];

const input = {
  language: "Solidity",
  sources: Object.fromEntries(SOURCES.map((f) => [f, { content: readFileSync(DIR + f, "utf8") }])),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // Pinned so the committed bytecode does not change with the compiler's default target.
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};

interface Output {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

const out = JSON.parse(solc.compile(JSON.stringify(input))) as Output;
const errors = (out.errors ?? []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
for (const file of SOURCES) {
  for (const [name, c] of Object.entries(out.contracts[file] ?? {})) {
    const artifact = {
      contractName: name,
      source: file,
      compiler: `solc ${solc.version()}`,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
    };
    writeFileSync(`${DIR}${name}.json`, `${JSON.stringify(artifact, null, 2)}\n`);
    console.log(`wrote ${name}.json (${c.evm.bytecode.object.length / 2} bytes)`);
  }
}
