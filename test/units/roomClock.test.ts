/**
 * RoomClock on its own: patch coalescing (one patch per I/O batch) and the room clock driven by
 * its deadlines through an injected TimeSource. A real Colyseus Clock on a minimal fake room,
 * and a manual time source: no server, no socket, no sleeping.
 */
import { strict as assert } from 'assert';
import { Clock, type Room } from '@colyseus/core';
import { FALLBACK_PATCH_MS, RoomClock, realTime, useTimeSource, type TimeSource } from '../../src/rooms/RoomClock';
import { ManualTimeSource, nextTurn } from '../support/manualTime';

/** The part of a Room that RoomClock uses. */
interface FakeRoom {
  clock: Clock;
  patchRate: number;
  patches: number;
  broadcastPatch(): boolean;
}

function fakeRoom(options: { tickOnPatch?: boolean; onPatch?: () => void } = {}): FakeRoom {
  const room: FakeRoom = {
    clock: new Clock(),
    patchRate: 50,
    patches: 0,
    broadcastPatch() {
      room.patches++;
      // Colyseus' Room.broadcastPatch ticks the clock too when no simulation interval runs.
      if (options.tickOnPatch) room.clock.tick();
      options.onPatch?.();
      return true;
    },
  };
  return room;
}

/** A RoomClock on `room` reading `time` (installed only while it is built: it keeps its source). */
function roomClockOn(room: FakeRoom, time: TimeSource, afterPatch?: () => void): RoomClock {
  useTimeSource(time);
  try {
    return new RoomClock(room as unknown as Room, afterPatch);
  } finally {
    useTimeSource(realTime);
  }
}

