/**
 * Operator faults at start and stop (issue #13): a second process on a DATA_DIR, unreachable
 * services, a shutdown while Redis hangs, integers that are not decimal. Each runs the real server.
 */
import { strict as assert } from 'assert';
import fs from 'fs';
import net from 'net';
import path from 'path';
import Redis from 'ioredis';
import { freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';
import { requireService } from '../support/services';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { outputLines, startOutcome } from '../support/outcome';

/** Short lock lapse for these tests (production default: 10 s). */
const LOCK_STALE_SECONDS = 2;
/** Redis database reserved for this suite. */
const REDIS_DB = 13;

const STACK_FRAME = /^\s+at /m;

describe('abuse: operator faults at start and stop', function () {
  this.timeout(30_000);
  const dataDirs: string[] = [];
  const servers: ArenaProcess[] = [];

  function dataDir(): string {
    const dir = tempDir('arena-startup-');
    dataDirs.push(dir);
    return dir;
  }
  async function start(env: Record<string, string>): Promise<ArenaProcess> {
    const server = startArenaProcess({ PORT: String(await freePort()), LOG_LEVEL: 'warn', DATA_DIR_LOCK_STALE_SECONDS: String(LOCK_STALE_SECONDS), ...env });
    servers.push(server);
    return server;
  }
  async function createRoom(server: ArenaProcess): Promise<string> {
    const { token } = (await httpJson(server.baseUrl, 'POST', '/api/auth/guest', { body: { name: 'Ann' } })).body;
    const created = await httpJson(server.baseUrl, 'POST', '/api/rooms', { token, body: { game: 'cabo', maxPlayers: 2 } });
    assert.equal(created.status, 201);
    return created.body.code;
  }

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop('SIGKILL')));
    for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('a DATA_DIR belongs to one process', () => {
    it('a second process on the same DATA_DIR exits 78 with one line naming DATA_DIR; the first keeps serving its rooms', async () => {
      const shared = dataDir();
      const first = await start({ DATA_DIR: shared });
      await first.waitUntilHealthy();
      const code = await createRoom(first);

      const second = await start({ DATA_DIR: shared });
      assert.equal(await startOutcome(second), 78);
      const lines = outputLines(second);
      assert.equal(lines.length, 1, `one line, got:\n${second.output()}`);
      assert.match(lines[0], /^DATA_DIR: /);
      assert.ok(lines[0].includes(shared), 'the line names the directory');

      assert.equal((await httpJson(first.baseUrl, 'GET', '/healthz')).status, 200);
      assert.equal((await httpJson(first.baseUrl, 'GET', `/api/rooms/${code}`)).status, 200, 'the room stays with the first process');
      assert.equal(await first.stop('SIGTERM'), 0);
      assert.ok(!fs.existsSync(path.join(shared, 'arena.lock')), 'a graceful shutdown gives the directory up');
    });

    it(`after its owner is killed (SIGKILL), a new process takes the DATA_DIR over once the lock lapses (DATA_DIR_LOCK_STALE_SECONDS=${LOCK_STALE_SECONDS}, + 1 s) and restores its rooms`, async () => {
      const shared = dataDir();
      const first = await start({ DATA_DIR: shared });
      await first.waitUntilHealthy();
      const code = await createRoom(first);
      assert.equal(await first.stop('SIGKILL'), 'SIGKILL');
      assert.ok(fs.existsSync(path.join(shared, 'arena.lock')), 'the killed process left its lock behind');

      const killedAt = performance.now();
      const second = await start({ DATA_DIR: shared });
      await second.waitUntilHealthy();
      const waited = performance.now() - killedAt;
      assert.ok(waited < (LOCK_STALE_SECONDS + 6) * 1000, `took ${waited} ms`);
      assert.equal((await httpJson(second.baseUrl, 'GET', `/api/rooms/${code}`)).status, 200, 'the room came back');
    });
  });

  describe('unreachable services stop the start at once', () => {
    let silent: net.Server | undefined;
    afterEach(() => {
      silent?.close();
      silent = undefined;
    });

    /** A port that accepts connections and never answers, as a hung service does. */
    async function silentPort(): Promise<number> {
      const sockets: net.Socket[] = [];
      silent = net.createServer((socket) => sockets.push(socket));
      silent.on('close', () => sockets.forEach((socket) => socket.destroy()));
      await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
      return (silent.address() as net.AddressInfo).port;
    }

    for (const [variable, url] of [
      ['REDIS_URL', (port: number) => `redis://127.0.0.1:${port}`],
      ['DATABASE_URL', (port: number) => `postgres://arena:secret-pw@127.0.0.1:${port}/arena`],
    ] as const) {
      async function refusedWithin(port: number, limitMs: number, reason: RegExp): Promise<void> {
        const startedAt = performance.now();
        const server = await start({ DATA_DIR: dataDir(), [variable]: url(port) });
        assert.equal(await startOutcome(server), 78);
        const took = performance.now() - startedAt;
        assert.ok(took < limitMs, `took ${took} ms`);
        const lines = outputLines(server);
        assert.equal(lines.length, 1, `one line, got:\n${server.output()}`);
        assert.match(lines[0], new RegExp(`^${variable}: .*127\\.0\\.0\\.1:${port}`));
        assert.match(lines[0], reason);
        assert.doesNotMatch(server.output(), STACK_FRAME);
        assert.ok(!server.output().includes('secret-pw'), 'the password stays out of the output');
      }

      it(`${variable} on a closed port: exit 78 within 5 s, one line naming ${variable}, no stack trace`, async () => {
        await refusedWithin(await freePort(), 5000, /ECONNREFUSED/);
      });

      it(`${variable} on a port that never answers: exit 78 within 5 s, one line naming ${variable}`, async () => {
        await refusedWithin(await silentPort(), 5000, /time/i);
      });
    }
  });

  describe('shutdown is bounded', () => {
    let proxy: TcpProxy | undefined;
    let redis: Redis | undefined;
    afterEach(async () => {
      await proxy?.close();
      await redis?.flushdb();
      redis?.disconnect();
      proxy = redis = undefined;
    });

    it('SIGTERM while Redis hangs: exits 1 within SHUTDOWN_TIMEOUT_SECONDS and logs the step it was stuck in', async function () {
      this.timeout(15_000); // without the bound the process never exits: this times out
      const redisUrl = new URL(requireService(this, 'REDIS_URL'));
      redisUrl.pathname = `/${REDIS_DB}`;
      redis = new Redis(redisUrl.toString());
      proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
      const viaProxy = new URL(redisUrl);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      const port = await freePort();
      const server = await start({
        PORT: String(port),
        DATA_DIR: dataDir(),
        REDIS_URL: viaProxy.toString(),
        PUBLIC_ADDRESS: `127.0.0.1:${port}`,
        SHUTDOWN_TIMEOUT_SECONDS: '2',
      });
      await server.waitUntilHealthy();

      proxy.blackHole();
      const signalledAt = performance.now();
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 1);
      const took = performance.now() - signalledAt;
      assert.ok(took >= 2000 && took < 6000, `exited ${took} ms after SIGTERM`);
      const report = outputLines(server).find((line) => line.includes('shutdown did not finish'));
      assert.ok(report, `a line reports the stalled shutdown:\n${server.output()}`);
      const { level, pending, notDone } = JSON.parse(report);
      assert.equal(level, 50, 'logged as an error');
      assert.match(pending, /^unregistering this process from discovery \(Colyseus, presence\)$/);
      assert.ok(notDone.some((step: string) => /closing storage/.test(step)), 'what it never got to is listed');
    });
  });

  it('an integer setting that is not plain decimal digits (PORT=0x1F90) exits 78 naming the variable', async () => {
    const server = await start({ DATA_DIR: dataDir(), PORT: '0x1F90' });
    assert.equal(await startOutcome(server), 78);
    assert.match(server.output(), /\bPORT: /);
  });
});
