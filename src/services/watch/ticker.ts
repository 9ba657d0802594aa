/**
 * Runs `work` now and again: when woken, when the next due time (from the table that holds it) comes,
 * and at least every `pollMs`. One pass at a time; a wake during a pass runs another right after.
 * Passes run `detach`ed: a wake from inside a store transaction must not run the pass in it.
 */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly nextDue: () => Promise<Date | null>,
    private readonly pollMs: () => number,
    private readonly failed: (e: unknown) => void,
    private readonly detach: <T>(fn: () => T) => T,
  ) {}

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  wake(): void {
    this.detach(() => this.wakeHere());
  }

  private wakeHere(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.pass = this.work()
      .then(() => undefined, this.failed)
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.wakeHere();
        } else void this.sleep();
      });
  }

  private async sleep(): Promise<void> {
    if (this.stopped) return;
    const next = await this.nextDue().catch(() => null);
    const poll = this.pollMs();
    const ms = next ? Math.min(poll, Math.max(0, next.getTime() - Date.now())) : poll;
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wakeHere(), Math.max(ms, 20));
    this.timer.unref?.();
  }

  /** No pass starts any more; resolves once the one under way ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }
}
