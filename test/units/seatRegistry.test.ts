/**
 * SeatRegistry on its own: seats, spectators, host election, snapshot/restore, reclaim, waits,
 * release and forget. Pure bookkeeping, so no room and no socket: a hand-moved clock only.
 */
import { strict as assert } from 'assert';
import { SeatRegistry, type Member, type Waiting } from '../../src/rooms/SeatRegistry';

function member(userId: string, sessionId = `s-${userId}`, extras: Partial<Member> = {}): Member {
  return { sessionId, userId, name: `name of ${userId}`, roles: [], role: 'player', ...extras };
}

/** A wait that counts its cancellations. */
function waiting(): Waiting & { cancelled: number } {
  const wait = {
    cancelled: 0,
    cancel() {
      wait.cancelled++;
    },
  };
  return wait;
}

describe('units: SeatRegistry', () => {
  let time: number;
  let seats: SeatRegistry;
  beforeEach(() => {
    time = 1_000;
    seats = new SeatRegistry(() => time);
  });

  describe('seats', () => {
    it('a new player takes the lowest free seat number, stamped with the injected clock', () => {
      const a = seats.take(member('a'));
      time = 2_000;
      const b = seats.take(member('b'));
      assert.deepEqual(a, { userId: 'a', name: 'name of a', seat: 0, joinedAt: 1_000 });
      assert.deepEqual(b, { userId: 'b', name: 'name of b', seat: 1, joinedAt: 2_000 });
      assert.equal(seats.seatedCount, 2);
      assert.ok(seats.isSeated('a') && seats.isSeated('b'));
      assert.equal(seats.isSeated('c'), false);
      assert.equal(seats.sessionOfSeat('a'), 's-a');
      assert.equal(seats.sessionOfSeat('c'), undefined);
    });

    it('reuses a freed seat number, and lists seated ids in seat order, not join order', () => {
      seats.take(member('a'));
      seats.take(member('b'));
      seats.take(member('c'));
      assert.equal(seats.release('b'), true);
      const d = seats.take(member('d'));
      assert.equal(d.seat, 1);
      assert.deepEqual(seats.seatedIds(), ['a', 'd', 'c']);
      assert.equal(seats.take(member('e')).seat, 3);
    });

    it('a seated session is always a player, even when the member says spectator', () => {
      seats.take(member('a', 's1', { role: 'spectator', roles: ['gm'] }));
      assert.deepEqual(seats.member('s1'), { sessionId: 's1', userId: 'a', name: 'name of a', roles: ['gm'], role: 'player' });
      assert.equal(seats.spectatorCount, 0);
    });

    it('keeps its own copies: changing a member, a record or a snapshot afterwards changes nothing', () => {
      const input = member('a');
      const record = seats.take(input);
      input.name = 'changed';
      record.seat = 9;
      seats.snapshot()[0].joinedAt = -1;
      assert.equal(seats.member('s-a')!.name, 'name of a');
      assert.deepEqual(seats.snapshot(), [{ userId: 'a', name: 'name of a', seat: 0, joinedAt: 1_000 }]);
    });
  });

  describe('spectators', () => {
    it('count toward spectators, never toward seats, and leave by forget', () => {
      seats.take(member('a'));
      seats.watch(member('w1', 'sw1'));
      seats.watch(member('w2', 'sw2', { role: 'player' }));
      assert.equal(seats.spectatorCount, 2);
      assert.equal(seats.seatedCount, 1);
      assert.equal(seats.isSeated('w1'), false);
      assert.equal(seats.member('sw2')!.role, 'spectator');
      assert.deepEqual(seats.snapshot().map((seat) => seat.userId), ['a']);
      assert.deepEqual(seats.forget('sw1'), { ...member('w1', 'sw1'), role: 'spectator' });
      assert.equal(seats.spectatorCount, 1);
      assert.equal(seats.member('sw1'), undefined);
    });

    it('forgetting an unknown or already forgotten session changes nothing (no double decrement)', () => {
      seats.watch(member('w', 'sw'));
      assert.equal(seats.forget('nobody'), undefined);
      assert.equal(seats.forget('sw')?.userId, 'w');
      assert.equal(seats.forget('sw'), undefined);
      assert.equal(seats.spectatorCount, 0);
      seats.watch(member('v', 'sv'));
      assert.equal(seats.spectatorCount, 1);
    });

    it('allMembers lists connected players and spectators, not away seats', () => {
      seats.take(member('a'));
      seats.take(member('b'));
      seats.watch(member('w', 'sw'));
      seats.forget('s-b');
      assert.deepEqual(seats.allMembers().map((m) => `${m.userId}:${m.role}`).sort(), ['a:player', 'w:spectator']);
    });
  });

  describe('forget and away seats', () => {
    it('a player whose session ends stays seated, away, until the seat is released', () => {
      seats.take(member('a'));
      seats.take(member('b'));
      assert.equal(seats.forget('s-a')?.userId, 'a');
      assert.ok(seats.isSeated('a'));
      assert.equal(seats.sessionOfSeat('a'), '');
      assert.deepEqual(seats.awayIds(), ['a']);
      assert.equal(seats.member('s-a'), undefined);
      assert.equal(seats.seatedCount, 2);
      assert.equal(seats.spectatorCount, 0);
    });

    it('forgetting a replaced session does not take the seat away from the new session', () => {
      seats.take(member('a', 'old'));
      assert.equal(seats.reclaim(member('a', 'new')), 'old');
      assert.equal(seats.forget('old'), undefined);
      assert.equal(seats.sessionOfSeat('a'), 'new');
      assert.deepEqual(seats.awayIds(), []);
    });
  });

  describe('reclaim', () => {
    it('a new session of a connected player replaces the old one and returns it', () => {
      seats.take(member('a', 'first'));
      assert.equal(seats.reclaim(member('a', 'second', { name: 'renamed' })), 'first');
      assert.equal(seats.member('first'), undefined);
      assert.equal(seats.member('second')!.role, 'player');
      assert.equal(seats.sessionOfSeat('a'), 'second');
      assert.equal(seats.seatedCount, 1);
      assert.equal(seats.snapshot()[0].seat, 0, 'the seat number stays');
    });

    it('an away player coming back replaces nothing; the same session again replaces nothing', () => {
      seats.take(member('a'));
      seats.forget('s-a');
      assert.equal(seats.reclaim(member('a', 's-a2')), undefined);
      assert.equal(seats.sessionOfSeat('a'), 's-a2');
      assert.equal(seats.reclaim(member('a', 's-a2')), undefined);
      assert.ok(seats.member('s-a2'));
    });

    it('cancels the wait of the seat exactly once, and the seat no longer waits', () => {
      seats.take(member('a'));
      seats.forget('s-a');
      const wait = waiting();
      seats.await('a', wait);
      seats.reclaim(member('a', 'back'));
      assert.equal(wait.cancelled, 1);
      assert.equal(seats.isWaiting('a'), false);
      seats.release('a');
      assert.equal(wait.cancelled, 1, 'a wait that ended is not cancelled again');
    });

    it('a spectator-flagged member reclaiming a seat is a player', () => {
      seats.take(member('a'));
      seats.reclaim(member('a', 'again', { role: 'spectator' }));
      assert.equal(seats.member('again')!.role, 'player');
      assert.equal(seats.spectatorCount, 0);
    });

    it('reclaiming a seat nobody holds throws and admits nobody', () => {
      assert.throws(() => seats.reclaim(member('ghost')));
      assert.equal(seats.member('s-ghost'), undefined);
      assert.equal(seats.isSeated('ghost'), false);
    });
  });

  describe('waits', () => {
    it('a new wait replaces the previous one, which is cancelled', () => {
      seats.take(member('a'));
      const first = waiting();
      const second = waiting();
      seats.await('a', first);
      assert.ok(seats.isWaiting('a'));
      seats.await('a', second);
      assert.equal(first.cancelled, 1);
      assert.equal(second.cancelled, 0);
      assert.ok(seats.isWaiting('a'));
    });

    it('waiting on a seat that does not exist cancels the wait at once', () => {
      const wait = waiting();
      seats.await('nobody', wait);
      assert.equal(wait.cancelled, 1);
      assert.equal(seats.isWaiting('nobody'), false);
    });

    it('waitEnded forgets the wait without cancelling it; unknown users are ignored', () => {
      seats.take(member('a'));
      const wait = waiting();
      seats.await('a', wait);
      seats.waitEnded('a');
      assert.equal(seats.isWaiting('a'), false);
      assert.equal(wait.cancelled, 0);
      seats.release('a');
      assert.equal(wait.cancelled, 0);
      assert.doesNotThrow(() => seats.waitEnded('nobody'));
    });
  });

  describe('release', () => {
    it('frees the seat, cancels its wait and ends its connected session', () => {
      seats.take(member('a'));
      seats.watch(member('w', 'sw'));
      const wait = waiting();
      seats.await('a', wait);
      assert.equal(seats.release('a'), true);
      assert.equal(wait.cancelled, 1);
      assert.equal(seats.isSeated('a'), false);
      assert.equal(seats.member('s-a'), undefined);
      assert.equal(seats.forget('s-a'), undefined);
      assert.equal(seats.seatedCount, 0);
      assert.equal(seats.spectatorCount, 1);
    });

    it('returns false for a seat that is not there (twice, or never taken)', () => {
      seats.take(member('a'));
      assert.equal(seats.release('a'), true);
      assert.equal(seats.release('a'), false);
      assert.equal(seats.release('nobody'), false);
      seats.watch(member('w', 'sw'));
      assert.equal(seats.release('w'), false, 'a spectator has no seat');
      assert.ok(seats.member('sw'));
    });
  });

  describe('host', () => {
    function threeSeats(): void {
      seats.take(member('a'));
      time = 2_000;
      seats.take(member('b'));
      time = 3_000;
      seats.take(member('c'));
    }

    it('starts with nobody; setHost sets it', () => {
      assert.equal(seats.hostId, '');
      seats.setHost('x');
      assert.equal(seats.hostId, 'x');
    });

    it('passes to the longest-seated connected player, never to the one leaving', () => {
      threeSeats();
      seats.setHost('a');
      assert.equal(seats.electHost('a'), 'b');
      assert.equal(seats.hostId, 'b');
    });

    it('prefers a connected player over a longer-seated away one', () => {
      threeSeats();
      seats.forget('s-b');
      assert.equal(seats.electHost('a'), 'c');
    });

    it('falls back to the longest-seated away player, then to nobody', () => {
      threeSeats();
      seats.forget('s-b');
      seats.forget('s-c');
      assert.equal(seats.electHost('a'), 'b');
      seats.release('b');
      seats.release('c');
      assert.equal(seats.electHost('a'), '');
      assert.equal(seats.hostId, '');
    });

    it('orders by time seated, not by seat number', () => {
      seats.take(member('a'));
      time = 2_000;
      seats.take(member('b'));
      seats.release('a');
      time = 3_000;
      seats.take(member('late')); // seat 0, but seated last
      seats.take(member('host'));
      assert.equal(seats.electHost('host'), 'b');
    });

    it('spectators never become host', () => {
      seats.watch(member('w', 'sw'));
      seats.take(member('a'));
      assert.equal(seats.electHost('a'), '');
    });
  });

  describe('snapshot and restore', () => {
    it('snapshots seat records only (no sessions, no waits, no spectators), JSON-safe', () => {
      seats.take(member('a'));
      seats.watch(member('w', 'sw'));
      seats.await('a', waiting());
      const snapshot = seats.snapshot();
      assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), [{ userId: 'a', name: 'name of a', seat: 0, joinedAt: 1_000 }]);
      assert.deepEqual(Object.keys(snapshot[0]).sort(), ['joinedAt', 'name', 'seat', 'userId']);
    });

    it('restored seats are away and waiting; a returning player reclaims theirs', () => {
      seats.take(member('a'));
      time = 5_000;
      seats.take(member('b'));
      const restored = new SeatRegistry(() => 99_000);
      const waits = new Map<string, ReturnType<typeof waiting>>();
      for (const record of JSON.parse(JSON.stringify(seats.snapshot()))) {
        const wait = waiting();
        waits.set(record.userId, wait);
        restored.restore(record, wait);
      }
      assert.deepEqual(restored.snapshot(), seats.snapshot());
      assert.deepEqual(restored.awayIds().sort(), ['a', 'b']);
      assert.deepEqual(restored.allMembers(), []);
      assert.ok(restored.isWaiting('a') && restored.isWaiting('b'));
      assert.equal(restored.reclaim(member('b', 'fresh')), undefined);
      assert.equal(waits.get('b')!.cancelled, 1);
      assert.equal(waits.get('a')!.cancelled, 0);
      assert.deepEqual(restored.awayIds(), ['a']);
    });

    it('a restored seat without a wait is not waiting; host election uses the restored join times', () => {
      const restored = new SeatRegistry(() => 0);
      restored.restore({ userId: 'late', name: 'L', seat: 0, joinedAt: 9_000 });
      restored.restore({ userId: 'early', name: 'E', seat: 1, joinedAt: 1_000 });
      assert.equal(restored.isWaiting('late'), false);
      assert.equal(restored.electHost('nobody'), 'early');
    });

    it('a new player after a restore takes a free number, not one of the restored seats', () => {
      seats.restore({ userId: 'a', name: 'A', seat: 0, joinedAt: 1 });
      seats.restore({ userId: 'c', name: 'C', seat: 2, joinedAt: 2 });
      assert.equal(seats.take(member('b')).seat, 1);
      assert.equal(seats.take(member('d')).seat, 3);
      assert.deepEqual(seats.seatedIds(), ['a', 'b', 'c', 'd']);
    });
  });
});
