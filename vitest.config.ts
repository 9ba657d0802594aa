import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "adapters/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    // tests run in a new order every time (the seed is printed; --sequence.seed=N repeats one), so
    // none can lean on another's side effects; files keep vitest's slowest-first scheduling
    sequence: { shuffle: { files: false, tests: true } },
    // `npm test` also runs files without isolation (--no-isolate: one module cache per worker, 180 s →
    // 130 s here); `npm run test:all`, which CI runs, keeps every file in a fresh process
    // `npm test` leaves these out (--tags-filter='!slow'); `npm run test:all` runs everything
    tags: [
      {
        name: "slow",
        description: "end-to-end runs, kills, fault runs and big property tests (npm run test:all)",
      },
    ],
  },
});
