/**
 * The behaviour every Storage backend must show. Each backend's test file calls
 * {@link storageContract} inside its describe block with a harness that hands out fresh, empty
 * databases; every test gets its own database, so tests cannot see each other's rows.
 */
import { strict as assert } from 'assert';
import crypto from 'crypto';
import type { OpenStorageOptions } from '../../src/persistence/open';
import {
  ArchiveInput,
  DuplicateEventError,
  DuplicateGameError,
  InvalidInputError,
  JournalWrite,
  LeaseLostError,
  RoomNotFoundError,
  Storage,
  StorageBackend,
} from '../../src/persistence/storage';

/** Extra options a test may pass when opening (the harness supplies where the database is). */
export type OpenExtras = Partial<Pick<OpenStorageOptions, 'now' | 'poolSize'>>;

export interface StorageHarness {
  backend: StorageBackend;
  /** Creates a fresh empty database; the returned function opens (another) Storage on it. */
  freshDatabase(): Promise<(extras?: OpenExtras) => Promise<Storage>>;
  /** Removes the databases handed out so far (called after each test, once its storages closed). */
  cleanup(): Promise<void>;
}

/** Strings that break naive SQL building, quoting, escaping or encodings. NUL-free. */
export const HOSTILE = [
  "'; DROP TABLE live_rooms; --",
  '"; DROP TABLE archived_games; --',
  "Robert'); DROP TABLE live_room_events;--",
  "O'Brien \"the\" \\ back\\slash",
  '%_* LIKE wildcards ?? $1 :name @p0 ${x}',
  'e\u0301mile · Zoë · 東京 · שלום · مرحبا · 🎲🃏👩‍👩‍👧',
  '\t tab\nnew line\r\n  spaces  ',
  '\u202Eright-to-left override',
];

