import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { AccountStore } from "../src/store/accounts.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { tempDir } from "./helpers/tmp.ts";
import { ethTransfer } from "./helpers/transfers.ts";

// Stats that add up: Bitcoin figures are the confirmed ones with the mempool's beside them (as
// Esplora's chain_stats and mempool_stats), and a balance is never negative while called exact.
const dir = tempDir();
const chain = new DevChain({ seed: "address-stats" });
const owner = chain.wallet("owner");
const A = owner.address();
const B = chain.wallet("payee").address();
chain.fund(A, 1_000_000n);
chain.mine();

let server: EsploraServer;
let s: Services;
beforeAll(async () => {
  server = await startServer(chain);
  s = await btcServices(dir, "stats", server.url);
});
afterAll(async () => {
  s?.close();
  await server?.close();
});

describe("address stats", () => {
  it("Bitcoin: confirmed figures, with a pending spend beside them rather than summed in", async () => {
    // spent in the mempool: 400,000 to B, 599,000 change back to A, 1,000 fee
    chain.send({ from: owner, to: [{ address: B, value: 400_000n }], fee: 1_000n, changeAddress: A });
    await s.ingest.ingest("bitcoin", [A]);
    const info = await s.addresses.info("bitcoin", A);
    expect(info.stats).toMatchObject({
      txCount: 1,
      received: "1000000",
      sent: "0",
      balance: "1000000",
      exact: true,
      unconfirmedTxCount: 1,
      pending: { txCount: 1, received: "599000", sent: "1000000", balance: "-401000" },
    });
    expect(info.stats.partial).toBeUndefined();
    // Esplora's own answer for the same address says the same
    const esplora = (await (await fetch(`${server.url}/address/${A}`)).json()) as any;
    expect(String(esplora.chain_stats.funded_txo_sum)).toBe(info.stats.received);
    expect(String(esplora.mempool_stats.spent_txo_sum)).toBe(info.stats.pending!.sent);
    expect(String(esplora.mempool_stats.funded_txo_sum)).toBe(info.stats.pending!.received);
  });

  it("an address never ingested is not exact, and says why", async () => {
    const info = await s.addresses.info("bitcoin", B);
    expect(info.stats).toMatchObject({ received: "0", exact: false });
    expect(info.stats.partial).toBe("never ingested: only what other stored histories show");
  });

  it("an account that sent more than its stored history received is not exact (pre-funded, genesis)", async () => {
    const P = "0x00000000000000000000000000000000000000aa";
    const Q = "0x00000000000000000000000000000000000000bb";
    // a pre-funded account (as anvil's and a genesis allocation are) pays 5 ETH and a fee
    const paid = { txid: "0x01", from: P };
    await new AccountStore(s.store).writeTransfers([
      ethTransfer({ ...paid, to: Q, value: 5_000_000_000_000_000_000n }),
      ethTransfer({ ...paid, kind: "fee", to: null, value: 21_000_000_000_000n }),
    ]);
    await s.store.sql(
      "INSERT INTO sync_cursors (source, chain, address, cursor, tip_height, updated_at) VALUES ('test', 'ethereum', $p, '1', 1, current_timestamp)",
      { p: P },
    );
    const info = await s.addresses.info("ethereum", P);
    expect(info.stats).toMatchObject({
      sent: "5000021000000000000",
      balance: "-5000021000000000000",
      exact: false,
    });
    expect(info.stats.partial).toMatch(
      /^sent more ETH than the stored history received: a genesis or pre-funded/,
    );
    const payee = await s.addresses.info("ethereum", Q);
    expect(payee.stats).toMatchObject({ balance: "5000000000000000000", exact: false });
    expect(payee.stats.partial).toBe("never ingested: only what other stored histories show");
  });
});
