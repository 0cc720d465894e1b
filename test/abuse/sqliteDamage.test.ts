/**
 * Damaged SQLite files stop the server instead of serving with data lost (issue #13): a damaged
 * main file, and a write-ahead log deleted, cut short or corrupted after a crash. What a crash
 * leaves normally (a torn, uncommitted last frame) must still start.
 */
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { openStorage, SQLITE_FILE } from '../../src/persistence/open';
import { StorageDamagedError, sqliteFiles } from '../../src/persistence/sqliteIntegrity';
import { freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';
import { outputLines, startOutcome } from '../support/outcome';

const ROOMS = ['R1', 'R2', 'R3', 'R4', 'R5'];
const PAGE_SIZE = 4096;
const WAL_HEADER_BYTES = 32;
const FRAME_BYTES = 24 + PAGE_SIZE;

/** A child process opens the storage, commits one live room per code and dies (SIGKILL) without closing. */
async function crashAfterWrites(dataDir: string, options: { checkpointFirst?: boolean } = {}): Promise<void> {
  const script = `
    const { openStorage } = require(${JSON.stringify(path.resolve(__dirname, '../../src/persistence/open'))});
    (async () => {
      const storage = await openStorage({ dataDir: ${JSON.stringify(dataDir)} });
      for (const code of ${JSON.stringify(ROOMS)}) {
        await storage.saveLiveRoom({ code, game: 'cabo', snapshot: { code }, owner: 'p', leaseUntil: 5 });
      }
      if (${options.checkpointFirst === true}) {
        const Database = require('better-sqlite3');
        const reader = new Database(${JSON.stringify(path.join(dataDir, SQLITE_FILE))});
        reader.pragma('wal_checkpoint(PASSIVE)'); // every committed frame copied into the main file
      }
      process.kill(process.pid, 'SIGKILL');
    })();`;
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (_code, exitSignal) => resolve(exitSignal));
  });
  assert.equal(signal, 'SIGKILL', 'the writer died without closing');
}

async function liveRoomCodes(dataDir: string): Promise<string[]> {
  const storage = await openStorage({ dataDir });
  try {
    return (await storage.listLiveRooms()).map((room) => room.code).sort();
  } finally {
    await storage.close();
  }
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    fs.closeSync(fd);
  }
}