describe('units: RoomClock', () => {
  let time: ManualTimeSource;
  let room: FakeRoom;
  let roomClock: RoomClock;
  let t0: number;
  beforeEach(() => {
    time = new ManualTimeSource();
    t0 = time.now();
    room = fakeRoom();
    roomClock = roomClockOn(room, time);
  });
  afterEach(() => roomClock.dispose());

  describe('setup', () => {
    it('slows the room patch interval down to the safety net', () => {
      assert.equal(FALLBACK_PATCH_MS, 1000);
      assert.equal(room.patchRate, FALLBACK_PATCH_MS);
    });

    it('reads the time source it was built with, and drives the clock time by it', () => {
      assert.equal(roomClock.time, time);
      assert.equal(roomClock.now(), t0);
      assert.equal(room.clock.currentTime, t0);
      time.advance(1234);
      assert.equal(roomClock.now(), t0 + 1234);
      room.clock.tick();
      assert.equal(room.clock.currentTime, t0 + 1234);
      assert.equal(room.clock.deltaTime, 1234);
    });

    it('keeps the source it was built with when the default changes afterwards', () => {
      const other = new ManualTimeSource(5);
      useTimeSource(other);
      try {
        assert.equal(roomClock.time, time);
        assert.equal(roomClock.now(), t0);
      } finally {
        useTimeSource(realTime);
      }
    });
  });

  describe('patches', () => {
    it('many requests in one I/O batch give one patch, after the batch, then afterPatch', async () => {
      const order: string[] = [];
      room = fakeRoom({ onPatch: () => order.push('patch') });
      roomClock.dispose();
      roomClock = roomClockOn(room, time, () => order.push('after'));
      for (let i = 0; i < 10; i++) roomClock.requestPatch();
      assert.equal(room.patches, 0, 'nothing goes out synchronously');
      await Promise.resolve();
      assert.equal(room.patches, 0, 'not on the microtask queue either: after the I/O batch');
      await nextTurn();
      assert.equal(room.patches, 1);
      assert.deepEqual(order, ['patch', 'after']);
      await nextTurn();
      assert.equal(room.patches, 1, 'no second patch without a new request');
    });

    it('a request in a later batch gets its own patch', async () => {
      roomClock.requestPatch();
      await nextTurn();
      roomClock.requestPatch();
      roomClock.requestPatch();
      await nextTurn();
      assert.equal(room.patches, 2);
    });

    it('a change requested while a patch goes out gets the next patch', async () => {
      let again = true;
      room = fakeRoom({
        onPatch: () => {
          if (again) roomClock.requestPatch();
          again = false;
        },
      });
      roomClock.dispose();
      roomClock = roomClockOn(room, time);
      roomClock.requestPatch();
      await nextTurn();
      assert.equal(room.patches, 1);
      await nextTurn();
      assert.equal(room.patches, 2);
    });
  });

  describe('timers', () => {
    it('a timeout fires at its deadline, not a millisecond before, once, and asks for a patch', async () => {
      const fired: number[] = [];
      room.clock.setTimeout(() => fired.push(time.now()), 1000);
      assert.deepEqual(time.deadlines, [t0 + 1000]);
      time.advance(999);
      assert.deepEqual(fired, []);
      time.advance(1);
      assert.deepEqual(fired, [t0 + 1000]);
      time.advance(10_000);
      assert.deepEqual(fired, [t0 + 1000]);
      assert.equal(time.pending, 0, 'nothing left to wake for');
      assert.equal(room.patches, 0);
      await nextTurn();
      assert.equal(room.patches, 1, 'a timer may have changed state: it is followed by a patch');
    });

    it('arms one wake, for the earliest deadline: an earlier timer moves it, a later one does not', () => {
      const fired: string[] = [];
      room.clock.setTimeout(() => fired.push('late'), 5000);
      room.clock.setTimeout(() => fired.push('early'), 1000);
      assert.deepEqual(time.deadlines, [t0 + 1000]);
      room.clock.setTimeout(() => fired.push('middle'), 3000);
      assert.deepEqual(time.deadlines, [t0 + 1000]);
      time.advance(1000);
      assert.deepEqual(fired, ['early']);
      assert.deepEqual(time.deadlines, [t0 + 3000], 'rearmed for the next deadline');
      time.advance(2000);
      assert.deepEqual(fired, ['early', 'middle']);
      assert.deepEqual(time.deadlines, [t0 + 5000]);
      time.advance(2000);
      assert.deepEqual(fired, ['early', 'middle', 'late']);
      assert.equal(time.pending, 0);
    });

    it('a timer created between two ticks never fires early', () => {
      const fired: Array<[string, number]> = [];
      room.clock.setTimeout(() => fired.push(['first', time.now()]), 1000);
      time.advance(600); // no tick happens here: the wake is at +1000
      room.clock.setTimeout(() => fired.push(['second', time.now()]), 1000);
      time.advanceTo(t0 + 1000);
      assert.deepEqual(fired, [['first', t0 + 1000]]);
      time.advanceTo(t0 + 1599);
      assert.deepEqual(fired, [['first', t0 + 1000]]);
      time.advanceTo(t0 + 1600);
      assert.deepEqual(fired, [['first', t0 + 1000], ['second', t0 + 1600]]);
    });

    it('a timer created after time moved with no timer armed fires a full delay later', () => {
      const fired: number[] = [];
      time.advance(50_000);
      room.clock.setTimeout(() => fired.push(time.now()), 200);
      time.advance(199);
      assert.deepEqual(fired, []);
      time.advance(1);
      assert.deepEqual(fired, [t0 + 50_200]);
    });

    it('deadlines hold when Colyseus ticks the clock from broadcastPatch in between', async () => {
      roomClock.dispose();
      room = fakeRoom({ tickOnPatch: true });
      roomClock = roomClockOn(room, time);
      const fired: Array<[string, number]> = [];
      room.clock.setTimeout(() => fired.push(['a', time.now()]), 1000);
      time.advance(300);
      roomClock.requestPatch();
      await nextTurn(); // the patch ticks the clock at +300
      time.advance(200);
      room.clock.setTimeout(() => fired.push(['b', time.now()]), 700);
      time.advanceTo(t0 + 1199);
      assert.deepEqual(fired, [['a', t0 + 1000]]);
      time.advanceTo(t0 + 1200);
      assert.deepEqual(fired, [['a', t0 + 1000], ['b', t0 + 1200]]);
    });

    it('an interval fires at every period, each on time', () => {
      const fired: number[] = [];
      const interval = room.clock.setInterval(() => fired.push(time.now() - t0), 250);
      time.advance(1000);
      assert.deepEqual(fired, [250, 500, 750, 1000]);
      interval.clear();
      time.advance(1000);
      assert.deepEqual(fired, [250, 500, 750, 1000]);
    });

    it('an interval created between ticks keeps its own phase', () => {
      const fired: number[] = [];
      room.clock.setTimeout(() => {}, 10_000);
      time.advance(100);
      room.clock.setInterval(() => fired.push(time.now() - t0), 300);
      time.advance(1000);
      assert.deepEqual(fired, [400, 700, 1000]);
    });

    it('timers due at the same instant all fire in one wake', () => {
      const fired: string[] = [];
      room.clock.setTimeout(() => fired.push('a'), 500);
      room.clock.setTimeout(() => fired.push('b'), 500);
      const wakes = time.advance(500);
      assert.deepEqual(fired.sort(), ['a', 'b']);
      assert.equal(wakes, 1);
    });

    it('a timer set by a timer counts from when it was set', () => {
      const fired: Array<[string, number]> = [];
      room.clock.setTimeout(() => {
        fired.push(['outer', time.now()]);
        room.clock.setTimeout(() => fired.push(['inner', time.now()]), 300);
      }, 1000);
      time.advance(1299);
      assert.deepEqual(fired, [['outer', t0 + 1000]]);
      time.advance(1);
      assert.deepEqual(fired, [['outer', t0 + 1000], ['inner', t0 + 1300]]);
    });

    it('a zero or negative delay fires on the next wake without time passing', () => {
      const fired: string[] = [];
      room.clock.setTimeout(() => fired.push('zero'), 0);
      room.clock.setTimeout(() => fired.push('negative'), -50);
      assert.deepEqual(time.deadlines, [t0]);
      time.advance(0);
      assert.deepEqual(fired.sort(), ['negative', 'zero']);
    });

    it('a cleared timer never runs, and leaves no wake behind once its deadline passed', () => {
      let fired = 0;
      const delayed = room.clock.setTimeout(() => fired++, 1000);
      delayed.clear();
      time.advance(5000);
      assert.equal(fired, 0);
      assert.equal(time.pending, 0);
    });

    it('clearing the earliest timer still runs the later ones on time', () => {
      const fired: number[] = [];
      const early = room.clock.setTimeout(() => fired.push(-1), 1000);
      room.clock.setTimeout(() => fired.push(time.now() - t0), 3000);
      early.clear();
      time.advance(2999);
      assert.deepEqual(fired, []);
      time.advance(1);
      assert.deepEqual(fired, [3000]);
    });
  });

  describe('dispose', () => {
    it('cancels the pending wake: no timer runs afterwards', () => {
      let fired = 0;
      room.clock.setTimeout(() => fired++, 1000);
      assert.equal(time.pending, 1);
      roomClock.dispose();
      assert.equal(time.pending, 0);
      time.advance(10_000);
      assert.equal(fired, 0);
    });

    it('is harmless twice, and without any timer', () => {
      roomClock.dispose();
      roomClock.dispose();
      assert.equal(time.pending, 0);
    });

    it('a stopped clock (Colyseus disposing the room) runs nothing at the wake and does not rearm', async () => {
      let fired = 0;
      room.clock.setTimeout(() => fired++, 1000);
      room.clock.setInterval(() => fired++, 500);
      room.clock.stop();
      time.advance(10_000);
      assert.equal(fired, 0);
      assert.equal(time.pending, 0);
      await nextTurn();
      assert.equal(room.patches, 0);
    });
  });
});
