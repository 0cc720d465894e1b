/**
 * A bad day for storage: a write that fails at a turn deadline is retried until storage is back,
 * so an absent player can never stall a match; a disk that takes long to commit slows only the
 * actions waiting for it, never the rooms' event loop; a shutdown lets the rooms that were
 * already closing finish their writes before the storage closes.
 */
import { strict as assert } from 'assert';
import path from 'path';
import { Worker } from 'worker_threads';
import type { Room } from 'colyseus.js';
import { startArena, seatTable, type Seated, type TestArena } from '../support/arena';
import { SQLITE_FILE } from '../../src/persistence/open';
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

  it('a disk that takes 200 ms per commit: rooms with no action in flight answer pings at p99 < 20 ms', async () => {
    // Another connection (on a thread of its own: waiting for the lock blocks its thread) holds
    // SQLite's write lock 200 ms at a time, as a saturated disk would: every journal commit waits
    // for it, on the storage thread, never on the rooms' loop.
    const blocker = new Worker(
      `const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
       const { workerData, parentPort } = require('worker_threads');
       const db = new Database(workerData, { timeout: 5000 });
       const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
       let holding = true;
       parentPort.on('message', () => (holding = false));
       (function loop() {
         if (!holding) return db.close(), parentPort.close();
         db.exec('BEGIN IMMEDIATE'); pause(200); db.exec('COMMIT');
         setTimeout(loop, 5);
       })();`,
      { eval: true, workerData: path.join(arena.settings.dataDir, SQLITE_FILE) },
    );
    try {
      const busy = await Promise.all([seatTable(arena, 'tictactoe', 2), seatTable(arena, 'tictactoe', 2)]);
      // 12 rooms × 10 pings: 120 samples, within each user's burst of the message rate limit.
      const idle = await Promise.all(Array.from({ length: 12 }, () => seatTable(arena, 'counter', 1)));
      for (const [x] of busy) x.room.send('start', {});
      await Promise.all(busy.map(([x]) => x.probe.stateWhere((state) => state.phase === 'playing', 'match started behind the slow disk', 10_000)));
      const moves = busy.map(([x, o]) => playSlowly(x, o));
      const rtts: number[] = [];
      for (let i = 0; i < 10; i++) {
        for (const [seat] of idle) {
          const sent = performance.now();
          await seat.probe.roundTrip();
          rtts.push(performance.now() - sent);
        }
      }
      const made = await Promise.all(moves);
      rtts.sort((a, b) => a - b);
      const p99 = rtts[Math.floor(rtts.length * 0.99)]!;
      assert.ok(made.every((count) => count >= 2), `the busy rooms kept playing, each move ≥ 200 ms (${made})`);
      assert.ok(p99 < 20, `ping p99 ${p99.toFixed(1)} ms while every commit waited 200 ms`);
    } finally {
      blocker.postMessage('stop');
      await new Promise((resolve) => blocker.once('exit', resolve));
    }
  });
});

// Its own servers (Colyseus' matchmaker is one per process: a shutdown ends every server in it).
describe('abuse: faults at shutdown', function () {
  this.timeout(30_000);
  const hosts: Room[] = [];

  it('a shutdown waits for rooms that were already closing: their records are settled before the storage closes, nothing is logged as failed', async () => {
    const own = await startArena();
    const errors: unknown[] = [];
    const logError = own.services.logger.error.bind(own.services.logger);
    own.services.logger.error = ((...args: unknown[]) => void errors.push(args)) as typeof own.services.logger.error;
    const storage = own.services.storage;
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const host = await own.client(await own.guest()).create('cabo', {});
      codes.push(host.roomId);
      hosts.push(host);
    }
    // the removal of an emptied room's record is slow (a busy disk): the shutdown begins meanwhile
    const remove = storage.deleteLiveRoom.bind(storage);
    let removals = 0;
    const allStarted = new Promise<void>((resolve) => {
      storage.deleteLiveRoom = async (code: string) => {
        if (++removals === codes.length) resolve();
        await new Promise((done) => setTimeout(done, 200)); // the injected slow commit
        return remove(code);
      };
    });
    await Promise.all(hosts.splice(0).map((host) => host.leave())); // consented: the empty rooms close
    await allStarted;
    await own.shutdown({ keepData: true });
    own.services.logger.error = logError;
    assert.deepEqual(errors, []);
    const again = await startArena({ dataDir: own.settings.dataDir });
    try {
      const left = (await again.services.storage.listLiveRooms()).map((room) => room.code).filter((code) => codes.includes(code));
      assert.deepEqual(left, [], 'the closed rooms are not restored');
    } finally {
      await again.shutdown();
    }
  });
});

/** X and O place marks in turn until the game ends or 3 moves were made; returns the moves made. */
async function playSlowly(x: Seated, o: Seated): Promise<number> {
  const seats = [x, o];
  let made = 0;
  for (const cell of [0, 3, 1]) {
    const seat = seats[made % 2]!;
    seat.room.send('place', { cell });
    await seat.probe.stateWhere((state) => state.board[cell] !== '', `mark on ${cell}`, 10_000);
    made++;
  }
  return made;
}
