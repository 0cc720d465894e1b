import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import BetterSqlite3 from 'better-sqlite3';
import { openStorage, SQLITE_FILE } from '../../src/persistence/open';
import { storageContract } from './storageContract';

describe('persistence: SQLite storage', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-storage-'));
    dirs.push(dir);
    return dir;
  };
  const removeDirs = async () => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  };
  after(removeDirs);

  storageContract({
    backend: 'sqlite',
    async freshDatabase() {
      const dataDir = tempDir();
      return (extras = {}) => openStorage({ dataDir, ...extras });
    },
    cleanup: removeDirs,
  });

  describe('SQLite specifics', () => {
    it('creates the data directory and arena.sqlite in WAL mode with the tables', async () => {
      const dataDir = path.join(tempDir(), 'nested', 'data');
      const storage = await openStorage({ dataDir });
      try {
        assert.equal(storage.backend, 'sqlite');
        const file = path.join(dataDir, SQLITE_FILE);
        assert.ok(fs.existsSync(file));
        const raw = new BetterSqlite3(file, { readonly: true });
        try {
          assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
          const tables = raw
            .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
            .pluck()
            .all();
          assert.deepEqual(tables, [
            'archived_game_players',
            'archived_games',
            'arena_migration',
            'arena_migration_lock',
            'live_room_events',
            'live_rooms',
          ]);
          assert.deepEqual(raw.prepare('select name from arena_migration').pluck().all(), ['0001_initial']);
        } finally {
          raw.close();
        }
      } finally {
        await storage.close();
      }
    });

    it('ignores an empty databaseUrl and the PostgreSQL schema option', async () => {
      const storage = await openStorage({ dataDir: tempDir(), databaseUrl: '', schema: 'whatever' });
      assert.equal(storage.backend, 'sqlite');
      await storage.close();
    });

    it('a write committed before a crash is there after restart', async function () {
      this.timeout(20_000);
      const dataDir = tempDir();
      // A child process writes and dies without closing anything.
      const script = `
        const { openStorage } = require(${JSON.stringify(path.resolve(__dirname, '../../src/persistence/open'))});
        (async () => {
          const storage = await openStorage({ dataDir: ${JSON.stringify(dataDir)} });
          await storage.saveLiveRoom({ code: 'CRASH', game: 'cabo', snapshot: { n: 1 }, owner: 'p', leaseUntil: 5 });
          await storage.appendEvent('CRASH', 1, { move: 'x' }, 7);
          process.kill(process.pid, 'SIGKILL');
        })();`;
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (exitCode, signal) => resolve(signal === 'SIGKILL' ? -9 : exitCode));
      });
      assert.equal(code, -9, 'the child was killed mid-run');
      const storage = await openStorage({ dataDir });
      try {
        const live = await storage.loadLiveRoom('CRASH');
        assert.deepEqual(live?.snapshot, { n: 1 });
        assert.deepEqual(live?.events, [{ seq: 1, event: { move: 'x' }, at: 7 }]);
      } finally {
        await storage.close();
      }
    });

    it('several processes opening a new file at once migrate it exactly once', async function () {
      this.timeout(30_000);
      const dataDir = tempDir();
      const go = path.join(dataDir, 'go');
      // Each child loads everything, reports ready, then polls until all may open at the same moment.
      const script = `
        const fs = require('fs');
        const { openStorage } = require(${JSON.stringify(path.resolve(__dirname, '../../src/persistence/open'))});
        process.stdout.write('ready\\n');
        const wait = setInterval(() => {
          if (!fs.existsSync(${JSON.stringify(go)})) return;
          clearInterval(wait);
          openStorage({ dataDir: ${JSON.stringify(dataDir)}, busyTimeoutMs: 20000 }).then(
            (storage) => storage.close().then(() => process.exit(0)),
            (error) => { console.error(error); process.exit(1); },
          );
        }, 1);`;
      const children = Array.from({ length: 4 }, () =>
        spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }),
      );
      const exits = children.map(
        (child) => new Promise<number | null>((resolve, reject) => {
          child.on('error', reject);
          child.on('exit', resolve);
        }),
      );
      await Promise.all(
        children.map(
          (child) => new Promise<void>((resolve, reject) => {
            child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
            child.on('exit', () => reject(new Error('a child exited before it was ready')));
          }),
        ),
      );
      fs.writeFileSync(go, '');
      assert.deepEqual(await Promise.all(exits), [0, 0, 0, 0]);
      const raw = new BetterSqlite3(path.join(dataDir, SQLITE_FILE), { readonly: true });
      try {
        assert.deepEqual(raw.prepare('select name from arena_migration').pluck().all(), ['0001_initial']);
      } finally {
        raw.close();
      }
    });

    it("waits for another process's write lock (busy timeout) instead of failing", async function () {
      this.timeout(20_000);
      const dataDir = tempDir();
      const storage = await openStorage({ dataDir });
      try {
        const file = path.join(dataDir, SQLITE_FILE);
        // Another process takes the write lock, holds it for a second, then commits and reports when.
        const script = `
          const Database = require('better-sqlite3');
          const db = new Database(${JSON.stringify(file)});
          db.exec('begin immediate');
          db.prepare("insert into live_rooms values ('OTHER', 'cabo', '{}', 'p2', 0, 0)").run();
          process.stdout.write('locked\\n');
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
          const releasedAt = Date.now();
          db.exec('commit');
          db.close();
          process.stdout.write('released ' + releasedAt + '\\n');`;
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', () => output.includes('locked') && resolve());
          child.on('exit', () => reject(new Error('child exited before locking')));
        });
        const started = Date.now();
        await storage.saveLiveRoom({ code: 'MINE', game: 'cabo', snapshot: {}, owner: 'p1', leaseUntil: 0 });
        const finished = Date.now();
        assert.equal(await exited, 0);
        const releasedAt = Number(/released (\d+)/.exec(output)?.[1]);
        assert.ok(started < releasedAt, `the save started while the lock was held (${started} < ${releasedAt})`);
        assert.ok(finished >= releasedAt, 'the save waited for the lock to be released');
        assert.deepEqual((await storage.listLiveRooms()).map((room) => room.code), ['MINE', 'OTHER']);
      } finally {
        await storage.close();
      }
    });
  });
});
