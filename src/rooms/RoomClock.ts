/**
 * When a room sends patches and runs its timers: the one unit that reaches into Colyseus'
 * internals for it.
 *
 * Patches follow the work that changes state (each handled message or timer task, joins,
 * leaves): they go out right after the current I/O batch (changes of one batch share a patch).
 * Colyseus' default 20 Hz interval made every idle room encode and tick 20 times a second and
 * added up to 50 ms to each acknowledgement; a slow interval remains only as a safety net.
 *
 * Colyseus ticks the room clock only inside that interval, so here the clock is ticked when its
 * next timer is due: every `clock.setTimeout`/`setInterval` arms one Node timer for the earliest
 * deadline. A timer created between two ticks gets the time since the last tick deducted, so it
 * never fires early.
 *
 * Time itself comes from `now()` (epoch ms, `Date.now` unless a test injects another source),
 * which also drives the clock's own time, so a test can move a room's time without sleeping.
 */
import type { Clock, Delayed, Room } from '@colyseus/core';

/** Safety-net patch interval (Colyseus' own would be 50 ms). */
export const FALLBACK_PATCH_MS = 1000;

/** Where a room's time comes from; tests replace it (see test/support/clock.ts). */
export interface TimeSource {
  now(): number;
  /** Calls `wake` after `ms` of this source's time; returns a cancel function. */
  setTimer(wake: () => void, ms: number): () => void;
}

export const realTime: TimeSource = {
  now: () => Date.now(),
  setTimer(wake, ms) {
    const timer = setTimeout(wake, ms);
    return () => clearTimeout(timer);
  },
};

/** The time source new rooms use (tests swap it for a manual one). */
let defaultTime: TimeSource = realTime;

export function useTimeSource(time: TimeSource): void {
  defaultTime = time;
}

export class RoomClock {
  readonly time: TimeSource = defaultTime;
  private patchQueued = false;
  private cancelWake?: () => void;
  private wakeAt = Infinity;

  constructor(
    private readonly room: Room,
    /** Runs after each patch went out (e.g. to check clients' send buffers). */
    private readonly afterPatch: () => void = () => {},
  ) {
    room.patchRate = FALLBACK_PATCH_MS;
    this.driveByDeadlines(room.clock);
  }

  now(): number {
    return this.time.now();
  }

  /** Sends pending state changes right after the current I/O batch. */
  requestPatch(): void {
    if (this.patchQueued) return;
    this.patchQueued = true;
    setImmediate(() => {
      this.patchQueued = false;
      this.room.broadcastPatch();
      this.afterPatch();
    });
  }

  dispose(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
  }

  private driveByDeadlines(clock: Clock): void {
    const internals = clock as unknown as { now: () => number };
    internals.now = () => this.time.now(); // the clock's elapsed time follows the room's time
    clock.currentTime = this.time.now();
    const setTimeout = clock.setTimeout.bind(clock);
    const setInterval = clock.setInterval.bind(clock);
    const armed = (delayed: Delayed, time: number) => {
      delayed.elapsedTime = -(this.time.now() - clock.currentTime);
      this.arm(time);
      return delayed;
    };
    clock.setTimeout = ((handler: (...args: any[]) => void, time: number, ...args: any[]) =>
      armed(setTimeout(handler, time, ...args), time)) as typeof clock.setTimeout;
    clock.setInterval = ((handler: (...args: any[]) => void, time: number, ...args: any[]) =>
      armed(setInterval(handler, time, ...args), time)) as typeof clock.setInterval;
  }

  private arm(delayMs: number): void {
    const at = this.time.now() + Math.max(0, delayMs);
    if (this.cancelWake && at >= this.wakeAt) return;
    this.cancelWake?.();
    this.wakeAt = at;
    this.cancelWake = this.time.setTimer(() => this.onDue(), Math.max(0, delayMs));
  }

  private onDue(): void {
    this.cancelWake = undefined;
    this.wakeAt = Infinity;
    const clock = this.room.clock;
    if (!clock.running) return;
    clock.tick();
    let next = Infinity;
    for (const delayed of clock.delayed) {
      if (delayed.active && !delayed.paused) next = Math.min(next, delayed.time - delayed.elapsedTime);
    }
    if (next < Infinity) this.arm(next);
    this.requestPatch(); // a timer may have changed state synchronously
  }
}
