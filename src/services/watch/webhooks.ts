import { createHash, createHmac, randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP, Socket } from "node:net";
import { BadInputError, NotFoundError } from "../../errors.ts";
import { redactUrl } from "../../redact.ts";
import type { AlertStore, WebhookRow } from "../../store/alerts.ts";

/** The header that carries `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = "X-Fundtrace-Signature";
export const MIN_SECRET_LENGTH = 16;
const CONNECT_TIMEOUT_MS = 5000;

/** HMAC-SHA256 over the timestamp, a dot and the body, as the signature header carries it. */
export function signature(secret: string, timestamp: number, body: string): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

/** What `webhook list` shows instead of a secret: enough to tell two secrets apart, nothing to sign with. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 16)}`;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || (isIP(h) === 4 && h.startsWith("127."));
}

/** A webhook URL: https, or http to this machine only; no URL that a secret could leak through. */
export function checkWebhookUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new BadInputError(
      `webhook URL "${redactUrl(raw)}" is not a URL (e.g. https://hooks.example.org/fundtrace)`,
    );
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new BadInputError(`webhook URL must be https:// (got ${u.protocol}//)`);
  if (u.protocol === "http:" && !isLoopback(u.hostname))
    throw new BadInputError(
      `webhook URL must use https for a remote host (http is allowed for 127.0.0.1, ::1 and localhost only): ${redactUrl(raw)}`,
    );
  return u;
}

/** Connects to the URL's host and port once (no request), so an unreachable receiver is named now. */
export async function checkReachable(u: URL): Promise<void> {
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  const shown = `${u.host}`;
  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch (cause) {
      throw new BadInputError(`cannot reach webhook host ${host}: DNS lookup failed`, { cause });
    }
  }
  await new Promise<void>((resolve, reject) => {
    const sock = new Socket();
    const done = (e?: Error) => {
      sock.destroy();
      if (e) reject(e);
      else resolve();
    };
    sock.setTimeout(CONNECT_TIMEOUT_MS, () =>
      done(
        new BadInputError(`cannot reach webhook ${shown}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`),
      ),
    );
    sock.once("error", (cause: NodeJS.ErrnoException) =>
      done(
        new BadInputError(
          `cannot reach webhook ${shown}: ${cause.code === "ECONNREFUSED" ? "connection refused" : (cause.code ?? cause.message)}`,
          { cause },
        ),
      ),
    );
    sock.connect(port, address, () => done());
  });
}

export interface Webhook {
  id: string;
  /** Credentials and key-like query parameters redacted. */
  url: string;
  fingerprint: string;
  createdAt: string;
  deliveries: { pending: number; delivered: number; failed: number };
  lastError: string | null;
}

function toWebhook(w: WebhookRow): Webhook {
  return {
    id: w.id,
    url: redactUrl(w.url),
    fingerprint: w.fingerprint,
    createdAt: w.createdAt,
    deliveries: { pending: w.pending, delivered: w.delivered, failed: w.failed },
    lastError: w.lastError,
  };
}

/** Where alerts are posted. The secret is stored to sign with and never shown again. */
export class WebhookService {
  constructor(private readonly db: AlertStore) {}

  async add(rawUrl: string, secret: string): Promise<Webhook> {
    const u = checkWebhookUrl(rawUrl);
    if (secret.length < MIN_SECRET_LENGTH)
      throw new BadInputError(`a webhook secret must be at least ${MIN_SECRET_LENGTH} characters`);
    await checkReachable(u);
    const id = `wh-${randomBytes(4).toString("hex")}`;
    await this.db.insertWebhook({
      id,
      url: u.toString(),
      secret,
      fingerprint: fingerprint(secret),
      now: new Date(),
    });
    return this.get(id);
  }

  async list(): Promise<Webhook[]> {
    return (await this.db.webhooks()).map(toWebhook);
  }

  async get(id: string): Promise<Webhook> {
    const w = (await this.db.webhooks()).find((x) => x.id === id);
    if (!w) throw new NotFoundError(`no webhook ${id}`);
    return toWebhook(w);
  }

  /** Removes it and its pending deliveries. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.db.deleteWebhook(id);
  }
}
