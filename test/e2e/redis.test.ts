import { strict as assert } from 'assert';
import fs from 'fs';
import Redis from 'ioredis';
import { Client } from 'colyseus.js';
import { freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';
import { requireService } from '../support/services';

/** Redis database reserved for this suite so parallel suites and other data stay untouched. */
const REDIS_DB = 9;

describe('e2e: Redis presence and driver', function () {
  this.timeout(30_000);
  let redis: Redis;
  let redisUrl: string;
  let dataDir: string;
  let server: ArenaProcess | undefined;

  before(function () {
    const url = new URL(requireService(this, 'REDIS_URL'));
    url.pathname = `/${REDIS_DB}`;
    redisUrl = url.toString();
    redis = new Redis(redisUrl);
  });
  beforeEach(async () => {
    dataDir = tempDir('arena-redis-');
    await redis.flushdb();
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  after(async () => {
    await redis?.flushdb();
    redis?.disconnect();
  });

  it('registers the process and its rooms in Redis under PUBLIC_ADDRESS, and removes them on shutdown', async () => {
    const port = await freePort();
    const publicAddress = `127.0.0.1:${port}`;
    server = startArenaProcess({ PORT: String(port), DATA_DIR: dataDir, REDIS_URL: redisUrl, PUBLIC_ADDRESS: publicAddress });
    await server.waitUntilHealthy();
    const { processId } = (await httpJson(server.baseUrl, 'GET', '/healthz')).body;

    const { body } = await httpJson(server.baseUrl, 'POST', '/api/auth/guest', { body: { name: 'Ann' } });
    const client = new Client(`ws://${publicAddress}`);
    client.auth.token = body.token;
    const lobby = await client.joinOrCreate('lobby');
    lobby.onMessage('*', () => {});

    const caches = Object.values(await redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
    assert.equal(caches.length, 1);
    assert.equal(caches[0].name, 'lobby');
    assert.equal(caches[0].processId, processId);
    assert.equal(caches[0].publicAddress, publicAddress);
    assert.ok((await redis.smembers('colyseus:nodes')).some((node) => node.startsWith(processId)));

    assert.equal(await server.stop('SIGTERM'), 0);
    assert.deepEqual(await redis.hgetall('roomcaches'), {});
    assert.ok(!(await redis.smembers('colyseus:nodes')).some((node) => node.startsWith(processId)));
  });
});
