/**
 * A room time source a test moves by hand (see src/rooms/RoomClock.ts): rooms created while it
 * is installed read their time from it and run their timers (turn deadlines, warnings, idle
 * close, quick-match countdowns) when the test advances it, never in real time.
 *
 * Only the room's own clock follows it: Colyseus' seat reservations and reconnection windows
 * (`allowReconnection`) still run on Node timers.
 */
import { realTime, useTimeSource, type TimeSource } from '../../src/rooms/RoomClock';

interface Timer {
  at: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  order: number;
  wake: () => void;
}

export class ManualTime implements TimeSource {
  private current: number;
  private timers: Timer[] = [];
  private created = 0;

  /** Starts at `start` (epoch ms; by default the real time now, so deadlines look like dates). */
  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(wake: () => void, ms: number): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), order: this.created++, wake };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time `ms` forward. Each due timer fires at its own instant (the time reads its deadline
   * while it runs), earliest first; between two, the room's asynchronous work (message queue,
   * patches) gets a turn of the event loop, as it would while real time passed.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`cannot move time by ${ms} ms`);
    const target = this.current + ms;
    for (let fired = 0; ; fired++) {
      if (fired > 10_000) throw new Error('more than 10 000 timers in one advance: a timer re-arms itself without delay');
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.current = next.at;
      next.wake();
      await settle();
    }
    this.current = target;
    await settle();
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

/** One turn of the event loop: promise jobs and `setImmediate` work (patches) queued so far run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Installs a fresh manual time source for the rooms created from now on and returns it; pair with
 * {@link useRealTime} in `afterEach`. Rooms keep the source they were created with.
 */
export function useManualTime(start?: number): ManualTime {
  const time = new ManualTime(start);
  useTimeSource(time);
  return time;
}

/** Rooms created from now on use real time again (the default). */
export function useRealTime(): void {
  useTimeSource(realTime);
}
