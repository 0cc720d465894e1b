/**
 * RoomJournal on its own, on the real SQLite storage (a fresh file per test), the real
 * JournalWriter (group commit, one per process: process B gets its own) and the real in-process
 * Lease: the snapshot (saveNow / saveIfChanged, merged while one runs), the event log with its
 * sequence numbers, resetLog, load for a restore, release and remove, and what happens when
 * another process took the room (the fence refuses a write, or the heartbeat does not find the
 * room any more: onLost). No room, no socket.
 *
 * A thin spy around the real storage records every commitJournal batch, can make the next
 * snapshot commits fail and can hold the next commit in flight (to see what runs while it does);
 * every read and write still goes to SQLite.
 */
import { strict as assert } from 'assert';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { openStorage } from '../../src/persistence/open';
import { JournalWriter } from '../../src/persistence/journalWriter';
import { RoomJournal, type RoomJournalOptions } from '../../src/persistence/roomJournal';
import { DuplicateEventError, InvalidInputError, LeaseLostError, type JournalBatch, type JournalWrite, type Storage } from '../../src/persistence/storage';
import { Lease } from '../../src/cluster/lease';
import type { Logger } from '../../src/logger';
import { storageSpy } from '../support/storageSpy';

const LEASE_MS = 30_000;
const CODE = 'ABC234';

type SnapshotWrite = Extract<JournalWrite, { kind: 'snapshot' }>;

/** The real storage, with its journal commits recorded (and failed or held on demand). */
interface SpiedStorage extends Storage {
  /** Every commitJournal batch, in call order. */
  readonly commits: JournalBatch[];
  /** Every snapshot write of those batches, in call order, with its batch's owner and parsed snapshot. */
  readonly saves: Array<{ owner: string; now: number; write: SnapshotWrite; snapshot: unknown }>;
  /** Commits started and not settled yet. */
  readonly inFlight: number;
  /** Those commits. */
  readonly running: Array<Promise<unknown>>;
  /** The next this-many commits holding a snapshot write reject (without reaching the database). */
  failNextSaves: number;
  /** The next commit waits until the returned function is called. */
  holdNextCommit(): () => void;
}

function spied(storage: Storage): SpiedStorage {
  const spy = {
    commits: [] as JournalBatch[],
    saves: [] as SpiedStorage['saves'],
    failNextSaves: 0,
    running: new Set<Promise<unknown>>(),
    hold: undefined as Promise<void> | undefined,
  };
  const commit = async (batch: JournalBatch) => {
    const gate = spy.hold;
    spy.hold = undefined;
    await gate;
    if (spy.failNextSaves > 0 && batch.writes.some((write) => write.kind === 'snapshot')) {
      spy.failNextSaves--;
      throw new Error('disk full (injected)');
    }
    return storage.commitJournal(batch);
  };
  const commitJournal = (batch: JournalBatch) => {
    spy.commits.push(batch);
    for (const write of batch.writes) {
      if (write.kind === 'snapshot') spy.saves.push({ owner: batch.owner, now: batch.now, write, snapshot: JSON.parse(write.snapshot) });
    }
    const running = commit(batch).finally(() => spy.running.delete(running));
    spy.running.add(running);
    return running;
  };
  const extras: Record<string, () => unknown> = {
    commits: () => spy.commits,
    saves: () => spy.saves,
    inFlight: () => spy.running.size,
    running: () => [...spy.running],
    failNextSaves: () => spy.failNextSaves,
    holdNextCommit: () => () => {
      let open!: () => void;
      spy.hold = new Promise<void>((resolve) => (open = resolve));
      return open;
    },
  };
  return storageSpy<SpiedStorage>(storage, commitJournal, extras, { failNextSaves: (value) => (spy.failNextSaves = value) });
}

