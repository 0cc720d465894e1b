/**
 * JournalWriter on its own (group commit), on the real SQLite storage (a fresh file per test)
 * wrapped in a spy that records every commitJournal batch and can hold the next commit in flight,
 * fail it, or make every commit take a while. What it must show: the writes of many rooms share a
 * transaction; writes arriving while one commit runs go into the next; one write per room per
 * batch, in the room's order; a failed commit fails exactly its own writes; the heartbeat's
 * `leasesRenewed` reports exactly the rooms taken over; and queued or committing writes never
 * block the event loop.
 */
import { strict as assert } from 'assert';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { openStorage, SQLITE_FILE } from '../../src/persistence/open';
import { JournalWriter, MAX_BATCH_WRITES } from '../../src/persistence/journalWriter';
import type { JournalBatch, JournalOutcome, JournalWrite, Storage } from '../../src/persistence/storage';
import { storageSpy } from '../support/storageSpy';

const OWNER = 'process-a';
const LEASE_MS = 30_000;

/** The real storage with its journal commits recorded, and held, failed or slowed on demand. */
interface CountingStorage extends Storage {
  /** Every commitJournal batch, in call order. */
  readonly batches: JournalBatch[];
  /** Commits started and not settled yet. */
  readonly inFlight: number;
  /** The largest number of commits that ran at once. */
  readonly maxInFlight: number;
  /** The next this-many commits reject without reaching the database. */
  failNext: number;
  /** Every commit waits this long before it reaches the database. */
  delayMs: number;
  /** The next commit waits until the returned function is called. */
  holdNext(): () => void;
}

function counting(storage: Storage): CountingStorage {
  const spy = {
    batches: [] as JournalBatch[],
    inFlight: 0,
    maxInFlight: 0,
    failNext: 0,
    delayMs: 0,
    hold: undefined as Promise<void> | undefined,
  };
  const commitJournal = async (batch: JournalBatch): Promise<JournalOutcome[]> => {
    spy.batches.push(batch);
    spy.inFlight++;
    spy.maxInFlight = Math.max(spy.maxInFlight, spy.inFlight);
    try {
      const gate = spy.hold;
      spy.hold = undefined;
      await gate;
      if (spy.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, spy.delayMs));
      if (spy.failNext > 0) {
        spy.failNext--;
        throw new Error('disk full (injected)');
      }
      return await storage.commitJournal(batch);
    } finally {
      spy.inFlight--;
    }
  };
  const extras: Record<string, () => unknown> = {
    batches: () => spy.batches,
    inFlight: () => spy.inFlight,
    maxInFlight: () => spy.maxInFlight,
    failNext: () => spy.failNext,
    delayMs: () => spy.delayMs,
    holdNext: () => () => {
      let open!: () => void;
      spy.hold = new Promise<void>((resolve) => (open = resolve));
      return open;
    },
  };
  return storageSpy<CountingStorage>(storage, commitJournal, extras, { failNext: (value) => (spy.failNext = value), delayMs: (value) => (spy.delayMs = value) });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Waits (a bounded number of turns) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 1000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const snapshot = (code: string, data: unknown = { code }, extra: Partial<Extract<JournalWrite, { kind: 'snapshot' }>> = {}): JournalWrite => ({
  kind: 'snapshot', code, game: 'cabo', snapshot: JSON.stringify(data), leaseUntil: Date.now() + LEASE_MS, ...extra,
});
const append = (code: string, seq: number, event: unknown = { seq }): JournalWrite => ({
  kind: 'append', code, seq, event: JSON.stringify(event), at: Date.now(),
});
const roomCodes = (count: number, prefix = 'R') => Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);

