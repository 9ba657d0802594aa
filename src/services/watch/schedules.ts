import type { ScheduleKind, ScheduleRow, WatchStore } from "../../store/watch.ts";
import { DEFAULT_ALERT_ON, formatEvery } from "./every.ts";

export type { ScheduleKind };

/** When a saved query or watchlist runs on its own, what it alerts on, and how its last run went. */
export interface Schedule {
  kind: ScheduleKind;
  name: string;
  /** "15m", or null when it runs only when asked. */
  every: string | null;
  everySeconds: number | null;
  alertOn: string[];
  nextRunAt: string | null;
  lastRun: {
    startedAt: string | null;
    finishedAt: string | null;
    status: string | null;
    error: string | null;
    summary: string | null;
  } | null;
  runs: number;
  /** Runs not started because the previous one was still going. */
  skipped: number;
}

export interface ScheduleChange {
  /** Seconds between runs; null: runs only when asked; undefined: unchanged. */
  every?: number | null;
  alertOn?: string[];
}

export function scheduleView(kind: ScheduleKind, name: string, r: ScheduleRow | undefined): Schedule {
  const ran = r && (r.lastStartedAt !== null || r.lastFinishedAt !== null);
  return {
    kind,
    name,
    every: r?.everySeconds ? formatEvery(r.everySeconds) : null,
    everySeconds: r?.everySeconds ?? null,
    alertOn: r?.alertOn.length ? r.alertOn : [...DEFAULT_ALERT_ON],
    nextRunAt: r?.everySeconds ? r.nextRunAt : null,
    lastRun: ran
      ? {
          startedAt: r.lastStartedAt,
          finishedAt: r.lastFinishedAt,
          status: r.lastStatus,
          error: r.lastError,
          summary: r.lastSummary,
        }
      : null,
    runs: r?.runs ?? 0,
    skipped: r?.skipped ?? 0,
  };
}

/** The schedules table: one row per saved query or watchlist that has an interval or alert settings. */
export class ScheduleService {
  constructor(private readonly db: WatchStore) {}

  async get(kind: ScheduleKind, name: string): Promise<Schedule> {
    return scheduleView(kind, name, await this.db.schedule(kind, name));
  }

  async list(): Promise<Schedule[]> {
    return (await this.db.schedules()).map((r) => scheduleView(r.kind, r.name, r));
  }

  /**
   * Sets the interval and/or the alert categories (the caller checked the target exists). A new
   * interval counts from the last start: a target that never ran, or is overdue, runs at once.
   */
  async set(kind: ScheduleKind, name: string, c: ScheduleChange, now = new Date()): Promise<Schedule> {
    const cur = await this.db.schedule(kind, name);
    const every = c.every === undefined ? (cur?.everySeconds ?? null) : c.every;
    const alertOn = c.alertOn ?? (cur?.alertOn.length ? cur.alertOn : [...DEFAULT_ALERT_ON]);
    let next: Date | null = null;
    if (every !== null) {
      const last = cur?.lastStartedAt ? new Date(cur.lastStartedAt).getTime() : Number.NEGATIVE_INFINITY;
      next = new Date(Math.max(now.getTime(), last + every * 1000));
    }
    await this.db.putSchedule(kind, name, every, alertOn, next);
    return this.get(kind, name);
  }

  /** The categories this target alerts on (the default unless set). */
  async alertOn(kind: ScheduleKind, name: string): Promise<string[]> {
    return (await this.get(kind, name)).alertOn;
  }

  /** Alert categories of every target, by `kind|name`, and the default for those without a row. */
  async alertOnAll(): Promise<{ of: (kind: ScheduleKind, name: string) => string[]; any: Set<string> }> {
    const rows = await this.db.schedules();
    const map = new Map(
      rows.map((r) => [`${r.kind}|${r.name}`, r.alertOn.length ? r.alertOn : [...DEFAULT_ALERT_ON]]),
    );
    const any = new Set<string>(DEFAULT_ALERT_ON);
    for (const cats of map.values()) for (const c of cats) any.add(c);
    return { of: (kind, name) => map.get(`${kind}|${name}`) ?? [...DEFAULT_ALERT_ON], any };
  }
}
