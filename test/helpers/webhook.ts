import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Listening, listen } from "../../src/listen.ts";

export interface Received {
  body: string;
  json: any;
  headers: IncomingMessage["headers"];
  /** What the receiver answered (0: it held the request and never answered). */
  answered: number;
  /** The signature checked out against the secret, within 5 minutes of now. */
  verified: boolean;
}

/**
 * Verifies `X-Fundtrace-Signature: t=<unix>,v1=<hex>` the way docs/watch.md tells a receiver to:
 * HMAC-SHA256 of "<t>.<raw body>" with the shared secret, compared in constant time, t recent.
 */
export function verify(secret: string, header: string | undefined, body: string, now = Date.now()): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > 300 || !parts.v1) return false;
  const want = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const got = Buffer.from(parts.v1, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * A webhook receiver on 127.0.0.1 that records every request. `answers` are the statuses it gives in
 * turn (then 200); "hold" keeps a request open without answering (a server killed mid-delivery).
 */
export async function startReceiver(secret: string, answers: (number | "hold")[] = []) {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const queue = [...answers];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const answer = queue.shift() ?? 200;
      const r: Received = {
        body,
        json: JSON.parse(body),
        headers: req.headers,
        answered: answer === "hold" ? 0 : answer,
        verified: verify(secret, req.headers["x-fundtrace-signature"] as string | undefined, body),
      };
      received.push(r);
      if (answer === "hold") {
        held.push(res);
        return;
      }
      res.writeHead(answer, { "content-type": "text/plain" }).end(answer < 300 ? "ok" : "no");
    });
  });
  const l: Listening = await listen(server, { dropConnections: true });
  return {
    url: `${l.url}/hook`,
    received,
    /** Distinct alert ids answered 2xx. */
    acknowledged: () => [
      ...new Set(received.filter((r) => r.answered >= 200 && r.answered < 300).map((r) => r.json.alert.id)),
    ],
    close: async () => {
      for (const r of held) r.destroy();
      await l.close();
    },
  };
}

/** Waits until `cond` holds (checked every 50 ms), failing after `ms`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  ms = 30_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