describe('abuse: damaged SQLite files', function () {
  this.timeout(30_000);
  let dataDir: string;
  let files: ReturnType<typeof sqliteFiles>;
  beforeEach(() => {
    dataDir = tempDir('arena-damage-');
    files = sqliteFiles(path.join(dataDir, SQLITE_FILE));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  describe('the server process', () => {
    let server: ArenaProcess | undefined;
    afterEach(async () => {
      await server?.stop('SIGKILL');
      server = undefined;
    });

    async function startServer(): Promise<ArenaProcess> {
      server = startArenaProcess({ PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATA_DIR_LOCK_STALE_SECONDS: '2' });
      return server;
    }
    async function createRooms(count: number): Promise<string[]> {
      const { token } = (await httpJson(server!.baseUrl, 'POST', '/api/auth/guest', { body: { name: 'Ann' } })).body;
      const codes: string[] = [];
      for (let i = 0; i < count; i++) {
        const created = await httpJson(server!.baseUrl, 'POST', '/api/rooms', { token, body: { game: 'cabo', maxPlayers: 2 } });
        assert.equal(created.status, 201);
        codes.push(created.body.code);
      }
      return codes;
    }
    function refusalLine(): string {
      const lines = outputLines(server!);
      assert.equal(lines.length, 1, `one line, got:\n${server!.output()}`);
      return lines[0];
    }

    it('a damaged main file: exits 1 with one line naming the file', async () => {
      await startServer();
      await server!.waitUntilHealthy();
      await createRooms(2);
      assert.equal(await server!.stop('SIGTERM'), 0);
      assert.ok(!fs.existsSync(files.wal) && !fs.existsSync(files.marker), 'a clean close leaves the main file only');
      const pages = fs.statSync(files.database).size / PAGE_SIZE;
      for (let page = 1; page < pages; page++) overwrite(files.database, page * PAGE_SIZE, Buffer.alloc(12, 0x5a)); // b-tree page headers

      await startServer();
      assert.equal(await startOutcome(server!), 1);
      assert.match(refusalLine(), new RegExp(`SQLite database ${files.database} is damaged`));
    });

    it('kill -9 after rooms were created, then the -wal deleted: exits 1, committed actions would be lost', async () => {
      await startServer();
      await server!.waitUntilHealthy();
      await createRooms(3);
      assert.equal(await server!.stop('SIGKILL'), 'SIGKILL');
      fs.rmSync(files.wal);

      await startServer();
      assert.equal(await startOutcome(server!), 1);
      const line = refusalLine();
      assert.ok(line.includes(files.wal), 'names the WAL');
      assert.match(line, /is missing.*committed actions would be lost/);
    });

    it('kill -9, then a restart with the files untouched: starts and the rooms are back', async () => {
      await startServer();
      await server!.waitUntilHealthy();
      const codes = await createRooms(3);
      assert.equal(await server!.stop('SIGKILL'), 'SIGKILL');

      await startServer();
      await server!.waitUntilHealthy();
      for (const code of codes) assert.equal((await httpJson(server!.baseUrl, 'GET', `/api/rooms/${code}`)).status, 200);
    });
  });

  describe('the write-ahead log after a crash', () => {
    it('cut short in the middle of a committed frame: refuses', async () => {
      await crashAfterWrites(dataDir);
      const size = fs.statSync(files.wal).size;
      assert.equal((size - WAL_HEADER_BYTES) % FRAME_BYTES, 0, 'the crash left whole frames');
      fs.truncateSync(files.wal, size - FRAME_BYTES - 1000);
      await assert.rejects(openStorage({ dataDir }), (error: Error) => {
        assert.ok(error instanceof StorageDamagedError);
        assert.match(error.message, /is cut short.*committed actions would be lost/);
        return true;
      });
    });

    it('a committed frame corrupted: refuses', async () => {
      await crashAfterWrites(dataDir);
      const lastFrame = (fs.statSync(files.wal).size - WAL_HEADER_BYTES) / FRAME_BYTES;
      overwrite(files.wal, WAL_HEADER_BYTES + (lastFrame - 2) * FRAME_BYTES + 24 + 100, Buffer.alloc(16, 0xab));
      await assert.rejects(openStorage({ dataDir }), new RegExp(`is damaged at frame ${lastFrame - 1}.*committed actions would be lost`));
    });

    it('deleted together with its index (-shm): refuses on the open marker', async () => {
      await crashAfterWrites(dataDir);
      assert.ok(fs.existsSync(files.marker));
      fs.rmSync(files.wal);
      fs.rmSync(files.index);
      await assert.rejects(openStorage({ dataDir }), /is missing, but the last run did not close .* cleanly/);
    });

    it('emptied: refuses', async () => {
      await crashAfterWrites(dataDir);
      fs.truncateSync(files.wal, 0);
      await assert.rejects(openStorage({ dataDir }), /is empty.*committed actions would be lost/);
    });

    it('a torn, uncommitted last frame (the size is no whole number of frames) is normal: opens with every committed write', async () => {
      await crashAfterWrites(dataDir);
      fs.appendFileSync(files.wal, Buffer.alloc(1000, 0x17));
      assert.deepEqual(await liveRoomCodes(dataDir), ROOMS);
    });

    it('missing after everything in it was copied into the main file: nothing is lost, opens', async () => {
      await crashAfterWrites(dataDir, { checkpointFirst: true });
      fs.rmSync(files.wal);
      assert.deepEqual(await liveRoomCodes(dataDir), ROOMS);
    });

    it('after a reboot the index is not trusted (the OS may not have written it back): a missing WAL still refuses on the marker', async () => {
      await crashAfterWrites(dataDir);
      fs.writeFileSync(files.marker, JSON.stringify({ ...JSON.parse(fs.readFileSync(files.marker, 'utf8')), boot: 'a boot before' }));
      fs.rmSync(files.wal);
      await assert.rejects(openStorage({ dataDir }), /is missing, but the last run did not close .* cleanly/);
    });

    it('after a reboot a WAL with a valid header opens, whatever the stale index says', async () => {
      await crashAfterWrites(dataDir);
      fs.writeFileSync(files.marker, JSON.stringify({ ...JSON.parse(fs.readFileSync(files.marker, 'utf8')), boot: 'a boot before' }));
      fs.truncateSync(files.wal, WAL_HEADER_BYTES + FRAME_BYTES); // the index says more frames; it may be older than the WAL
      await openStorage({ dataDir }).then((storage) => storage.close());
    });

    it('a clean close leaves neither WAL nor marker, and the next open checks nothing', async () => {
      await crashAfterWrites(dataDir);
      assert.deepEqual(await liveRoomCodes(dataDir), ROOMS); // recovers, then closes cleanly
      assert.ok(!fs.existsSync(files.wal) && !fs.existsSync(files.index) && !fs.existsSync(files.marker));
      assert.deepEqual(await liveRoomCodes(dataDir), ROOMS);
    });
  });
});
