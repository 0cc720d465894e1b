/**
 * Work that takes turns per key: each piece starts when the previous one of its key settled, or
 * after `limitMs` at the latest, so one that hangs holds up the others only that long.
 */
export class TurnTaking {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Who has work queued or running (the `owner` given to `inTurn`). */
  readonly waiting = new Set<string>();

  constructor(private readonly limitMs: number) {}

  inTurn<T>(key: string, work: () => Promise<T>, owner?: string): Promise<T> {
    const previous = this.tails.get(key);
    if (owner !== undefined) this.waiting.add(owner);
    const mine = (previous ? settledOrAfter(previous, this.limitMs) : Promise.resolve()).then(work);
    const tail = mine.catch(() => undefined);
    if (owner !== undefined) void tail.then(() => this.waiting.delete(owner));
    this.tails.set(key, tail);
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
    return mine;
  }

  /** Keys with work queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }
}

function settledOrAfter(previous: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void previous.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
