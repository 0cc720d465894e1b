/**
 * A room time source a test moves by hand (see src/rooms/RoomClock.ts): rooms created while it
 * is installed read their time from it and run their timers (turn deadlines, warnings, idle
 * close, quick-match countdowns) when the test advances it, never in real time.
 *
 * Only the room's own clock follows it: Colyseus' seat reservations and reconnection windows
 * (`allowReconnection`) still run on Node timers.
 */
import { realTime, useTimeSource } from '../../src/rooms/RoomClock';
import { ManualClock, nextTurn } from './manualTime';

export class ManualTime extends ManualClock {
  /** Starts at `start` (epoch ms; by default the real time now, so deadlines look like dates). */
  constructor(start = Date.now()) {
    super(start);
  }

  /**
   * Moves time `ms` forward. Each due timer fires at its own instant (the time reads its deadline
   * while it runs), earliest first; between two, the room's asynchronous work (message queue,
   * patches) gets a turn of the event loop, as it would while real time passed.
   */
  async advance(ms: number): Promise<number> {
    const target = this.targetOf(ms);
    let fired = 0;
    while (this.fireNext(target)) {
      fired++;
      await nextTurn();
    }
    this.current = target;
    await nextTurn();
    return fired;
  }
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