export function storageContract(harness: StorageHarness): void {
  let open: (extras?: OpenExtras) => Promise<Storage>;
  let storage: Storage;
  const opened: Storage[] = [];
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;

  async function openTracked(extras: OpenExtras = {}): Promise<Storage> {
    const instance = await open({ now, ...extras });
    opened.push(instance);
    return instance;
  }

  beforeEach(async () => {
    clock.now = 1_700_000_000_000;
    open = await harness.freshDatabase();
    storage = await openTracked();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((instance) => instance.close()));
    await harness.cleanup();
  });

  const room = (code: string, overrides: Partial<Parameters<Storage['saveLiveRoom']>[0]> = {}) => ({
    code,
    game: 'cabo',
    snapshot: { phase: 'playing', seed: 42 },
    owner: 'proc-a',
    leaseUntil: clock.now + 30_000,
    ...overrides,
  });

  describe('opening', () => {
    it('reports its backend', () => {
      assert.equal(storage.backend, harness.backend);
    });

    it('runs migrations idempotently: reopening the same database keeps the data', async () => {
      await storage.saveLiveRoom(room('KEEP'));
      await storage.appendEvent('KEEP', 1, { type: 'draw' }, clock.now);
      const id = await storage.archiveGame(game('g1', clock.now, ['u1']));
      await storage.close();

      const second = await openTracked();
      const third = await openTracked(); // while the second is still open
      for (const instance of [second, third]) {
        const live = await instance.loadLiveRoom('KEEP');
        assert.deepEqual(live?.events.map((event) => event.seq), [1]);
        assert.equal((await instance.getGame(id))?.code, 'g1');
      }
    });

    it('close is idempotent', async () => {
      await storage.close();
      await storage.close();
    });
  });

  describe('live rooms', () => {
    it('saves, loads and replaces a room by code (upsert)', async () => {
      await storage.saveLiveRoom(room('ABCD'));
      const first = await storage.loadLiveRoom('ABCD');
      assert.deepEqual(first, {
        code: 'ABCD',
        game: 'cabo',
        snapshot: { phase: 'playing', seed: 42 },
        owner: 'proc-a',
        leaseUntil: clock.now + 30_000,
        updatedAt: clock.now,
        events: [],
      });

      clock.now += 1234;
      await storage.saveLiveRoom(room('ABCD', { game: 'tabletop', snapshot: [1, 2, 3], owner: 'proc-b', leaseUntil: 99 }));
      const second = await storage.loadLiveRoom('ABCD');
      assert.deepEqual(second, {
        code: 'ABCD',
        game: 'tabletop',
        snapshot: [1, 2, 3],
        owner: 'proc-b',
        leaseUntil: 99,
        updatedAt: clock.now,
        events: [],
      });
      assert.equal((await storage.listLiveRooms()).length, 1);
    });

    it('keeps the log across saves unless told to drop it', async () => {
      await storage.saveLiveRoom(room('LOG'));
      for (const seq of [1, 2, 3, 4]) await storage.appendEvent('LOG', seq, { seq }, clock.now + seq);
      await storage.saveLiveRoom(room('LOG', { snapshot: 'v2' }));
      assert.deepEqual((await storage.loadLiveRoom('LOG'))?.events.map((e) => e.seq), [1, 2, 3, 4]);

      await storage.saveLiveRoom(room('LOG', { snapshot: 'through 2' }), { dropEventsThrough: 2 });
      const compacted = await storage.loadLiveRoom('LOG');
      assert.equal(compacted?.snapshot, 'through 2');
      assert.deepEqual(compacted?.events.map((e) => e.seq), [3, 4]);

      await storage.saveLiveRoom(room('LOG', { snapshot: 'new match' }), { dropEventsThrough: 'all' });
      assert.deepEqual((await storage.loadLiveRoom('LOG'))?.events, []);
      await storage.appendEvent('LOG', 1, 'restart', clock.now); // seq 1 is free again
    });

    it('returns undefined / false for rooms that do not exist', async () => {
      assert.equal(await storage.loadLiveRoom('NONE'), undefined);
      assert.equal(await storage.deleteLiveRoom('NONE'), false);
      assert.equal(await storage.releaseRoom('NONE', 'proc-a'), false);
      assert.deepEqual(await storage.listLiveRooms(), []);
    });

    it('deletes a room together with its log', async () => {
      await storage.saveLiveRoom(room('GONE'));
      await storage.saveLiveRoom(room('STAY'));
      await storage.appendEvent('GONE', 1, 'a', clock.now);
      await storage.appendEvent('GONE', 2, 'b', clock.now);
      await storage.appendEvent('STAY', 1, 'c', clock.now);

      assert.equal(await storage.deleteLiveRoom('GONE'), true);
      assert.equal(await storage.loadLiveRoom('GONE'), undefined);
      assert.deepEqual((await storage.loadLiveRoom('STAY'))?.events.map((e) => e.event), ['c']);
      // The code can be reused, and the new room starts with an empty log.
      await storage.saveLiveRoom(room('GONE'));
      assert.deepEqual((await storage.loadLiveRoom('GONE'))?.events, []);
      await storage.appendEvent('GONE', 1, 'fresh', clock.now);
    });

    it('lists rooms ordered by code, without logs, filtered by owner and game', async () => {
      await storage.saveLiveRoom(room('C3', { owner: 'proc-b' }));
      await storage.saveLiveRoom(room('A1'));
      await storage.saveLiveRoom(room('B2', { game: 'tabletop' }));
      await storage.appendEvent('A1', 1, 'x', clock.now);

      const all = await storage.listLiveRooms();
      assert.deepEqual(all.map((r) => r.code), ['A1', 'B2', 'C3']);
      assert.ok(all.every((r) => !('events' in r)));
      assert.deepEqual(all[0], {
        code: 'A1',
        game: 'cabo',
        snapshot: { phase: 'playing', seed: 42 },
        owner: 'proc-a',
        leaseUntil: clock.now + 30_000,
        updatedAt: clock.now,
      });
      assert.deepEqual((await storage.listLiveRooms({ owner: 'proc-a' })).map((r) => r.code), ['A1', 'B2']);
      assert.deepEqual((await storage.listLiveRooms({ owner: 'proc-b' })).map((r) => r.code), ['C3']);
      assert.deepEqual((await storage.listLiveRooms({ game: 'tabletop' })).map((r) => r.code), ['B2']);
      assert.deepEqual((await storage.listLiveRooms({ owner: 'proc-a', game: 'cabo' })).map((r) => r.code), ['A1']);
      assert.deepEqual(await storage.listLiveRooms({ owner: 'nobody' }), []);
    });

    it('fenced saves refuse to overwrite a room another owner holds', async () => {
      await storage.saveLiveRoom(room('F', { owner: 'proc-b', leaseUntil: clock.now + 10_000, snapshot: 'b' }));

      await assert.rejects(storage.saveLiveRoom(room('F', { snapshot: 'a' }), { fenced: true }), (error: unknown) => {
        assert.ok(error instanceof LeaseLostError, String(error));
        assert.equal(error.code, 'F');
        assert.equal(error.owner, 'proc-a');
        return true;
      });
      assert.equal((await storage.loadLiveRoom('F'))?.snapshot, 'b');

      await storage.saveLiveRoom(room('F', { owner: 'proc-b', snapshot: 'b2' }), { fenced: true }); // its owner
      await storage.saveLiveRoom(room('NEW'), { fenced: true }); // a new room
      clock.now += 60_000; // proc-b's lease has expired
      await storage.saveLiveRoom(room('F', { snapshot: 'a' }), { fenced: true });
      const taken = await storage.loadLiveRoom('F');
      assert.equal(taken?.owner, 'proc-a');
      assert.equal(taken?.snapshot, 'a');
      await storage.saveLiveRoom(room('F', { owner: 'proc-c', snapshot: 'c' })); // unfenced: plain upsert
      assert.equal((await storage.loadLiveRoom('F'))?.owner, 'proc-c');
    });
  });

  describe('action log', () => {
    it('returns events ordered by seq whatever the append order', async () => {
      await storage.saveLiveRoom(room('ORD'));
      for (const seq of [3, 1, 10, 2, 0]) await storage.appendEvent('ORD', seq, { n: seq }, clock.now + seq);
      const events = (await storage.loadLiveRoom('ORD'))?.events;
      assert.deepEqual(events, [0, 1, 2, 3, 10].map((seq) => ({ seq, event: { n: seq }, at: clock.now + seq })));
    });

    it('is append-only: a duplicate seq throws DuplicateEventError and keeps the original', async () => {
      await storage.saveLiveRoom(room('DUP'));
      await storage.appendEvent('DUP', 1, { move: 'original' }, 111);
      await storage.appendEvent('DUP', 2, { move: 'second' }, 222);

      await assert.rejects(storage.appendEvent('DUP', 1, { move: 'overwrite' }, 999), (error: unknown) => {
        assert.ok(error instanceof DuplicateEventError, String(error));
        assert.equal(error.code, 'DUP');
        assert.equal(error.seq, 1);
        return true;
      });
      // The same seq in another room is a different event.
      await storage.saveLiveRoom(room('OTHER'));
      await storage.appendEvent('OTHER', 1, 'fine', 1);

      assert.deepEqual((await storage.loadLiveRoom('DUP'))?.events, [
        { seq: 1, event: { move: 'original' }, at: 111 },
        { seq: 2, event: { move: 'second' }, at: 222 },
      ]);
      await storage.appendEvent('DUP', 3, { move: 'after' }, 333); // the log still grows
    });

    it('concurrent appends of the same seq: exactly one is stored', async () => {
      const other = await openTracked();
      await storage.saveLiveRoom(room('RACE'));
      for (let seq = 1; seq <= 10; seq++) {
        const outcomes = await Promise.allSettled([
          storage.appendEvent('RACE', seq, 'from storage', seq),
          other.appendEvent('RACE', seq, 'from other', seq),
          storage.appendEvent('RACE', seq, 'from storage again', seq),
        ]);
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `seq ${seq}`);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof DuplicateEventError, String(outcome.reason));
        }
      }
      assert.deepEqual((await storage.loadLiveRoom('RACE'))?.events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('refuses events for a room that is not stored', async () => {
      await assert.rejects(storage.appendEvent('GHOST', 1, 'boo', 1), (error: unknown) => {
        assert.ok(error instanceof RoomNotFoundError, String(error));
        assert.equal(error.code, 'GHOST');
        return true;
      });
      await storage.saveLiveRoom(room('GHOST'));
      assert.deepEqual((await storage.loadLiveRoom('GHOST'))?.events, []);
    });
  });

  describe('values', () => {
    it('round-trips nested JSON with unicode exactly', async () => {
      const payload = {
        text: 'Zoë 東京 🎲 שלום e\u0301 "quoted" \\ back\'slash',
        control: 'nul \u0000 inside json is fine, bell \u0007',
        loneSurrogateInJson: '\uD83C',
        numbers: [0, -1, 1.5, -0.25, 1e21, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
        flags: [true, false, null],
        empty: { object: {}, array: [], string: '' },
        deep: { a: { b: { c: { d: [{ e: ['f', { g: 'h' }] }] } } } },
        keys: { 'with space': 1, 'ключ': 2, '🔑': 3, "'; DROP TABLE x; --": 4 },
      };
      await storage.saveLiveRoom(room('JSON', { snapshot: payload }));
      await storage.appendEvent('JSON', 1, payload, 1);
      await storage.appendEvent('JSON', 2, 'just a string', 2);
      await storage.appendEvent('JSON', 3, null, 3);
      await storage.appendEvent('JSON', 4, 42, 4);
      const live = await storage.loadLiveRoom('JSON');
      assert.deepEqual(live?.snapshot, payload);
      assert.deepEqual(live?.events.map((e) => e.event), [payload, 'just a string', null, 42]);

      const id = await storage.archiveGame({ ...game('JSON', 5, ['u']), data: payload, result: payload });
      const archived = await storage.getGame(id);
      assert.deepEqual(archived?.data, payload);
      assert.deepEqual(archived?.result, payload);
    });

    it('stores timestamps and sequence numbers as exact JS numbers', async () => {
      const big = Number.MAX_SAFE_INTEGER;
      clock.now = big - 1;
      await storage.saveLiveRoom(room('TIME', { leaseUntil: big }));
      await storage.appendEvent('TIME', big, 'last', big - 2);
      const live = await storage.loadLiveRoom('TIME');
      assert.equal(live?.leaseUntil, big);
      assert.equal(live?.updatedAt, big - 1);
      assert.deepEqual(live?.events, [{ seq: big, event: 'last', at: big - 2 }]);
      for (const value of [live?.leaseUntil, live?.updatedAt, live?.events[0]?.seq, live?.events[0]?.at]) {
        assert.equal(typeof value, 'number');
      }
      const id = await storage.archiveGame({ ...game('TIME', big, ['u']), startedAt: 1 });
      const archived = await storage.getGame(id);
      assert.equal(archived?.startedAt, 1);
      assert.equal(archived?.endedAt, big);
      const listed = await storage.listGamesOfUser('u');
      assert.equal(typeof listed.games[0]?.endedAt, 'number');
      assert.deepEqual(await storage.renewLeases('proc-a', 5), ['TIME']);
      assert.deepEqual(await storage.renewLeases('proc-a', 6), ['TIME']);
    });

    it('rejects values it cannot store the same way on both backends, writing nothing', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const invalid: Array<() => Promise<unknown>> = [
        () => storage.saveLiveRoom(room('NUL\u0000')),
        () => storage.saveLiveRoom(room('LONE\uD800')),
        () => storage.saveLiveRoom(room('')),
        () => storage.saveLiveRoom(room('UNDEF', { snapshot: undefined })),
        () => storage.saveLiveRoom(room('FN', { snapshot: () => 1 })),
        () => storage.saveLiveRoom(room('CYCLE', { snapshot: cyclic })),
        () => storage.saveLiveRoom(room('FLOAT', { leaseUntil: 1.5 })),
        () => storage.saveLiveRoom(room('NEG', { leaseUntil: -1 })),
        () => storage.saveLiveRoom(room('NAN', { leaseUntil: Number.NaN })),
        () => storage.saveLiveRoom(room('UNSAFE', { leaseUntil: 2 ** 53 })),
        () => storage.saveLiveRoom(room('OWNER', { owner: 'x\u0000' })),
        () => storage.saveLiveRoom(room('STRNUM', { leaseUntil: '5' as unknown as number })),
        () => storage.appendEvent('X', 1.5, 'e', 1),
        () => storage.appendEvent('X', -1, 'e', 1),
        () => storage.appendEvent('X', 1, undefined, 1),
        () => storage.archiveGame({ ...game('X', 1, ['u']), id: 'has space' }),
        () => storage.archiveGame({ ...game('X', 1, ['u']), id: 'a/b' }),
        () => storage.archiveGame({ ...game('X', 1, ['u']), participants: [{ userId: 'u\u0000', name: 'n' }] }),
        () => storage.archiveGame({ ...game('X', 1, ['u']), participants: 'u' as unknown as [] }),
        () => storage.archiveGame({ ...game('X', 1, ['u']), data: undefined }),
        () => storage.claimExpiredRooms('me', clock.now, clock.now, 0),
        () => storage.listGamesOfUser(''),
      ];
      for (const [index, attempt] of invalid.entries()) {
        await assert.rejects(attempt(), (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, `#${index}: ${String(error)}`);
          return true;
        });
      }
      assert.deepEqual(await storage.listLiveRooms(), []);
      assert.deepEqual((await storage.listGamesOfUser('u')).games, []);
    });

    it('stores hostile strings verbatim everywhere', async () => {
      for (const [index, text] of HOSTILE.entries()) {
        const code = `${text}#${index}`;
        await storage.saveLiveRoom({ code, game: text, snapshot: { text }, owner: text, leaseUntil: index });
        await storage.appendEvent(code, 1, text, 1);
        const live = await storage.loadLiveRoom(code);
        assert.equal(live?.code, code);
        assert.equal(live?.game, text);
        assert.equal(live?.owner, text);
        assert.deepEqual(live?.snapshot, { text });
        assert.deepEqual(live?.events[0]?.event, text);
        assert.deepEqual((await storage.listLiveRooms({ owner: text })).map((r) => r.code), [code]);
        assert.deepEqual((await storage.listLiveRooms({ game: text })).map((r) => r.code), [code]);

        const id = await storage.archiveGame({
          game: text,
          code,
          startedAt: 1,
          endedAt: 2 + index,
          participants: [{ userId: text, name: text }, { userId: 'plain', name: `${text}!` }],
          data: { text },
        });
        const archived = await storage.getGame(id);
        assert.equal(archived?.game, text);
        assert.equal(archived?.code, code);
        assert.deepEqual(archived?.participants, [{ userId: text, name: text }, { userId: 'plain', name: `${text}!` }]);
        assert.deepEqual((await storage.listGamesOfUser(text)).games.map((g) => g.id), [id]);
      }
      // Nothing was dropped or truncated; every table still answers.
      assert.equal((await storage.listLiveRooms()).length, HOSTILE.length);
      assert.equal((await storage.listGamesOfUser('plain', { limit: 100 })).games.length, HOSTILE.length);
      assert.deepEqual(await storage.renewLeases(HOSTILE[0]!, 7), [`${HOSTILE[0]}#0`]); // room #0: lease 0 → 7
      // Leases are the indexes, so only room #1 (lease 1) is expired at 2 now.
      assert.deepEqual(await storage.claimExpiredRooms(HOSTILE[2]!, 2, 10), [`${HOSTILE[1]}#1`]);
      assert.equal(await storage.releaseRoom(`${HOSTILE[1]}#1`, HOSTILE[1]!), false);
      assert.equal(await storage.releaseRoom(`${HOSTILE[1]}#1`, HOSTILE[2]!), true);
      assert.equal(await storage.deleteLiveRoom(`${HOSTILE[1]}#1`), true);
      assert.equal((await storage.listLiveRooms()).length, HOSTILE.length - 1);
    });
  });

  describe('leases', () => {
    it('renews the leases of one owner only', async () => {
      await storage.saveLiveRoom(room('A', { owner: 'proc-a', leaseUntil: 100 }));
      await storage.saveLiveRoom(room('B', { owner: 'proc-a', leaseUntil: 100 }));
      await storage.saveLiveRoom(room('C', { owner: 'proc-b', leaseUntil: 100 }));
      assert.deepEqual(await storage.renewLeases('proc-a', 5000), ['A', 'B']);
      assert.deepEqual(await storage.renewLeases('nobody', 5000), []);
      const leases = Object.fromEntries((await storage.listLiveRooms()).map((r) => [r.code, [r.owner, r.leaseUntil]]));
      assert.deepEqual(leases, { A: ['proc-a', 5000], B: ['proc-a', 5000], C: ['proc-b', 100] });
    });

    it('claims only expired rooms (leaseUntil < now), oldest lease first, up to the limit', async () => {
      await storage.saveLiveRoom(room('LIVE', { owner: 'proc-a', leaseUntil: 2000 }));
      await storage.saveLiveRoom(room('EDGE', { owner: 'proc-a', leaseUntil: 1000 })); // == now: still held
      await storage.saveLiveRoom(room('OLD1', { owner: 'proc-b', leaseUntil: 999 }));
      await storage.saveLiveRoom(room('OLD2', { owner: 'proc-b', leaseUntil: 10 }));
      await storage.saveLiveRoom(room('OLD3', { owner: 'proc-c', leaseUntil: 500 }));

      assert.deepEqual(await storage.claimExpiredRooms('proc-n', 1000, 9000, 2), ['OLD2', 'OLD3']);
      assert.deepEqual(await storage.claimExpiredRooms('proc-m', 1000, 8000), ['OLD1']);
      assert.deepEqual(await storage.claimExpiredRooms('proc-m', 1000, 8000), []);
      const leases = Object.fromEntries((await storage.listLiveRooms()).map((r) => [r.code, [r.owner, r.leaseUntil]]));
      assert.deepEqual(leases, {
        LIVE: ['proc-a', 2000],
        EDGE: ['proc-a', 1000],
        OLD1: ['proc-m', 8000],
        OLD2: ['proc-n', 9000],
        OLD3: ['proc-n', 9000],
      });
      // The claimed room's snapshot and log are untouched.
      assert.deepEqual((await storage.loadLiveRoom('OLD1'))?.snapshot, { phase: 'playing', seed: 42 });
    });

    it('releases a room only for its owner, making it claimable at once', async () => {
      await storage.saveLiveRoom(room('REL', { owner: 'proc-a', leaseUntil: clock.now + 60_000 }));
      assert.deepEqual(await storage.claimExpiredRooms('proc-b', clock.now, clock.now + 1000), []);
      assert.equal(await storage.releaseRoom('REL', 'proc-b'), false);
      assert.equal(await storage.releaseRoom('REL', 'proc-a'), true);
      assert.deepEqual(await storage.claimExpiredRooms('proc-b', clock.now, clock.now + 1000), ['REL']);
      const claimed = await storage.loadLiveRoom('REL');
      assert.equal(claimed?.owner, 'proc-b');
      assert.equal(claimed?.leaseUntil, clock.now + 1000);
      assert.deepEqual(await storage.renewLeases('proc-a', clock.now + 99_000), []); // no longer proc-a's
    });

    it('concurrent claimers on two instances: every expired room goes to exactly one', async function () {
      this.timeout(60_000);
      const other = await openTracked();
      const claimers = [
        { storage, owner: 'claimer-1' },
        { storage: other, owner: 'claimer-2' },
        { storage, owner: 'claimer-3' },
        { storage: other, owner: 'claimer-4' },
      ];
      for (let round = 0; round < 40; round++) {
        const codes = [`R${round}-a`, `R${round}-b`, `R${round}-c`];
        for (const code of codes) await storage.saveLiveRoom(room(code, { owner: 'crashed', leaseUntil: 1 }));
        const now = 10 + round;
        const results = await Promise.all(
          claimers.map(({ storage: instance, owner }) => instance.claimExpiredRooms(owner, now, now + 1_000_000)),
        );
        const won = results.flat();
        assert.deepEqual([...won].sort(), [...codes].sort(), `round ${round}: ${JSON.stringify(results)}`);
        const owners = new Map((await storage.listLiveRooms()).map((r) => [r.code, r.owner]));
        results.forEach((codesWon, index) => {
          for (const code of codesWon) assert.equal(owners.get(code), claimers[index]!.owner, `round ${round} ${code}`);
        });
      }
    });
  });

  describe('journal batches (commitJournal)', () => {
    type Write = JournalWrite;
    const snap = (code: string, snapshot: unknown = { code }, extra: Partial<Extract<Write, { kind: 'snapshot' }>> = {}): Write => ({
      kind: 'snapshot', code, game: 'cabo', snapshot: JSON.stringify(snapshot), leaseUntil: clock.now + 30_000, ...extra,
    });
    const app = (code: string, seq: number, event: unknown = { seq }, at = clock.now): Write => ({
      kind: 'append', code, seq, event: JSON.stringify(event), at,
    });
    const commit = (writes: Write[], owner = 'proc-a', at = clock.now, on: Storage = storage) => on.commitJournal({ owner, now: at, writes });
    const seqs = async (code: string, on: Storage = storage) => (await on.loadLiveRoom(code))?.events.map((e) => e.seq);

    it('commits appends and snapshots of several rooms in one batch, outcomes in batch order', async () => {
      await storage.saveLiveRoom(room('A'));
      await storage.saveLiveRoom(room('B'));
      await storage.saveLiveRoom(room('D'));
      await storage.appendEvent('B', 1, 'kept', 1);
      clock.now += 500;
      const at = clock.now + 7;
      const outcomes = await commit([
        app('A', 1, { move: 'a1', text: HOSTILE[5] }, 111),
        snap('B', { v: 2 }, { game: 'tabletop', leaseUntil: at + 60_000 }),
        snap('C', { fresh: true }, { leaseUntil: at + 1_000 }),
        app('D', 7, null, 222),
      ], 'proc-a', at);
      assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok']);

      assert.deepEqual((await storage.loadLiveRoom('A'))?.events, [{ seq: 1, event: { move: 'a1', text: HOSTILE[5] }, at: 111 }]);
      assert.deepEqual(await storage.loadLiveRoom('B'), {
        code: 'B',
        game: 'tabletop',
        snapshot: { v: 2 },
        owner: 'proc-a',
        leaseUntil: at + 60_000,
        updatedAt: at,
        events: [{ seq: 1, event: 'kept', at: 1 }],
      });
      assert.deepEqual(await storage.loadLiveRoom('C'), {
        code: 'C',
        game: 'cabo',
        snapshot: { fresh: true },
        owner: 'proc-a',
        leaseUntil: at + 1_000,
        updatedAt: at,
        events: [],
      });
      assert.deepEqual((await storage.loadLiveRoom('D'))?.events, [{ seq: 7, event: null, at: 222 }]);
      assert.deepEqual(await commit([]), [], 'an empty batch commits nothing');
    });

    it("fence: a room another process owns, or whose lease we let lapse, gets nothing written; the batch's other rooms commit", async () => {
      await storage.saveLiveRoom(room('THEIRS', { owner: 'proc-b', leaseUntil: clock.now + 10_000, snapshot: 'b' }));
      await storage.appendEvent('THEIRS', 1, 'theirs 1', 1);
      await storage.saveLiveRoom(room('LAPSED', { owner: 'proc-a', leaseUntil: clock.now - 1, snapshot: 'old' }));
      await storage.saveLiveRoom(room('EDGE', { owner: 'proc-a', leaseUntil: clock.now })); // lease_until == now: still held
      await storage.saveLiveRoom(room('MINE', { owner: 'proc-a', leaseUntil: clock.now + 10_000 }));
      const theirs = await storage.loadLiveRoom('THEIRS');
      const lapsed = await storage.loadLiveRoom('LAPSED');
      clock.now += 5;
      const at = clock.now - 5; // the batch's own clock, not the storage's

      assert.deepEqual(await commit([app('THEIRS', 2), app('LAPSED', 1), app('EDGE', 1), app('MINE', 1)], 'proc-a', at), ['lease_lost', 'lease_lost', 'ok', 'ok']);
      assert.deepEqual(
        await commit([snap('THEIRS', 'stale'), snap('LAPSED', 'stale', { leaseUntil: at + 99_999 }), snap('MINE', 'new')], 'proc-a', at),
        ['lease_lost', 'lease_lost', 'ok'],
      );
      assert.deepEqual(await storage.loadLiveRoom('THEIRS'), theirs, "the other process's room is untouched");
      assert.deepEqual(await storage.loadLiveRoom('LAPSED'), lapsed, 'a lapsed lease is not renewed by a write');
      assert.deepEqual(await seqs('EDGE'), [1]);
      assert.equal((await storage.loadLiveRoom('MINE'))?.snapshot, 'new');

      // The owner itself writes; once another process claims our lapsed room, it is theirs.
      assert.deepEqual(await commit([app('THEIRS', 2)], 'proc-b', at), ['ok']);
      assert.deepEqual(await storage.claimExpiredRooms('proc-c', at, at + 10_000), ['LAPSED']);
      assert.deepEqual(await commit([app('LAPSED', 1)], 'proc-a', at - 10), ['lease_lost'], 'not ours, whatever the clock says');
      assert.deepEqual(await commit([app('LAPSED', 1)], 'proc-c', at), ['ok']);
    });

    it('the first snapshot of an unknown room creates it, owned by the batch owner; another owner then cannot write it', async () => {
      const at = clock.now + 3;
      assert.deepEqual(await commit([snap('NEW', { n: 1 }, { game: 'tabletop', leaseUntil: at + 5_000 })], 'proc-x', at), ['ok']);
      assert.deepEqual(await storage.loadLiveRoom('NEW'), {
        code: 'NEW',
        game: 'tabletop',
        snapshot: { n: 1 },
        owner: 'proc-x',
        leaseUntil: at + 5_000,
        updatedAt: at,
        events: [],
      });
      assert.deepEqual(await commit([snap('NEW', { n: 'other' })], 'proc-y', at), ['lease_lost']);
      assert.deepEqual(await commit([app('NEW', 1)], 'proc-y', at), ['lease_lost']);
      assert.deepEqual((await storage.loadLiveRoom('NEW'))?.snapshot, { n: 1 });
      assert.deepEqual(await commit([app('NEW', 1)], 'proc-x', at), ['ok']);
      assert.deepEqual(await storage.renewLeases('proc-x', at + 9_000), ['NEW']);
    });

    it("a duplicate seq is 'duplicate': the stored event is kept, the batch's other writes commit", async () => {
      await storage.saveLiveRoom(room('DUP'));
      await storage.saveLiveRoom(room('OTHER'));
      await storage.appendEvent('DUP', 1, { move: 'original' }, 111);
      assert.deepEqual(await commit([app('DUP', 1, { move: 'overwrite' }, 999), app('OTHER', 1)]), ['duplicate', 'ok']);
      assert.deepEqual((await storage.loadLiveRoom('DUP'))?.events, [{ seq: 1, event: { move: 'original' }, at: 111 }]);
      assert.deepEqual(await seqs('OTHER'), [1]);
      assert.deepEqual(await commit([app('DUP', 2), app('OTHER', 1)]), ['ok', 'duplicate']);
      assert.deepEqual(await seqs('DUP'), [1, 2]);
    });

    it("an append to a room that is not stored is 'not_found' and creates nothing", async () => {
      assert.deepEqual(await commit([app('GHOST', 1), snap('REAL')]), ['not_found', 'ok']);
      assert.equal(await storage.loadLiveRoom('GHOST'), undefined);
      assert.deepEqual((await storage.listLiveRooms()).map((r) => r.code), ['REAL']);
    });

    it('a snapshot drops the events through n, or all of them, in the same commit', async () => {
      await storage.saveLiveRoom(room('LOG'));
      await storage.saveLiveRoom(room('SIDE'));
      assert.deepEqual(await commit([app('LOG', 1)]), ['ok']);
      for (const seq of [2, 3, 4]) await commit([app('LOG', seq)]);
      assert.deepEqual(await commit([snap('LOG', 'through 2', { dropEventsThrough: 2 }), app('SIDE', 1)]), ['ok', 'ok']);
      assert.equal((await storage.loadLiveRoom('LOG'))?.snapshot, 'through 2');
      assert.deepEqual(await seqs('LOG'), [3, 4]);
      assert.deepEqual(await commit([snap('LOG', 'new match', { dropEventsThrough: 'all' })]), ['ok']);
      const reset = await storage.loadLiveRoom('LOG');
      assert.equal(reset?.snapshot, 'new match');
      assert.deepEqual(reset?.events, []);
      assert.deepEqual(await commit([app('LOG', 1, 'restart')]), ['ok'], 'seq 1 is free again');
      assert.deepEqual(await seqs('SIDE'), [1], 'other rooms keep their logs');
      // A refused snapshot drops nothing.
      await storage.saveLiveRoom(room('LOG', { owner: 'proc-b' }));
      assert.deepEqual(await commit([snap('LOG', 'stale', { dropEventsThrough: 'all' })]), ['lease_lost']);
      assert.deepEqual(await seqs('LOG'), [1]);
    });

    it('two writes of one room in one batch: InvalidInputError, and nothing of the batch is written', async () => {
      await storage.saveLiveRoom(room('X'));
      await assert.rejects(commit([app('X', 1), snap('Y'), snap('X')]), InvalidInputError);
      await assert.rejects(commit([app('X', 1), app('X', 2)]), InvalidInputError);
      assert.deepEqual(await seqs('X'), []);
      assert.equal(await storage.loadLiveRoom('Y'), undefined);
      await assert.rejects(storage.commitJournal({ owner: '', now: clock.now, writes: [app('X', 1)] }), InvalidInputError);
      await assert.rejects(storage.commitJournal({ owner: 'proc-a', now: 1.5, writes: [app('X', 1)] }), InvalidInputError);
      assert.deepEqual(await seqs('X'), []);
    });

    it('renewLeases returns the renewed codes, sorted: a room claimed by another process is missing', async () => {
      assert.deepEqual(
        await commit([snap('C3', 'c', { leaseUntil: clock.now + 900 }), snap('A1', 'a', { leaseUntil: clock.now + 100 }), snap('B2', 'b', { leaseUntil: clock.now + 900 })]),
        ['ok', 'ok', 'ok'],
      );
      assert.deepEqual(await storage.renewLeases('proc-a', clock.now + 1_000), ['A1', 'B2', 'C3']);
      await commit([snap('A1', 'a', { leaseUntil: clock.now + 100 })]); // A1's lease will lapse first
      clock.now += 500;
      assert.deepEqual(await storage.claimExpiredRooms('proc-b', clock.now, clock.now + 30_000), ['A1']);
      assert.deepEqual(await storage.renewLeases('proc-a', clock.now + 30_000), ['B2', 'C3']);
      assert.deepEqual(await storage.renewLeases('proc-b', clock.now + 30_000), ['A1']);
      assert.deepEqual(await commit([app('A1', 1), app('B2', 1)]), ['lease_lost', 'ok']);
    });

    // A NUL in game/code, a fractional seq or a snapshot that is not JSON would be stored as is by
    // SQLite (and break every later load) and fail PostgreSQL's whole transaction: refused up front.
    it('refuses writes it cannot store with InvalidInputError on both backends, writing nothing', async () => {
      await storage.saveLiveRoom(room('OK'));
      const bad: Array<Record<string, unknown>> = [
        { ...snap('NUL'), game: 'ca\u0000bo' },
        { ...snap('NUL\u0000') },
        { ...snap('LONE\uD800') },
        { ...snap('') },
        { ...snap('JSON'), snapshot: 'not json' },
        { ...snap('UNDEF'), snapshot: undefined },
        { ...snap('LEASE'), leaseUntil: 1.5 },
        { ...snap('DROP'), dropEventsThrough: -1 },
        { ...app('OK', 1.5) },
        { ...app('OK', -1) },
        { ...app('OK', 1), event: undefined },
        { ...app('OK', 1), event: '{broken' },
        { ...app('OK', 1), at: '5' },
        { kind: 'bogus', code: 'BOGUS' },
      ];
      for (const [index, write] of bad.entries()) {
        await assert.rejects(commit([snap('SIDE'), write as unknown as Write]), (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, `#${index}: ${String(error)}`);
          return true;
        });
      }
      assert.deepEqual((await storage.listLiveRooms()).map((r) => r.code), ['OK']);
      assert.deepEqual(await seqs('OK'), []);
    });

    it('a claim racing a batch on another instance: the claimer sees every event the batch committed, or the batch is refused', async function () {
      this.timeout(120_000);
      const other = await openTracked();
      const T = clock.now + 60_000; // room's lease: A writes at T - 1 (held), B claims at T + 1 (expired)
      const seen = { committedThenClaimed: 0, claimedThenRefused: 0, notClaimed: 0 };
      for (let round = 0; round < 30; round++) {
        const code = `RACE${round}`;
        await storage.saveLiveRoom(room(code, { owner: 'a', leaseUntil: T }));
        for (const seq of [1, 2]) await storage.appendEvent(code, seq, `before ${seq}`, seq);
        const write = () => storage.commitJournal({ owner: 'a', now: T - 1, writes: [app(code, 3, { round }, 3)] });
        const claim = async () => {
          if (round % 3 === 2) await new Promise((resolve) => setTimeout(resolve, round % 4)); // some jitter
          const claimed = await other.claimExpiredRooms('b', T + 1, T + 1_000_000);
          return { claimed, loaded: await other.loadLiveRoom(code) };
        };
        // Alternate which one is sent first (and delay some claims), so every interleaving gets its chance.
        const [[outcome], { claimed, loaded }] =
          round % 2 === 0 ? await Promise.all([write(), claim()]) : await Promise.all([claim(), write()]).then(([b, a]) => [a, b] as const);
        const context = `round ${round}: outcome ${outcome}, claimed ${JSON.stringify(claimed)}, events ${JSON.stringify(loaded?.events.map((e) => e.seq))}`;
        assert.ok(outcome === 'ok' || outcome === 'lease_lost', context);
        assert.ok(claimed.length === 0 || (claimed.length === 1 && claimed[0] === code), context);
        if (claimed.includes(code)) {
          assert.equal(loaded?.owner, 'b', context);
          if (outcome === 'ok') {
            // A committed before B claimed: B's load must contain A's event.
            assert.deepEqual(loaded?.events.map((e) => [e.seq, e.event]), [[1, 'before 1'], [2, 'before 2'], [3, { round }]], context);
            seen.committedThenClaimed++;
          } else {
            // B claimed first: A's write was refused and wrote nothing.
            assert.deepEqual(loaded?.events.map((e) => e.seq), [1, 2], context);
            seen.claimedThenRefused++;
          }
        } else {
          // B skipped the room (PostgreSQL: locked by A's batch): it stays A's, with A's event.
          assert.equal(outcome, 'ok', context);
          seen.notClaimed++;
        }
        // Whatever B saw is what is stored.
        assert.deepEqual(await seqs(code), outcome === 'ok' ? [1, 2, 3] : [1, 2], context);
        await storage.deleteLiveRoom(code);
      }
      assert.equal(seen.committedThenClaimed + seen.claimedThenRefused + seen.notClaimed, 30, JSON.stringify(seen));
    });
  });

  describe('archive', () => {
    it('archives and reads back a game, generating a url-safe id', async () => {
      await storage.saveLiveRoom(room('ROOM'));
      const input: ArchiveInput = {
        game: 'cabo',
        code: 'ROOM',
        startedAt: 1000,
        endedAt: 2000,
        participants: [
          { userId: 'u1', name: 'Ann' },
          { userId: 'u2', name: 'Bob' },
        ],
        data: { log: [{ seq: 1, move: 'draw' }], seed: 7 },
      };
      const id = await storage.archiveGame(input);
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.notEqual(await storage.archiveGame(input), id); // a fresh id each time
      assert.deepEqual(await storage.getGame(id), { ...input, id, result: null });
      assert.ok(await storage.loadLiveRoom('ROOM'), 'the live room is only deleted on request');

      const withId = await storage.archiveGame({ ...input, id: 'my-game_1', result: { winner: 'u2' } });
      assert.equal(withId, 'my-game_1');
      assert.deepEqual((await storage.getGame('my-game_1'))?.result, { winner: 'u2' });
      assert.equal(await storage.getGame('missing'), undefined);
      assert.equal(await storage.getGame("'; DROP TABLE archived_games; --"), undefined);
    });

    it('refuses to archive an existing id again and keeps the original', async () => {
      await storage.archiveGame({ ...game('FIRST', 1, ['u1']), id: 'same' });
      await storage.saveLiveRoom(room('SECOND'));
      await assert.rejects(
        storage.archiveGame({ ...game('SECOND', 2, ['u2']), id: 'same' }, { deleteLiveRoom: true }),
        (error: unknown) => {
          assert.ok(error instanceof DuplicateGameError, String(error));
          assert.equal(error.id, 'same');
          return true;
        },
      );
      assert.equal((await storage.getGame('same'))?.code, 'FIRST');
      assert.deepEqual((await storage.listGamesOfUser('u2')).games, []);
      assert.ok(await storage.loadLiveRoom('SECOND'), 'the failed archive rolled back the delete');
    });

    it('can delete the live room in the same transaction', async () => {
      await storage.saveLiveRoom(room('DONE'));
      await storage.appendEvent('DONE', 1, 'last move', 1);
      const id = await storage.archiveGame(game('DONE', 5, ['u1']), { deleteLiveRoom: true });
      assert.equal(await storage.loadLiveRoom('DONE'), undefined);
      assert.equal((await storage.getGame(id))?.code, 'DONE');
      await storage.saveLiveRoom(room('DONE'));
      assert.deepEqual((await storage.loadLiveRoom('DONE'))?.events, [], 'the log went with the room');
    });

    it("lists a user's games newest first (endedAt, then id), only theirs, without data", async () => {
      await storage.archiveGame({ ...game('G1', 100, ['ann', 'bob']), id: 'b' });
      await storage.archiveGame({ ...game('G2', 300, ['ann']), id: 'a' });
      await storage.archiveGame({ ...game('G3', 200, ['bob']), id: 'c' });
      await storage.archiveGame({ ...game('G4', 300, ['ann', 'ann']), id: 'd' }); // listed once
      await storage.archiveGame({ ...game('G5', 100, ['ann']), id: 'a0', result: { winner: 'ann' } });

      const page = await storage.listGamesOfUser('ann');
      assert.deepEqual(page.games.map((g) => g.id), ['d', 'a', 'b', 'a0']);
      assert.equal(page.nextCursor, undefined);
      assert.deepEqual(page.games[0], {
        id: 'd',
        game: 'cabo',
        code: 'G4',
        startedAt: 0,
        endedAt: 300,
        participants: [
          { userId: 'ann', name: 'Name of ann' },
          { userId: 'ann', name: 'Name of ann' },
        ],
        result: null,
      });
      assert.deepEqual(page.games[3]?.result, { winner: 'ann' });
      assert.ok(page.games.every((g) => !('data' in g)));
      assert.deepEqual((await storage.listGamesOfUser('bob')).games.map((g) => g.id), ['c', 'b']);
      assert.deepEqual(await storage.listGamesOfUser('carol'), { games: [] });
    });

    it('paginates 45 games by 20 with a cursor: nothing repeated, nothing missing', async () => {
      const expected: string[] = [];
      for (let index = 0; index < 45; index++) {
        // Shared endedAt values force the id tie-break across page boundaries.
        const endedAt = 1000 + Math.floor(index / 4);
        const players = index % 2 === 0 ? ['me', 'rival'] : ['me'];
        expected.push(await storage.archiveGame({ ...game(`C${index}`, endedAt, players) }));
        await storage.archiveGame(game(`X${index}`, endedAt, ['stranger'])); // interleaved, not mine
      }
      const pages = await collectPages(storage, 'me', 20);
      assert.deepEqual(pages.map((page) => page.length), [20, 20, 5]);
      const listed = pages.flat();
      assert.equal(new Set(listed.map((g) => g.id)).size, 45, 'no duplicates');
      assert.deepEqual([...listed.map((g) => g.id)].sort(), [...expected].sort(), 'none missing, none foreign');
      assert.deepEqual(listed.map((g) => g.id), sortNewestFirst(listed).map((g) => g.id), 'globally ordered');
      assert.ok(listed.every((g) => g.participants.some((p) => p.userId === 'me')));

      const whole = await storage.listGamesOfUser('me', { limit: 100 });
      assert.deepEqual(whole.games.map((g) => g.id), listed.map((g) => g.id));
      assert.equal(whole.nextCursor, undefined);
      const exact = await collectPages(storage, 'me', 15);
      assert.deepEqual(exact.map((page) => page.length), [15, 15, 15], 'no empty trailing page');
    });

    it('pagination is stable under inserts between page requests', async () => {
      const original: string[] = [];
      for (let index = 0; index < 30; index++) original.push(await storage.archiveGame(game(`O${index}`, 1000 + index, ['me'])));
      const first = await storage.listGamesOfUser('me', { limit: 10 });
      assert.ok(first.nextCursor);
      // New games arrive: newer ones (would shift an offset) and one older than the cursor.
      for (let index = 0; index < 5; index++) await storage.archiveGame(game(`N${index}`, 5000 + index, ['me']));
      const late = await storage.archiveGame(game('LATE', 1, ['me']));

      const rest: string[] = [];
      let cursor: string | undefined = first.nextCursor;
      while (cursor) {
        const page = await storage.listGamesOfUser('me', { limit: 10, before: cursor });
        rest.push(...page.games.map((g) => g.id));
        cursor = page.nextCursor;
      }
      const seen = [...first.games.map((g) => g.id), ...rest];
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      assert.deepEqual([...seen].sort(), [...original, late].sort(), 'every original once, plus the older newcomer');
    });

    it('validates page size and cursor', async () => {
      for (let index = 0; index < 25; index++) await storage.archiveGame(game(`P${index}`, index, ['me']));
      assert.equal((await storage.listGamesOfUser('me')).games.length, 20, 'default limit');
      assert.equal((await storage.listGamesOfUser('me', { limit: 1 })).games.length, 1);
      assert.equal((await storage.listGamesOfUser('me', { limit: 100 })).games.length, 25);
      const foreignCursor = Buffer.from(JSON.stringify({ endedAt: 1, id: 'x' })).toString('base64url');
      const badCursor = Buffer.from(JSON.stringify([1, "'; DROP TABLE archived_games; --"])).toString('base64url');
      for (const options of [
        { limit: 0 },
        { limit: 101 },
        { limit: 2.5 },
        { before: 'not a cursor!' },
        { before: '' },
        { before: 'e30' },
        { before: foreignCursor },
        { before: badCursor },
      ]) {
        await assert.rejects(storage.listGamesOfUser('me', options), InvalidInputError, JSON.stringify(options));
      }
      assert.equal((await storage.listGamesOfUser('me')).games.length, 20, 'still all there');
    });
  });
}

/** A minimal archive input: code, endedAt, participant user ids (names derived). */
export function game(code: string, endedAt: number, userIds: string[]): ArchiveInput {
  return {
    game: 'cabo',
    code,
    startedAt: 0,
    endedAt,
    participants: userIds.map((userId) => ({ userId, name: `Name of ${userId}` })),
    data: { code, nonce: crypto.randomUUID() },
  };
}

async function collectPages(storage: Storage, userId: string, limit: number) {
  const pages: Awaited<ReturnType<Storage['listGamesOfUser']>>['games'][] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.listGamesOfUser(userId, { limit, before: cursor });
    pages.push(page.games);
    cursor = page.nextCursor;
    assert.ok(pages.length < 100, 'pagination does not terminate');
  } while (cursor);
  return pages;
}

function sortNewestFirst<T extends { endedAt: number; id: string }>(games: T[]): T[] {
  return [...games].sort((a, b) => b.endedAt - a.endedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
