import { getChain, normalizeAddress } from "../../chains.ts";
import { BadInputError, ConflictError, FundtraceError, NotFoundError } from "../../errors.ts";
import type { WatchStore } from "../../store/watch.ts";
import { MAX_SCREEN_ITEMS, type ScreenItem } from "../screen.ts";
import { type Schedule, type ScheduleChange, type ScheduleService, scheduleView } from "./schedules.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface WatchlistSummary {
  name: string;
  addresses: number;
  createdAt: string;
  updatedAt: string;
  schedule: Schedule;
}

export interface Watchlist extends WatchlistSummary {
  items: { chain: string; address: string }[];
}

/** Named lists of `chain,address` entries (a customer book, a case's wallets) that the watch screens. */
export class WatchlistService {
  constructor(
    private readonly db: WatchStore,
    private readonly schedules: ScheduleService,
  ) {}

  /**
   * Validates every entry first (bad input changes nothing), then writes the list and its schedule.
   * An existing name is refused unless `replace` (the new entries replace the old; what was screened
   * stays screened).
   */
  async create(
    name: string,
    items: ScreenItem[],
    o: ScheduleChange & { replace?: boolean } = {},
  ): Promise<Watchlist> {
    if (!NAME.test(name))
      throw new BadInputError(`watchlist name "${name}" must be 1-64 letters, digits, "_", "-" or "."`);
    if (items.length === 0) throw new BadInputError("a watchlist needs at least one chain,address entry");
    if (items.length > MAX_SCREEN_ITEMS)
      throw new BadInputError(
        `too many entries: ${items.length} (max ${MAX_SCREEN_ITEMS} per watchlist)`,
        {},
        "LIMIT_EXCEEDED",
      );
    const seen = new Set<string>();
    const clean: { chain: string; address: string }[] = [];
    items.forEach((it, i) => {
      try {
        const chain = getChain(it.chain).name;
        const address = normalizeAddress(chain, it.address);
        const k = `${chain}\u0000${address}`;
        if (!seen.has(k)) clean.push({ chain, address });
        seen.add(k);
      } catch (e) {
        if (e instanceof FundtraceError)
          throw new BadInputError(
            `entry ${i + 1}: ${e.message}`,
            { cause: e, details: { index: i } },
            e.code,
          );
        throw e;
      }
    });
    if (!o.replace && (await this.db.watchlist(name)))
      throw new ConflictError(
        `a watchlist named "${name}" exists already (replace its entries with --replace)`,
      );
    await this.db.putWatchlist(name, clean, new Date());
    if (o.every !== undefined || o.alertOn !== undefined || !(await this.db.schedule("watchlist", name)))
      await this.schedules.set("watchlist", name, { every: o.every, alertOn: o.alertOn });
    return this.get(name);
  }

  async list(): Promise<WatchlistSummary[]> {
    const schedules = new Map((await this.db.schedules()).map((s) => [`${s.kind}|${s.name}`, s]));
    return (await this.db.watchlists()).map((w) => ({
      ...w,
      schedule: scheduleView("watchlist", w.name, schedules.get(`watchlist|${w.name}`)),
    }));
  }

  async get(name: string): Promise<Watchlist> {
    const w = await this.db.watchlist(name);
    if (!w) throw new NotFoundError(`no watchlist named "${name}"`);
    return {
      ...w,
      schedule: await this.schedules.get("watchlist", name),
      items: await this.db.addresses(name),
    };
  }

  async exists(name: string): Promise<void> {
    if (!(await this.db.watchlist(name))) throw new NotFoundError(`no watchlist named "${name}"`);
  }

  /** The list, its schedule and what it screened; its alerts stay. */
  async delete(name: string): Promise<void> {
    await this.exists(name);
    await this.db.deleteWatchlist(name);
  }
}
