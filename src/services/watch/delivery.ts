import axios from "axios";
import { backoffDelay, type FailureInfo, type RetryPolicy, shouldRetry } from "../../../adapters/retry.ts";
import { classify, failureReason } from "../../../adapters/transport.ts";
import { VERSION } from "../../config.ts";
import type { Logger } from "../../log.ts";
import { redactUrl } from "../../redact.ts";
import type { AlertStore, DueDelivery } from "../../store/alerts.ts";
import type { Alert, AlertService } from "./alerts.ts";
import { groupBy } from "./build.ts";
import { Ticker } from "./ticker.ts";
import { SIGNATURE_HEADER, signature } from "./webhooks.ts";

/** What a webhook receives: the alert without its delivery and acknowledgement state (those change). */
export interface WebhookBody {
  type: "fundtrace.alert";
  alert: Omit<Alert, "status" | "ackedAt" | "delivery">;
}

export function webhookBody(a: Alert): WebhookBody {
  const { status: _s, ackedAt: _a, delivery: _d, ...alert } = a;
  return { type: "fundtrace.alert", alert };
}

export interface DeliveryOptions {
  /** Attempts after the first and their backoff (adapters/retry.ts rules). */
  retry: RetryPolicy;
  timeoutMs?: number;
  /** How often the outbox is looked at when nothing woke the loop. */
  pollMs?: number;
  log?: Logger;
  /** Runs a pass outside the caller's store transaction (Store.detached). */
  detach: <T>(fn: () => T) => T;
}

const BATCH = 50;

/**
 * Posts each pending outbox row to its webhook, signed; a 2xx answer marks it delivered, a failure
 * worth retrying (shouldRetry) is tried again after backoffDelay, anything else or the last retry
 * marks it failed. State lives in the outbox, so a restart carries on where the last process stopped:
 * an alert is delivered at least once (a receiver deduplicates by the alert id).
 */
export class Deliverer {
  private readonly ticker: Ticker;

  constructor(
    private readonly db: AlertStore,
    private readonly alerts: AlertService,
    private readonly o: DeliveryOptions,
  ) {
    this.ticker = new Ticker(
      () => this.deliverDue(),
      () => this.db.nextDue(),
      () => this.o.pollMs ?? 2000,
      (e) => this.o.log?.error({ err: String(e) }, "webhook delivery pass failed"),
      o.detach,
    );
  }

  start(): void {
    this.ticker.start();
  }

  /** Looks at the outbox now (new alerts were written). */
  wake(): void {
    this.ticker.wake();
  }

  /** Logs deliveries here from now on (the command that runs the loop has the logger). */
  useLog(log: Logger): void {
    this.o.log = log;
  }

  async stop(): Promise<void> {
    await this.ticker.stop();
  }

  /** One pass over what is due now; deliveries to different webhooks run side by side. Returns attempts made. */
  async deliverDue(): Promise<number> {
    let made = 0;
    for (;;) {
      const due = await this.db.due(new Date(), BATCH);
      if (due.length === 0) return made;
      const byHook = groupBy(due, (d) => d.webhookId);
      await Promise.all(
        [...byHook.values()].map(async (list) => {
          for (const d of list) await this.deliver(d);
        }),
      );
      made += due.length;
      if (due.length < BATCH) return made;
    }
  }

  private async deliver(d: DueDelivery): Promise<void> {
    const body = JSON.stringify(webhookBody(await this.alerts.view(d.alertId)));
    const t = Math.floor(Date.now() / 1000);
    let failure: FailureInfo | undefined;
    let status = 0;
    try {
      const res = await axios.post(d.url, body, {
        timeout: this.o.timeoutMs ?? 10_000,
        maxRedirects: 0,
        responseType: "text",
        transformResponse: (x: unknown) => x,
        validateStatus: () => true,
        headers: {
          "content-type": "application/json",
          "user-agent": `fundtrace/${VERSION}`,
          [SIGNATURE_HEADER]: signature(d.secret, t, body),
          "X-Fundtrace-Alert": d.alertId,
        },
      });
      status = res.status;
      if (res.status < 200 || res.status > 299)
        failure = { status: res.status, retryAfter: res.headers["retry-after"] as string | undefined };
    } catch (e) {
      failure = classify(e);
    }
    const now = new Date();
    const where = { alertId: d.alertId, webhookId: d.webhookId };
    if (!failure) {
      await this.db.attempted(where, {
        status: "delivered",
        next: now,
        httpStatus: status,
        error: null,
        now,
      });
      this.o.log?.info(
        { alert: d.alertId, webhook: d.webhookId, attempt: d.attempts + 1 },
        "alert delivered",
      );
      return;
    }
    const reason = failure.status !== undefined ? `HTTP ${failure.status}` : failureReason(failure);
    const retry = shouldRetry(failure) && d.attempts < this.o.retry.maxRetries;
    const next = new Date(now.getTime() + (retry ? backoffDelay(d.attempts, failure, this.o.retry) : 0));
    const error = retry
      ? `${reason} (attempt ${d.attempts + 1}; retrying)`
      : `${reason} after ${d.attempts + 1} attempt${d.attempts ? "s" : ""}${shouldRetry(failure) ? "" : " (not retried)"}`;
    await this.db.attempted(where, {
      status: retry ? "pending" : "failed",
      next,
      httpStatus: failure.status ?? null,
      error,
      now,
    });
    this.o.log?.warn(
      { alert: d.alertId, webhook: d.webhookId, url: redactUrl(d.url), attempt: d.attempts + 1, error },
      retry ? "alert delivery failed; will retry" : "alert delivery failed",
    );
  }
}
