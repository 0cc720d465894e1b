/**
 * With Redis, the per-user and per-address limits hold across processes: a second process is no
 * way around them.
 */
import { strict as assert } from 'assert';
import crypto from 'crypto';
import fs from 'fs';
import Redis from 'ioredis';
import { Client, type Room } from 'colyseus.js';
import { freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';
import { requireService } from '../support/services';
import { DEFAULT_LIMITS } from '../../src/limits/userLimits';

/** Redis database reserved for this suite. */
const REDIS_DB = 12;

interface Node {
  server: ArenaProcess;
  ws: string;
  http: string;
}

describe('abuse: limits shared by every process (Redis)', function () {
  this.timeout(60_000);
  let redis: Redis;
  const nodes: Node[] = [];
  const dataDirs: string[] = [];

  before(async function () {
    const url = new URL(requireService(this, 'REDIS_URL'));
    url.pathname = `/${REDIS_DB}`;
    redis = new Redis(url.toString());
    await redis.flushdb();
    const env = { REDIS_URL: url.toString(), JWT_SECRET: crypto.randomBytes(32).toString('base64url'), LOG_LEVEL: 'warn' };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const dataDir = tempDir('arena-shared-');
      dataDirs.push(dataDir);
      const server = startArenaProcess({ ...env, PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, DATA_DIR: dataDir });
      nodes.push({ server, ws: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` });
    }
    await Promise.all(nodes.map((node) => node.server.waitUntilHealthy()));
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.server.stop('SIGKILL')));
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (redis) {
      await redis.flushdb();
      redis.disconnect();
    }
  });

  const signIn = (node: Node, name: string) => httpJson(node.http, 'POST', '/api/auth/guest', { body: { name } });
  const client = (node: Node, token: string) => {
    const c = new Client(node.ws);
    c.auth.token = token;
    return c;
  };

  it('counts a user’s connections on every process together', async () => {
    const { token } = (await signIn(nodes[0], 'Many')).body;
    const rooms: Room[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.maxConnectionsPerUser; i++) rooms.push(await client(nodes[i % 2], token).joinOrCreate('lobby'));
    for (const node of nodes) {
      await assert.rejects(client(node, token).joinOrCreate('lobby'), (error: any) => error.code === 429 && /^RATE_LIMITED/.test(error.message));
    }
    await Promise.all(rooms.map((room) => room.leave()));
  });

  it('counts a user’s open rooms on every process together', async () => {
    const { token } = (await signIn(nodes[1], 'Hoarder')).body;
    for (let i = 0; i < DEFAULT_LIMITS.maxOpenRoomsPerUser; i++) {
      assert.equal((await httpJson(nodes[i % 2].http, 'POST', '/api/rooms', { token, body: { game: 'cabo' } })).status, 201);
    }
    for (const node of nodes) assert.equal((await httpJson(node.http, 'POST', '/api/rooms', { token, body: { game: 'cabo' } })).status, 429);
  });

  it('counts guest sign-ins of one address on every process together', async () => {
    await redis.flushdb(); // a fresh allowance for this address
    let accepted = 0;
    let refusal: any;
    for (let i = 0; i < 2 * DEFAULT_LIMITS.guestSignInBurst && !refusal; i++) {
      const reply = await signIn(nodes[i % 2], `g${i}`);
      if (reply.status === 201) accepted++;
      else refusal = reply;
    }
    assert.equal(refusal?.status, 429);
    assert.ok(accepted <= DEFAULT_LIMITS.guestSignInBurst + 2, `${accepted} sign-ins accepted across two processes`);
  });
});
