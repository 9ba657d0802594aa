import { fileURLToPath } from "node:url";

/** A real third-party sample kept for tests (test/fixtures/README.md names its source and licence). */
export const fixture = (rel: string): string => fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url));

/** A file of the default label set bundled with fundtrace (labels/README.md names its source). */
export const bundled = (rel: string): string =>
  fileURLToPath(new URL(`../../labels/${rel}`, import.meta.url));
