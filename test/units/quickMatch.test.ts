/**
 * QuickMatch on its own: promised seats and the start countdown, driven by a hand-made host
 * whose clock the test moves and whose `later` timers the test fires. No room, no socket.
 */
import { strict as assert } from 'assert';
import { QuickMatch, type QuickMatchHost, type QuickMatchSettings } from '../../src/rooms/QuickMatch';

interface Timer {
  at: number;
  ms: number;
  work: () => Promise<void>;
  cleared: boolean;
  fired: boolean;
}

/** A QuickMatchHost with a manual clock: `now()` moves by `advanceTo`, `later` timers fire then; `soon` work waits for `runSoon`. */
class ManualHost implements QuickMatchHost {
  time = 1_000_000;
  readonly timers: Timer[] = [];
  readonly soonQueue: Array<() => Promise<void>> = [];
  /** Times (host clock) at which `start` was called. */
  readonly starts: number[] = [];

  now(): number {
    return this.time;
  }

  later(ms: number, work: () => Promise<void>): { clear(): void } {
    const timer: Timer = { at: this.time + ms, ms, work, cleared: false, fired: false };
    this.timers.push(timer);
    return { clear: () => (timer.cleared = true) };
  }

  soon(work: () => Promise<void>): void {
    this.soonQueue.push(work);
  }

  async start(): Promise<void> {
    this.starts.push(this.time);
  }

  /** Timers neither cleared nor fired. */
  armed(): Timer[] {
    return this.timers.filter((timer) => !timer.cleared && !timer.fired);
  }