/** A logger that keeps its error lines. */
function recordingLogger(): Logger & { errors: Array<{ fields: unknown; message: unknown }> } {
  const errors: Array<{ fields: unknown; message: unknown }> = [];
  const logger = {
    errors,
    error: (fields: unknown, message?: unknown) => void errors.push({ fields, message }),
    warn: () => {},
    info: () => {},
    debug: () => {},
  };
  return logger as unknown as Logger & { errors: typeof errors };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Waits until no commit runs and no write is queued any more, including the follow-up saves a
 * finished one starts and the writer's next batch (it starts on setImmediate).
 */
async function settled(storage: SpiedStorage, writers: JournalWriter[]): Promise<void> {
  let idle = 0;
  for (let round = 0; round < 200; round++) {
    await Promise.allSettled(storage.running);
    await nextTurn();
    idle = storage.inFlight === 0 && writers.every((writer) => writer.backlog === 0) ? idle + 1 : 0;
    if (idle >= 2) return;
  }
  throw new Error('the journal writes never settled');
}

function heldLease(): Lease {
  const lease = new Lease(LEASE_MS);
  lease.renewed(Date.now() + LEASE_MS);
  return lease;
}

describe('units: RoomJournal (SQLite)', () => {
  const dirs: string[] = [];
  const opened: Storage[] = [];
  let storage: SpiedStorage;
  /** Process A's writer (the process under test). */
  let writer: JournalWriter;
  /** Process B's writer (the adopting process). */
  let writerB: JournalWriter;
  let logger: ReturnType<typeof recordingLogger>;
  let lease: Lease;
  /** What the room's snapshot() returns now. */
  let state: unknown;
  let lost: number;

  const settle = () => settled(storage, [writer, writerB]);

  beforeEach(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-journal-'));
    dirs.push(dataDir);
    const raw = await openStorage({ dataDir });
    opened.push(raw);
    storage = spied(raw);
    writer = new JournalWriter(storage, 'process-a');
    writerB = new JournalWriter(storage, 'process-b');
    logger = recordingLogger();
    lease = heldLease();
    state = { phase: 'waiting', seats: [] };
    lost = 0;
  });

  afterEach(async () => {
    await settle().catch(() => {});
    for (const each of opened.splice(0)) await each.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function journal(overrides: Partial<RoomJournalOptions> = {}): RoomJournal {
    return new RoomJournal({
      storage, writer, lease, logger, owner: 'process-a', code: CODE, game: 'cabo',
      snapshot: () => state, onLost: () => void lost++, ...overrides,
    });
  }

  /** Another process adopts the room (its lease ran out from that process's point of view) and saves it. */
  async function adoptedByB(snapshot: unknown = { adopted: true }): Promise<RoomJournal> {
    const claimed = await storage.claimExpiredRooms('process-b', Date.now() + 10 * LEASE_MS, Date.now() + 20 * LEASE_MS);
    assert.deepEqual(claimed, [CODE]);
    const record = await RoomJournal.load(storage, CODE, 'process-b');
    assert.ok(record);
    const theirs = journal({
      owner: 'process-b', writer: writerB, snapshot: () => snapshot, lastSeq: record.events.at(-1)?.seq ?? 0,
      onLost: () => assert.fail('B lost the room'),
    });
    await theirs.saveNow();
    return theirs;
  }

  const loggedEvents = async () => (await storage.loadLiveRoom(CODE))!.events.map(({ seq, event }) => [seq, event]);

  describe('snapshot', () => {
    it('saveNow writes snapshot, game, owner and a lease of lease.ms from now through the writer; load returns it to its owner only', async () => {
      const before = Date.now();
      await journal().saveNow();
      const after = Date.now();
      const record = await RoomJournal.load(storage, CODE, 'process-a');
      assert.ok(record);
      assert.deepEqual(record.snapshot, state);
      assert.equal(record.game, 'cabo');
      assert.equal(record.owner, 'process-a');
      assert.deepEqual(record.events, []);
      assert.ok(record.leaseUntil >= before + LEASE_MS && record.leaseUntil <= after + LEASE_MS, `leaseUntil ${record.leaseUntil}`);
      assert.equal(storage.commits.length, 1, 'one journal commit');
      const [save] = storage.saves;
      assert.equal(save.owner, 'process-a', 'fenced on this process');
      assert.ok(save.now >= before && save.now <= after, 'fenced at the time of the commit');
      assert.equal(save.write.code, CODE);
      assert.equal(save.write.dropEventsThrough, undefined);
      assert.equal(await RoomJournal.load(storage, CODE, 'process-b'), undefined);
      assert.equal(await RoomJournal.load(storage, 'ZZZ999', 'process-a'), undefined);
    });

    it('saveNow writes every time, replacing the snapshot', async () => {
      const room = journal();
      await room.saveNow();
      state = { phase: 'playing', seats: ['a'] };
      await room.saveNow();
      await room.saveNow();
      assert.equal(storage.saves.length, 3);
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { phase: 'playing', seats: ['a'] });
    });

    it('saveIfChanged writes before any save, then only when the snapshot JSON changed', async () => {
      const room = journal();
      room.saveIfChanged();
      await settle();
      assert.equal(storage.saves.length, 1);
      state = { phase: 'waiting', seats: [] }; // a new object, equal JSON
      room.saveIfChanged();
      await settle();
      assert.equal(storage.saves.length, 1);
      state = { phase: 'waiting', seats: ['a'] };
      room.saveIfChanged();
      await settle();
      assert.equal(storage.saves.length, 2);
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { phase: 'waiting', seats: ['a'] });
    });

    it('requests while a save runs are merged into one more save of the latest snapshot', async () => {
      const room = journal();
      await room.saveNow();
      for (let n = 1; n <= 5; n++) {
        state = { n };
        room.saveIfChanged();
      }
      await settle();
      assert.deepEqual(storage.saves.map((save) => save.snapshot), [{ phase: 'waiting', seats: [] }, { n: 1 }, { n: 5 }]);
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { n: 5 });
    });

    // The comparison is with the last snapshot submitted, not the last one written.
    it('a change back to the last written snapshot while another save runs is not lost', async () => {
      const room = journal();
      await room.saveNow(); // A written
      const open = storage.holdNextCommit();
      state = { phase: 'waiting', seats: ['joined'] };
      room.saveIfChanged(); // B being written
      await nextTurn();
      assert.equal(storage.inFlight, 1, 'B is in flight');
      state = { phase: 'waiting', seats: [] };
      room.saveIfChanged(); // back to A while B runs: must be written again
      open();
      await settle();
      assert.deepEqual(storage.saves.map((save) => save.snapshot), [{ phase: 'waiting', seats: [] }, { phase: 'waiting', seats: ['joined'] }, { phase: 'waiting', seats: [] }]);
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { phase: 'waiting', seats: [] });
    });

    it('a failed background save is logged, does not count as lost, and is retried by the next request', async () => {
      const room = journal();
      await room.saveNow();
      storage.failNextSaves = 1;
      state = { phase: 'playing', seats: [] };
      assert.doesNotThrow(() => room.saveIfChanged());
      await settle();
      assert.equal(logger.errors.length, 1);
      assert.equal(logger.errors[0].message, 'saving the room snapshot failed');
      assert.equal(lost, 0);
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { phase: 'waiting', seats: [] });
      room.saveIfChanged(); // same snapshot, but it never reached storage
      await settle();
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { phase: 'playing', seats: [] });
    });

    it('a failed saveNow rejects with the commit error without stopping the journal', async () => {
      const room = journal();
      storage.failNextSaves = 1;
      await assert.rejects(room.saveNow(), /disk full/);
      assert.equal(lost, 0);
      assert.equal(await storage.loadLiveRoom(CODE), undefined);
      await room.saveNow();
      assert.ok(await storage.loadLiveRoom(CODE));
      await room.append('after the retry');
      assert.deepEqual(await loggedEvents(), [[1, 'after the retry']]);
    });

    // Storage promises InvalidInputError for what it cannot store (a NUL in a game name, an event
    // that has no JSON text such as append(undefined)), and nothing written.
    it('saveNow / append of something storage cannot store reject with InvalidInputError and store nothing', async () => {
      const bad = journal({ game: 'ca\u0000bo' });
      await assert.rejects(bad.saveNow(), InvalidInputError);
      assert.equal(lost, 0);
      assert.equal(await storage.loadLiveRoom(CODE), undefined);
      const room = journal();
      await room.saveNow();
      await assert.rejects(room.append(undefined), InvalidInputError);
      assert.deepEqual(await loggedEvents(), []);
    });
  });

  describe('event log', () => {
    it('appends with sequence numbers 1, 2, 3 … in order, each stamped with its time', async () => {
      const room = journal();
      await room.saveNow();
      const before = Date.now();
      for (const move of ['draw', 'swap', 'cabo']) await room.append({ move });
      const record = (await RoomJournal.load(storage, CODE, 'process-a'))!;
      assert.deepEqual(record.events.map(({ seq, event }) => [seq, event]), [[1, { move: 'draw' }], [2, { move: 'swap' }], [3, { move: 'cabo' }]]);
      for (const entry of record.events) assert.ok(entry.at >= before && entry.at <= Date.now());
    });

    it('a restored journal continues after the last logged event (lastSeq from load)', async () => {
      const first = journal();
      await first.saveNow();
      await first.append('one');
      await first.append('two');
      const record = (await RoomJournal.load(storage, CODE, 'process-a'))!;
      const restored = journal({ lastSeq: record.events.at(-1)?.seq ?? 0 });
      await restored.saveNow();
      await restored.append('three');
      assert.deepEqual(await loggedEvents(), [[1, 'one'], [2, 'two'], [3, 'three']]);
    });

    it('refuses to journal without a fresh lease: never renewed, or within its last sixth; nothing is written or used up', async () => {
      const stale = new Lease(LEASE_MS);
      const room = journal({ lease: stale });
      await room.saveNow();
      const commits = storage.commits.length;
      await assert.rejects(room.append('never renewed'), /not held/);
      stale.renewed(Date.now() + LEASE_MS / 6 - 1_000); // could lapse before the write lands
      await assert.rejects(room.append('lapsing'), /not held/);
      assert.equal(storage.commits.length, commits, 'nothing reached the writer');
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.events, []);
      stale.renewed(Date.now() + LEASE_MS);
      await room.append('renewed');
      assert.deepEqual(await loggedEvents(), [[1, 'renewed']]);
      assert.equal(lost, 0);
    });

    it("the journals of several rooms share the process's writer: appends made in one tick commit together", async () => {
      const codes = ['ROOM01', 'ROOM02', 'ROOM03'];
      const rooms = codes.map((code) => journal({ code }));
      await Promise.all(rooms.map((room) => room.saveNow()));
      const commits = storage.commits.length;
      await Promise.all(rooms.map((room, index) => room.append({ move: index })));
      assert.equal(storage.commits.length, commits + 1, 'one transaction for the three appends');
      assert.deepEqual(storage.commits.at(-1)!.writes.map((write) => [write.kind, write.code]), codes.map((code) => ['append', code]));
      for (const [index, code] of codes.entries()) {
        assert.deepEqual((await storage.loadLiveRoom(code))!.events.map(({ seq, event }) => [seq, event]), [[1, { move: index }]]);
      }
    });

    it('an append to a room storage does not have (never saved, or removed by another process) is refused like a lost lease: LeaseLostError, onLost once, journal stopped', async () => {
      const early = journal();
      await assert.rejects(early.append('too early'), LeaseLostError);
      assert.equal(lost, 1);
      assert.equal(await storage.loadLiveRoom(CODE), undefined, 'nothing created');
      await early.saveNow(); // stopped: writes nothing
      assert.equal(await storage.loadLiveRoom(CODE), undefined);

      lost = 0;
      const room = journal();
      await room.saveNow();
      await room.append('one');
      assert.equal(await storage.deleteLiveRoom(CODE), true); // e.g. another process archived it
      await assert.rejects(room.append('two'), LeaseLostError);
      assert.equal(lost, 1);
      await assert.rejects(room.append('three'), LeaseLostError);
      room.saveIfChanged();
      state = { changed: true };
      room.saveIfChanged();
      await settle();
      assert.equal(lost, 1, 'onLost once');
      assert.equal(await storage.loadLiveRoom(CODE), undefined, 'a stopped journal does not bring the room back');
    });

    it('a failed append leaves the log unchanged and the next one takes the same number', async () => {
      const room = journal();
      await room.saveNow();
      await room.append('one');
      await assert.rejects(room.append(10n)); // not JSON-serialisable
      await assert.rejects(room.append(undefined)); // no JSON text (see the skipped InvalidInputError test)
      await room.append('two');
      assert.deepEqual(await loggedEvents(), [[1, 'one'], [2, 'two']]);
      assert.equal(lost, 0);
    });

    it('saveNow keeps the log; saveNow({ resetLog }) drops all of it with the same write', async () => {
      const room = journal();
      await room.saveNow();
      await room.append('old 1');
      await room.append('old 2');
      state = { phase: 'playing', seats: ['a', 'b'] };
      await room.saveNow();
      assert.equal((await storage.loadLiveRoom(CODE))!.events.length, 2);
      state = { phase: 'playing', seats: ['a', 'b'], rematch: true };
      const commits = storage.commits.length;
      await room.saveNow({ resetLog: true });
      assert.equal(storage.commits.length, commits + 1, 'one commit');
      assert.equal(storage.saves.at(-1)!.write.dropEventsThrough, 'all');
      const reset = (await storage.loadLiveRoom(CODE))!;
      assert.deepEqual(reset.snapshot, state);
      assert.deepEqual(reset.events, []);
      await room.append('new 1');
      await room.append('new 2');
      const events = (await storage.loadLiveRoom(CODE))!.events;
      assert.deepEqual(events.map(({ event }) => event), ['new 1', 'new 2']);
      assert.ok(events[0].seq < events[1].seq);
    });

    it('a duplicate seq while this process still owns the room is a BUG: logged loudly, DuplicateEventError, no onLost, the room stays open', async () => {
      const first = journal();
      await first.saveNow();
      await first.append('one');
      await first.append('two');
      // A second journal of the same room in the same process, restored with a stale lastSeq.
      const stale = journal({ lastSeq: 1 });
      await assert.rejects(stale.append('clash'), (error: unknown) => {
        assert.ok(error instanceof DuplicateEventError, String(error));
        assert.equal(error.code, CODE);
        assert.equal(error.seq, 2);
        return true;
      });
      assert.equal(lost, 0, 'not a loss: the fence passed');
      const bug = logger.errors.find((line) => /^BUG/.test(String(line.message)));
      assert.ok(bug, `logged as a bug: ${JSON.stringify(logger.errors)}`);
      assert.deepEqual(bug.fields, { room: CODE, seq: 2 });
      assert.deepEqual(await loggedEvents(), [[1, 'one'], [2, 'two']], 'the stored event is kept');
      // It did not use the number up, and it did not stop: the same number clashes again …
      await assert.rejects(stale.append('clash again'), DuplicateEventError);
      // … snapshots still go through …
      state = { still: 'open' };
      stale.saveIfChanged();
      await settle();
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { still: 'open' });
      // … and once the numbering is corrected (here: a reset log frees every number), it journals on.
      await stale.saveNow({ resetLog: true });
      await stale.append('after the fix');
      await stale.append('and on');
      assert.deepEqual(await loggedEvents(), [[2, 'after the fix'], [3, 'and on']]);
      assert.equal(lost, 0);
    });
  });

  describe('another process took the room', () => {
    it('a fenced saveNow fails with LeaseLostError, calls onLost once, and leaves their snapshot alone', async () => {
      const ours = journal();
      await ours.saveNow();
      await adoptedByB({ theirs: true });
      state = { phase: 'playing', seats: ['stale'] };
      await assert.rejects(ours.saveNow(), LeaseLostError);
      assert.equal(lost, 1);
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { theirs: true });
      // Stopped: further saves write nothing and do not report the loss again.
      const writes = storage.saves.length;
      await ours.saveNow();
      ours.saveIfChanged();
      await settle();
      assert.equal(storage.saves.length, writes);
      assert.equal(lost, 1);
      assert.equal((await storage.loadLiveRoom(CODE))!.owner, 'process-b');
    });

    it('a background save that finds the room taken calls onLost and logs, without throwing at the caller', async () => {
      const ours = journal();
      await ours.saveNow();
      await adoptedByB();
      state = { phase: 'playing', seats: [] };
      assert.doesNotThrow(() => ours.saveIfChanged());
      await settle();
      assert.equal(lost, 1);
      assert.ok(logger.errors.some((line) => /another process owns this room/.test(String(line.message))));
      assert.ok(!logger.errors.some((line) => line.message === 'saving the room snapshot failed'), 'a loss is not logged as a failed save');
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.snapshot, { adopted: true });
    });

    it("an append at our next number after B adopted the room (B already wrote it) is a fence refusal: LeaseLostError, onLost once, B's log untouched", async () => {
      const ours = journal();
      await ours.saveNow();
      await ours.append('ours 1');
      const theirs = await adoptedByB();
      await theirs.append('theirs 2');
      await assert.rejects(ours.append('ours 2'), LeaseLostError);
      assert.equal(lost, 1);
      assert.ok(!logger.errors.some((line) => /^BUG/.test(String(line.message))), 'not reported as a numbering bug');
      assert.deepEqual(await loggedEvents(), [[1, 'ours 1'], [2, 'theirs 2']]);
      const writes = storage.saves.length;
      state = { changed: true };
      ours.saveIfChanged();
      await settle();
      assert.equal(storage.saves.length, writes, 'a lost journal saves nothing');
      await theirs.append('theirs 3'); // B is not disturbed
      assert.deepEqual(await loggedEvents(), [[1, 'ours 1'], [2, 'theirs 2'], [3, 'theirs 3']]);
    });

    it("an append at a number B has not used yet is refused too: nothing lands in B's log", async () => {
      const ours = journal();
      await ours.saveNow();
      await ours.append('ours 1');
      const theirs = await adoptedByB();
      await assert.rejects(ours.append('stray 2'), LeaseLostError);
      assert.equal(lost, 1);
      assert.deepEqual(await loggedEvents(), [[1, 'ours 1']]);
      await theirs.append('theirs 2'); // B's own next number is still free
      assert.deepEqual(await loggedEvents(), [[1, 'ours 1'], [2, 'theirs 2']]);
    });

    it("after onLost, append refuses and writes nothing into the new owner's log", async () => {
      const ours = journal();
      await ours.saveNow();
      await adoptedByB();
      await assert.rejects(ours.saveNow(), LeaseLostError);
      assert.equal(lost, 1);
      const commits = storage.commits.length;
      await assert.rejects(ours.append('stray move'), LeaseLostError);
      assert.equal(storage.commits.length, commits, 'not even sent to storage');
      assert.deepEqual((await storage.loadLiveRoom(CODE))!.events, []);
      assert.equal(lost, 1);
    });

    it('the heartbeat not renewing a tracked room (writer.leasesRenewed) stops the journal and calls onLost once', async () => {
      const ours = journal();
      await ours.saveNow();
      await ours.append('one');
      const startedAt = Date.now() + 1; // a renewal that began after the room was tracked
      assert.deepEqual(writer.leasesRenewed([CODE], startedAt), [], 'renewed: still ours');
      assert.equal(lost, 0);
      await adoptedByB();
      assert.deepEqual(writer.leasesRenewed([], startedAt), [CODE]);
      assert.equal(lost, 1);
      assert.ok(logger.errors.some((line) => /another process owns this room/.test(String(line.message))));
      await assert.rejects(ours.append('two'), LeaseLostError);
      const writes = storage.saves.length;
      state = { changed: true };
      ours.saveIfChanged();
      await ours.saveNow();
      await settle();
      assert.equal(storage.saves.length, writes);
      assert.deepEqual(writer.leasesRenewed([], Date.now() + 1), [], 'no longer tracked');
      assert.equal(lost, 1);
    });

    it('a renewal that started before the room was first saved does not count it as lost', async () => {
      const startedAt = Date.now() - 1_000; // a renewal running since before the room existed
      const ours = journal();
      await ours.saveNow();
      assert.deepEqual(writer.leasesRenewed([], startedAt), []);
      assert.equal(lost, 0);
      await ours.append('still ours');
      assert.deepEqual(await loggedEvents(), [[1, 'still ours']]);
    });
  });

  describe('release and remove', () => {
    it('release waits for a running save, then writes the latest snapshot, keeps the log, and frees the lease', async () => {
      const room = journal();
      await room.saveNow();
      await room.append('move');
      const open = storage.holdNextCommit();
      state = { step: 1 };
      room.saveIfChanged();
      state = { step: 2 };
      const released = room.release();
      await nextTurn();
      assert.equal(storage.saves.length, 2, 'no second write while one is running');
      assert.equal(storage.inFlight, 1);
      open();
      await released;
      assert.deepEqual(storage.saves.map((save) => save.snapshot).slice(1), [{ step: 1 }, { step: 2 }]);
      const record = (await storage.loadLiveRoom(CODE))!;
      assert.deepEqual(record.snapshot, { step: 2 });
      assert.deepEqual(record.events.map(({ event }) => event), ['move']);
      assert.equal(record.owner, 'process-a');
      assert.equal(record.leaseUntil, 0);
      assert.equal(storage.inFlight, 0);
      assert.deepEqual(await storage.claimExpiredRooms('process-b', Date.now(), Date.now() + LEASE_MS), [CODE], 'any process may adopt it at once');
    });

    it('after release nothing is written any more, and append is refused', async () => {
      const room = journal();
      await room.saveNow();
      await room.release();
      const writes = storage.saves.length;
      state = { after: 'release' };
      room.saveIfChanged();
      await room.saveNow();
      await assert.rejects(room.append('late move'), LeaseLostError);
      await settle();
      assert.equal(storage.saves.length, writes);
      const record = (await storage.loadLiveRoom(CODE))!;
      assert.equal(record.leaseUntil, 0);
      assert.deepEqual(record.events, []);
    });

    it('release never gives away a room another process holds: LeaseLostError, onLost, their lease untouched', async () => {
      const ours = journal();
      await ours.saveNow();
      await adoptedByB();
      const before = (await storage.loadLiveRoom(CODE))!;
      await assert.rejects(ours.release(), LeaseLostError);
      assert.equal(lost, 1);
      const after = (await storage.loadLiveRoom(CODE))!;
      assert.equal(after.owner, 'process-b');
      assert.equal(after.leaseUntil, before.leaseUntil);
    });

    it('remove deletes the record and its log; a save still running does not bring it back', async () => {
      const room = journal();
      await room.saveNow();
      await room.append('move');
      const open = storage.holdNextCommit();
      state = { last: true };
      room.saveIfChanged();
      await nextTurn();
      assert.equal(storage.inFlight, 1);
      const removed = room.remove();
      await nextTurn();
      open();
      await removed;
      await settle();
      assert.equal(await storage.loadLiveRoom(CODE), undefined);
      state = { resurrected: true };
      room.saveIfChanged();
      await room.saveNow();
      await settle();
      assert.equal(await storage.loadLiveRoom(CODE), undefined, 'a removed journal writes nothing');
      assert.equal(await RoomJournal.load(storage, CODE, 'process-a'), undefined);
      assert.deepEqual(writer.leasesRenewed([], Date.now() + 1), [], 'a removed room is not tracked');
      assert.equal(lost, 0);
    });
  });
});
