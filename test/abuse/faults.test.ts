/**
 * A bad day for storage: a write that fails at a turn deadline is retried until storage is back,
 * so an absent player can never stall a match.
 */
import { strict as assert } from 'assert';
import { startArena, seatTable, type TestArena } from '../support/arena';
import type { Storage } from '../../src/persistence/storage';

/** Makes the real storage's journal appends fail (as a dropped database connection does) while `down`. */
function outage(storage: Storage) {
  const commit = storage.commitJournal.bind(storage);
  const failures: Array<() => void> = [];
  let failed = 0;
  const state = { down: false };
  storage.commitJournal = async (...args: Parameters<Storage['commitJournal']>) => {
    if (!state.down) return commit(...args);
    failed++;
    failures.splice(0).forEach((notify) => notify());
    throw new Error('Connection terminated unexpectedly');
  };
  return {
    state,
    /** Resolves once `count` journal commits have failed in all. */
    failedAtLeast: (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => (failed >= count ? resolve() : failures.push(check));
        check();
      }),
    restore: () => (storage.commitJournal = commit),
  };
}

describe('abuse: faults', function () {
  this.timeout(30_000);
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());

  it('retries a turn timeout that storage refused until it is written; the match goes on', async () => {
    const [x, o] = await seatTable(arena, 'tictactoe', 2, { turnSeconds: 2 });
    x.room.send('start', {});
    await x.probe.stateWhere((s) => s.phase === 'playing' && s.turn === x.guest.user.id);
    const fault = outage(arena.services.storage);
    try {
      fault.state.down = true;
      await fault.failedAtLeast(3); // the deadline passed, the timeout failed, and was tried again twice
      assert.equal(o.room.state.board[0], '', 'nothing was applied while storage was down');
      fault.state.down = false;
      const state = await o.probe.stateWhere((s) => s.board[0] === 'X' && s.turn === o.guest.user.id, 'the timeout applied', 10_000);
      assert.ok(state.turnDeadline > Date.now(), 'the next turn has a deadline ahead');
    } finally {
      fault.restore();
    }
  });
});