  /** Moves the clock to `at`, firing each armed timer due by then at its own deadline. */
  async advanceTo(at: number): Promise<void> {
    assert.ok(at >= this.time, 'time never goes back');
    for (;;) {
      const due = this.armed().filter((timer) => timer.at <= at).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.fired = true;
      await due.work();
    }
    this.time = at;
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  async runSoon(): Promise<void> {
    for (const work of this.soonQueue.splice(0)) await work();
  }
}

const settings: QuickMatchSettings = { minPlayers: 2, maxPlayers: 4, countdownSeconds: 10 };
const COUNTDOWN = settings.countdownSeconds * 1000;

describe('units: QuickMatch', () => {
  let host: ManualHost;
  let quick: QuickMatch;
  let t0: number;
  beforeEach(() => {
    host = new ManualHost();
    quick = new QuickMatch(host);
    t0 = host.time;
  });

  describe('promised seats', () => {
    it('counts each promise once; release reports whether there was one', () => {
      quick.promise('s1');
      quick.promise('s2');
      quick.promise('s2');
      assert.equal(quick.pending(() => true), 2);
      assert.equal(quick.release('s1'), true);
      assert.equal(quick.release('s1'), false);
      assert.equal(quick.release('never'), false);
      assert.equal(quick.pending(() => true), 1);
    });

    it('pending() drops the promises whose reservation lapsed, for good', () => {
      quick.promise('live');
      quick.promise('lapsed1');
      quick.promise('lapsed2');
      const asked: string[] = [];
      assert.equal(quick.pending((sessionId) => (asked.push(sessionId), sessionId === 'live')), 1);
      assert.deepEqual(asked.sort(), ['lapsed1', 'lapsed2', 'live']);
      assert.equal(quick.pending(() => true), 1, 'a dropped promise does not come back');
      assert.equal(quick.release('lapsed1'), false);
      assert.equal(quick.release('live'), true);
      assert.equal(quick.pending(() => true), 0);
    });

    it('promises do not touch the countdown', () => {
      quick.promise('s1');
      quick.pending(() => false);
      assert.equal(quick.startsAt, 0);
      assert.equal(host.timers.length, 0);
      assert.equal(host.soonQueue.length, 0);
    });
  });

  describe('countdown', () => {
    it('does not run below minPlayers', async () => {
      quick.seatsChanged(1, true, settings);
      assert.equal(quick.startsAt, 0);
      assert.equal(host.timers.length, 0);
      await host.advance(10 * COUNTDOWN);
      assert.deepEqual(host.starts, []);
    });

    it('arms when minPlayers are seated and starts the match at startsAt, not a millisecond earlier', async () => {
      quick.seatsChanged(2, true, settings);
      assert.equal(quick.startsAt, t0 + COUNTDOWN);
      assert.equal(host.armed().length, 1);
      assert.equal(host.armed()[0].ms, COUNTDOWN);
      await host.advanceTo(t0 + COUNTDOWN - 1);
      assert.deepEqual(host.starts, []);
      await host.advance(1);
      assert.deepEqual(host.starts, [t0 + COUNTDOWN]);
      assert.equal(host.soonQueue.length, 0, 'the countdown starts through later(), not soon()');
    });

    it('each join resets it to a full countdown; the replaced timer is cleared', async () => {
      quick.seatsChanged(2, true, settings);
      const first = host.armed()[0];
      await host.advance(4_000);
      quick.seatsChanged(3, true, settings);
      assert.equal(first.cleared, true);
      assert.equal(quick.startsAt, t0 + 4_000 + COUNTDOWN);
      assert.equal(host.armed().length, 1);
      await host.advanceTo(t0 + COUNTDOWN);
      assert.deepEqual(host.starts, [], 'the old deadline passed without a start');
      await host.advanceTo(t0 + 4_000 + COUNTDOWN);
      assert.deepEqual(host.starts, [t0 + 4_000 + COUNTDOWN]);
    });

    it('never runs past 3 × countdownSeconds from its first start, however many join', async () => {
      const roomy: QuickMatchSettings = { minPlayers: 2, maxPlayers: 10, countdownSeconds: 10 };
      quick.seatsChanged(2, true, roomy);
      const cap = t0 + 3 * COUNTDOWN;
      const expected: number[] = [];
      for (const [at, seated] of [[9_000, 3], [18_000, 4], [25_000, 5], [29_500, 6]] as const) {
        await host.advanceTo(t0 + at);
        quick.seatsChanged(seated, true, roomy);
        expected.push(Math.min(t0 + at + COUNTDOWN, cap));
        assert.equal(quick.startsAt, expected.at(-1), `join at +${at} ms`);
        assert.ok(quick.startsAt <= cap);
        assert.equal(host.armed().length, 1);
        assert.equal(host.armed()[0].at, quick.startsAt);
      }
      assert.deepEqual(expected.slice(2), [cap, cap]);
      await host.advanceTo(cap - 1);
      assert.deepEqual(host.starts, []);
      await host.advanceTo(cap);
      assert.deepEqual(host.starts, [cap]);
    });

    it('a leave that keeps minPlayers changes nothing: same deadline, same timer', async () => {
      quick.seatsChanged(3, true, settings);
      const timer = host.armed()[0];
      const startsAt = quick.startsAt;
      await host.advance(3_000);
      quick.seatsChanged(2, false, settings);
      assert.equal(quick.startsAt, startsAt);
      assert.equal(timer.cleared, false);
      assert.equal(host.timers.length, 1);
      await host.advanceTo(startsAt);
      assert.deepEqual(host.starts, [startsAt]);
    });

    it('falling below minPlayers stops it: timer cleared, startsAt 0, no start ever', async () => {
      quick.seatsChanged(2, true, settings);
      const timer = host.armed()[0];
      await host.advance(5_000);
      quick.seatsChanged(1, false, settings);
      assert.equal(timer.cleared, true);
      assert.equal(quick.startsAt, 0);
      await host.advance(5 * COUNTDOWN);
      assert.deepEqual(host.starts, []);
    });

    it('after a stop, the next countdown gets a fresh full length and a fresh cap', async () => {
      quick.seatsChanged(2, true, settings);
      await host.advance(25_000);
      quick.seatsChanged(1, false, settings);
      await host.advance(1_000);
      const restartedAt = host.time;
      quick.seatsChanged(2, true, settings);
      assert.equal(quick.startsAt, restartedAt + COUNTDOWN, 'not capped by the first run');
      await host.advance(9_000);
      quick.seatsChanged(3, true, settings);
      assert.equal(quick.startsAt, restartedAt + 9_000 + COUNTDOWN);
    });

    it('after it ran out (e.g. the start failed), a later join arms a new full countdown', async () => {
      quick.seatsChanged(2, true, settings);
      await host.advanceTo(t0 + COUNTDOWN);
      assert.equal(host.starts.length, 1);
      await host.advance(30_000);
      quick.seatsChanged(3, true, settings);
      assert.equal(quick.startsAt, host.time + COUNTDOWN);
      assert.equal(host.armed().length, 1);
    });

    it('cancel() stops a running countdown and is harmless when none runs', async () => {
      quick.cancel();
      assert.equal(quick.startsAt, 0);
      quick.seatsChanged(2, true, settings);
      const timer = host.armed()[0];
      quick.cancel();
      assert.equal(timer.cleared, true);
      assert.equal(quick.startsAt, 0);
      await host.advance(5 * COUNTDOWN);
      assert.deepEqual(host.starts, []);
      quick.seatsChanged(3, true, settings);
      assert.equal(quick.startsAt, host.time + COUNTDOWN, 'a cancelled countdown can run again, at full length');
    });
  });

  describe('a full room', () => {
    it('starts at once through host.soon, cancelling the countdown (one start, not two)', async () => {
      quick.seatsChanged(2, true, settings);
      const timer = host.armed()[0];
      await host.advance(2_000);
      quick.seatsChanged(4, true, settings);
      assert.equal(timer.cleared, true);
      assert.equal(quick.startsAt, 0);
      assert.deepEqual(host.starts, [], 'not synchronously: in turn with the room messages');
      assert.equal(host.soonQueue.length, 1);
      await host.runSoon();
      assert.deepEqual(host.starts, [t0 + 2_000]);
      await host.advance(5 * COUNTDOWN);
      assert.equal(host.starts.length, 1);
    });

    it('starts at once when it fills without any countdown before (minPlayers = maxPlayers)', async () => {
      const duel: QuickMatchSettings = { minPlayers: 2, maxPlayers: 2, countdownSeconds: 10 };
      quick.seatsChanged(2, true, duel);
      assert.equal(host.timers.length, 0);
      assert.equal(quick.startsAt, 0);
      await host.runSoon();
      assert.equal(host.starts.length, 1);
    });

    it('more seated than maxPlayers also starts at once, even reported by a leave', async () => {
      quick.seatsChanged(5, false, settings);
      assert.equal(host.timers.length, 0);
      await host.runSoon();
      assert.equal(host.starts.length, 1);
    });
  });
});
