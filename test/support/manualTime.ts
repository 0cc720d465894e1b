/**
 * A synchronous manual TimeSource for unit tests of RoomClock (and anything else that takes a
 * `TimeSource`): time moves only when the test says so, and a timer fires exactly when time
 * reaches its deadline, with `now()` reading that deadline while it runs.
 *
 * `advance` here is synchronous: a unit test sees precisely which wakes ran. test/support/clock.ts
 * builds the rooms' asynchronous variant on it.
 */
import type { TimeSource } from '../../src/rooms/RoomClock';

interface Timer {
  at: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  order: number;
  wake: () => void;
}

/** What both manual time sources share: the time, the timers, firing them one by one. */
export abstract class ManualClock implements TimeSource {
  protected current: number;
  private timers: Timer[] = [];
  private created = 0;
  private firedInARow = 0;
  /** Every `setTimer` call as asked for (ms), cancelled or not. */
  readonly requested: number[] = [];

  constructor(start: number = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(wake: () => void, ms: number): () => void {
    this.requested.push(ms);
    const timer: Timer = { at: this.current + Math.max(0, ms), order: this.created++, wake };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** Deadlines (epoch ms) of the pending timers, earliest first. */
  get deadlines(): number[] {
    return this.timers.map((timer) => timer.at).sort((a, b) => a - b);
  }

  /** The epoch ms `ms` from now; refuses to move backwards. */
  protected targetOf(ms: number): number {
    if (!(ms >= 0)) throw new Error(`cannot move time by ${ms} ms`);
    return this.current + ms;
  }

  /** Fires the earliest timer due by `target` (time reads its deadline meanwhile); false when none is. */
  protected fireNext(target: number): boolean {
    if (++this.firedInARow > 10_000) throw new Error('more than 10 000 timers in one advance: a timer re-arms itself without delay');
    const next = this.nextDue(target);
    if (!next) {
      this.firedInARow = 0;
      return false;
    }
    this.timers = this.timers.filter((timer) => timer !== next);
    this.current = next.at;
    next.wake();
    return true;
  }


  private nextDue(target: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers) {
      if (timer.at > target) continue;
      if (!next || timer.at < next.at || (timer.at === next.at && timer.order < next.order)) next = timer;
    }
    return next;
  }
}

export class ManualTimeSource extends ManualClock {
  /**
   * Moves time `ms` forward, firing every timer due by then (also ones set by a firing timer),
   * earliest first, each at its own instant. Returns how many fired.
   */
  advance(ms: number): number {
    const target = this.targetOf(ms);
    let fired = 0;
    while (this.fireNext(target)) fired++;
    this.current = target;
    return fired;
  }

  /** Moves time to the epoch ms `at` (never backwards). */
  advanceTo(at: number): number {
    return this.advance(at - this.current);
  }
}

/** One turn of the event loop: `setImmediate` work queued so far (e.g. coalesced patches) runs. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