describe('units: JournalWriter (group commit, SQLite)', () => {
  const dirs: string[] = [];
  const opened: Storage[] = [];
  let storage: CountingStorage;
  let writer: JournalWriter;
  /** The SQLite file of the test's storage. */
  let file: string;

  beforeEach(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-writer-'));
    dirs.push(dataDir);
    file = path.join(dataDir, SQLITE_FILE);
    const raw = await openStorage({ dataDir });
    opened.push(raw);
    storage = counting(raw);
    writer = new JournalWriter(storage, OWNER);
  });

  afterEach(async () => {
    await until(() => storage.inFlight === 0 && writer.backlog === 0, 'the writer to drain').catch(() => {});
    for (const each of opened.splice(0)) await each.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Creates the rooms through the writer (their first snapshots). */
  async function create(codes: string[]): Promise<void> {
    const outcomes = await Promise.all(codes.map((code) => writer.write(snapshot(code))));
    assert.ok(outcomes.every((outcome) => outcome === 'ok'), JSON.stringify(outcomes));
  }

  it('50 rooms appending concurrently: a handful of commits, not 50, and every append ok and stored', async () => {
    const codes = roomCodes(50);
    await create(codes);
    const before = storage.batches.length;
    const outcomes = await Promise.all(codes.map((code) => writer.write(append(code, 1, { from: code }))));
    assert.deepEqual(outcomes, codes.map(() => 'ok'));
    const commits = storage.batches.slice(before);
    assert.ok(commits.length <= 3, `${commits.length} commits for 50 appends`);
    assert.equal(commits.reduce((sum, batch) => sum + batch.writes.length, 0), 50, 'each write committed once');
    for (const batch of commits) {
      assert.equal(batch.owner, OWNER);
      assert.ok(Math.abs(batch.now - Date.now()) < 10_000, 'fenced at the current time');
    }
    assert.equal(storage.maxInFlight, 1, 'one batch in flight at a time');
    for (const code of codes) {
      assert.deepEqual((await storage.loadLiveRoom(code))!.events.map(({ seq, event }) => [seq, event]), [[1, { from: code }]]);
    }
  });

  it('writes that arrive while a commit is in flight go into the next batch, all of them together', async () => {
    const codes = roomCodes(6);
    await create(codes);
    const before = storage.batches.length;
    const open = storage.holdNext();
    const first = writer.write(append(codes[0]!, 1));
    await until(() => storage.inFlight === 1, 'the first commit to start');
    const later = codes.slice(1).map((code) => writer.write(append(code, 1)));
    await nextTurn();
    assert.equal(storage.batches.length, before + 1, 'no second commit while the first runs');
    open();
    assert.equal(await first, 'ok');
    assert.deepEqual(await Promise.all(later), ['ok', 'ok', 'ok', 'ok', 'ok']);
    const commits = storage.batches.slice(before);
    assert.deepEqual(commits.map((batch) => batch.writes.map((write) => write.code)), [[codes[0]], codes.slice(1)]);
    assert.equal(storage.maxInFlight, 1);
  });

  it("two writes of one room never share a batch, and a room's writes commit in the order it made them", async () => {
    // Order matters to the outcomes: the append needs the snapshot first, the reset drops seq 1
    // so that it can be logged again, and seq 2 after the reset follows the second seq 1.
    const writes: JournalWrite[] = [
      snapshot('AAA'),
      append('AAA', 1, 'first'),
      snapshot('BBB'),
      snapshot('AAA', { reset: true }, { dropEventsThrough: 'all' }),
      append('BBB', 1, 'b'),
      append('AAA', 1, 'again'),
      append('AAA', 2, 'then'),
      snapshot('CCC'),
    ];
    const outcomes = await Promise.all(writes.map((write) => writer.write(write)));
    assert.deepEqual(outcomes, writes.map(() => 'ok'));
    for (const batch of storage.batches) {
      const codes = batch.writes.map((write) => write.code);
      assert.equal(new Set(codes).size, codes.length, `one write per room: ${codes}`);
    }
    const committed = storage.batches.flatMap((batch) => batch.writes);
    assert.equal(committed.length, writes.length);
    for (const code of ['AAA', 'BBB', 'CCC']) {
      assert.deepEqual(committed.filter((write) => write.code === code), writes.filter((write) => write.code === code), `order of ${code}`);
    }
    assert.equal(storage.batches.length, 5, 'AAA has five writes: five batches, the other rooms ride along');
    assert.deepEqual(storage.batches[0]!.writes.map((write) => write.code), ['AAA', 'BBB', 'CCC'], 'the first batch takes the oldest write of each room');
    const aaa = (await storage.loadLiveRoom('AAA'))!;
    assert.deepEqual(aaa.snapshot, { reset: true });
    assert.deepEqual(aaa.events.map(({ seq, event }) => [seq, event]), [[1, 'again'], [2, 'then']]);
  });

  it('a batch holds at most MAX_BATCH_WRITES writes; the rest go into the next', async () => {
    const codes = roomCodes(MAX_BATCH_WRITES + 5, 'M');
    await create(codes);
    assert.deepEqual(storage.batches.map((batch) => batch.writes.length), [MAX_BATCH_WRITES, 5]);
  });

  it("a failed commit rejects exactly its batch's writes; the next batch still commits", async () => {
    await create(['AAA', 'BBB', 'CCC', 'DDD']);
    const before = storage.batches.length;
    const open = storage.holdNext();
    storage.failNext = 1;
    const failing = [writer.write(append('AAA', 1)), writer.write(append('BBB', 1))];
    await until(() => storage.inFlight === 1, 'the first commit to start');
    const next = [writer.write(append('CCC', 1)), writer.write(append('DDD', 1)), writer.write(append('AAA', 2))];
    open();
    const settled = await Promise.allSettled([...failing, ...next]);
    assert.deepEqual(settled.map((result) => result.status), ['rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    for (const result of settled.slice(0, 2)) assert.match(String((result as PromiseRejectedResult).reason), /disk full \(injected\)/);
    assert.deepEqual(settled.slice(2).map((result) => (result as PromiseFulfilledResult<JournalOutcome>).value), ['ok', 'ok', 'ok']);
    assert.deepEqual(storage.batches.slice(before).map((batch) => batch.writes.map((write) => write.code)), [['AAA', 'BBB'], ['CCC', 'DDD', 'AAA']]);
    // The failed writes reached nothing; AAA's seq 2 (the writer does not know the room's numbering) did.
    assert.deepEqual((await storage.loadLiveRoom('AAA'))!.events.map(({ seq }) => seq), [2]);
    assert.deepEqual((await storage.loadLiveRoom('BBB'))!.events, []);
    assert.deepEqual((await storage.loadLiveRoom('CCC'))!.events.map(({ seq }) => seq), [1]);
    // The writer keeps working after a failure.
    assert.equal(await writer.write(append('BBB', 1)), 'ok');
    assert.deepEqual((await storage.loadLiveRoom('BBB'))!.events.map(({ seq }) => seq), [1]);
  });

  it('passes the outcomes of the fence through, write by write', async () => {
    await create(['MINE', 'DUPL']);
    assert.equal(await writer.write(append('DUPL', 1)), 'ok');
    await storage.saveLiveRoom({ code: 'THEIRS', game: 'cabo', snapshot: {}, owner: 'process-b', leaseUntil: Date.now() + LEASE_MS });
    const outcomes = await Promise.all([
      writer.write(append('MINE', 1)),
      writer.write(append('THEIRS', 1)),
      writer.write(append('DUPL', 1)),
      writer.write(append('NOWHERE', 1)),
      writer.write(snapshot('THEIRS')),
    ]);
    assert.deepEqual(outcomes, ['ok', 'lease_lost', 'duplicate', 'not_found', 'lease_lost']);
    assert.deepEqual((await storage.loadLiveRoom('THEIRS'))!.events, []);
    assert.equal(await storage.loadLiveRoom('NOWHERE'), undefined);
  });

  // One room's write that storage cannot store (an event without JSON text, what RoomJournal sends
  // for append(undefined)) is refused on its own before it joins a batch: unrelated rooms' writes commit.
  it("one room's write that storage cannot store does not fail the other rooms' writes in its batch", async () => {
    await create(['GOOD', 'BAD']);
    const bad = { ...append('BAD', 1), event: undefined } as unknown as JournalWrite;
    const [good, refused] = await Promise.allSettled([writer.write(append('GOOD', 1)), writer.write(bad)]);
    assert.equal(refused!.status, 'rejected');
    assert.deepEqual(good, { status: 'fulfilled', value: 'ok' });
    assert.deepEqual((await storage.loadLiveRoom('GOOD'))!.events.map(({ seq }) => seq), [1]);
  });

  describe('leasesRenewed (the heartbeat)', () => {
    it('calls lost only for rooms tracked before the renewal started and missing from its list, once', () => {
      let clock = 1_000;
      const tracking = new JournalWriter(storage, OWNER, () => clock);
      const lost: string[] = [];
      const track = (code: string) => tracking.track(code, () => lost.push(code));
      clock = 100; track('KEPT');
      clock = 150; track('TAKEN');
      clock = 200; const untrack = track('CLOSED');
      clock = 300; track('NEWER'); // tracked after the renewal below started: it may not know it yet
      untrack(); // the room closed: no longer ours to lose
      assert.deepEqual(tracking.leasesRenewed(['KEPT'], 250), ['TAKEN']);
      assert.deepEqual(lost, ['TAKEN']);
      // A room reported lost is no longer tracked; a room tracked at the start instant is not "before".
      clock = 400; track('EDGE');
      assert.deepEqual(tracking.leasesRenewed(['KEPT', 'NEWER'], 400), []);
      assert.deepEqual(lost, ['TAKEN']);
      assert.deepEqual(tracking.leasesRenewed([], 401).sort(), ['EDGE', 'KEPT', 'NEWER']);
      assert.deepEqual(lost.sort(), ['EDGE', 'KEPT', 'NEWER', 'TAKEN']);
      assert.deepEqual(tracking.leasesRenewed([], 10_000), [], 'each room is reported once');
    });

    it('tracking a code again replaces the earlier room; the old untrack does not remove the new one', () => {
      let clock = 100;
      const tracking = new JournalWriter(storage, OWNER, () => clock);
      const lost: string[] = [];
      const untrackOld = tracking.track('ROOM', () => lost.push('old'));
      clock = 200;
      tracking.track('ROOM', () => lost.push('new'));
      untrackOld();
      assert.deepEqual(tracking.leasesRenewed([], 300), ['ROOM']);
      assert.deepEqual(lost, ['new']);
    });

    it('works with the codes renewLeases returns', async () => {
      await create(['AAA', 'BBB', 'CCC']);
      const lost: string[] = [];
      for (const code of ['AAA', 'BBB', 'CCC']) writer.track(code, () => lost.push(code));
      assert.deepEqual(await storage.claimExpiredRooms('process-b', Date.now() + 2 * LEASE_MS, Date.now() + 3 * LEASE_MS, 1), ['AAA']);
      const startedAt = Date.now() + 1; // a renewal that began after the rooms were tracked
      const renewed = await storage.renewLeases(OWNER, Date.now() + LEASE_MS);
      assert.deepEqual(renewed, ['BBB', 'CCC']);
      assert.deepEqual(writer.leasesRenewed(renewed, startedAt), ['AAA']);
      assert.deepEqual(lost, ['AAA']);
    });
  });

  describe('the event loop stays free (fault injection: every commit takes 200 ms)', () => {
    /**
     * The event loop's delay while `work` runs, from Node's own sampler (monitorEventLoopDelay: a
     * 1 ms libuv timer, so sampling adds no load of its own), in ms beyond the timer's period. A
     * free loop answers within about a millisecond; anything that blocks it (a synchronous disk
     * wait, a busy loop) shows up as one long delay.
     */
    async function loopDelay(work: () => Promise<unknown>): Promise<{ p99: number; max: number; samples: number }> {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
      histogram.enable();
      try {
        await tick(); // the sampler is ticking before the work starts …
        await work();
        await tick(); // … and records the tick the work delayed last
      } finally {
        histogram.disable();
      }
      const late = (ns: number) => Math.max(0, ns / 1e6 - 1); // a sample is the time between two 1 ms ticks
      return { p99: late(histogram.percentile(99)), max: late(histogram.max), samples: histogram.count };
    }

    it('200 writes queued and committing: p99 event-loop delay < 20 ms, no stall anywhere near a commit', async function () {
      this.timeout(30_000);
      const codes = roomCodes(50);
      await create(codes);
      storage.delayMs = 200;
      const before = storage.batches.length;
      // Four writes per room (a snapshot and three appends): four batches of 50, 200 ms each.
      const writes = codes.flatMap((code) => [snapshot(code, { again: code }), append(code, 1), append(code, 2), append(code, 3)]);
      let outcomes: JournalOutcome[] = [];
      const { p99, max, samples } = await loopDelay(async () => {
        outcomes = await Promise.all(writes.map((write) => writer.write(write)));
      });
      assert.equal(writes.length, 200);
      assert.deepEqual(outcomes, writes.map(() => 'ok'));
      assert.equal(storage.batches.length - before, 4, 'four batches');
      assert.ok(samples > 100, `the loop kept ticking during ~800 ms of commits (${samples} samples)`);
      assert.ok(p99 < 20, `p99 event-loop delay ${p99.toFixed(1)} ms`);
      assert.ok(max < 150, `longest event-loop delay ${max.toFixed(1)} ms (a commit blocking the loop would take ~200 ms)`);
      for (const code of codes) assert.deepEqual((await storage.loadLiveRoom(code))!.events.map(({ seq }) => seq), [1, 2, 3]);
    });

    it("the real SQLite storage: a commit waiting 300 ms for another connection's write lock does not block the loop", async function () {
      this.timeout(30_000);
      const codes = roomCodes(20);
      await create(codes);
      const other = new BetterSqlite3(file);
      try {
        other.exec('begin immediate'); // holds SQLite's write lock: the worker's BEGIN IMMEDIATE waits (busy timeout)
        const released = new Promise<number>((resolve) =>
          setTimeout(() => {
            other.exec('commit');
            resolve(Date.now());
          }, 300),
        );
        let committedAt = 0;
        const { p99, max } = await loopDelay(async () => {
          const outcomes = await Promise.all(codes.map((code) => writer.write(append(code, 1))));
          committedAt = Date.now();
          assert.deepEqual(outcomes, codes.map(() => 'ok'));
        });
        assert.ok(committedAt >= (await released), 'the commit waited for the lock');
        assert.ok(p99 < 20, `p99 event-loop delay ${p99.toFixed(1)} ms`);
        assert.ok(max < 150, `longest event-loop delay ${max.toFixed(1)} ms while the commit waited ~300 ms for the lock`);
      } finally {
        if (other.inTransaction) other.exec('rollback');
        other.close();
      }
      for (const code of codes) assert.deepEqual((await storage.loadLiveRoom(code))!.events.map(({ seq }) => seq), [1]);
    });

    it('(the probe itself) a commit that blocks the loop for 200 ms is detected', async function () {
      this.timeout(30_000);
      await create(['AAA']);
      const blocking = new Proxy(storage, {
        get(target, property) {
          if (property !== 'commitJournal') return Reflect.get(target, property, target);
          return (batch: JournalBatch) => {
            const end = Date.now() + 200;
            while (Date.now() < end); // a synchronous disk wait on the rooms' loop
            return target.commitJournal(batch);
          };
        },
      });
      const blocked = new JournalWriter(blocking, OWNER);
      const { max } = await loopDelay(() => blocked.write(append('AAA', 1)));
      assert.ok(max >= 150, `longest delay ${max.toFixed(1)} ms`);
    });
  });
});
