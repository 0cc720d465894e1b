/**
 * Several Arena processes sharing Redis (presence, driver) and PostgreSQL (storage, leases): every
 * feature works across processes, and a killed process's matches are adopted by one survivor.
 */
import { strict as assert } from 'assert';
import crypto from 'crypto';
import fs from 'fs';
import Redis from 'ioredis';
import { Client, type Room } from 'colyseus.js';
import { Pool } from 'pg';
import { freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';
import { Probe, dropConnection } from '../support/probe';
import { requireService } from '../support/services';
import { drive } from '../support/caboClients';

/** Redis database reserved for this suite. */
const REDIS_DB = 11;
const LEASE_SECONDS = 6;

interface Node {
  server: ArenaProcess;
  address: string;
  url: string;
  http: string;
}

describe('e2e: several processes (Redis + PostgreSQL)', function () {
  this.timeout(120_000);
  let redis: Redis;
  let env: Record<string, string>;
  let nodes: Node[] = [];
  const dataDirs: string[] = [];
  let schema: string;

  async function startNode(port?: number): Promise<Node> {
    const nodePort = port ?? (await freePort());
    const address = `127.0.0.1:${nodePort}`;
    const dataDir = tempDir('arena-cluster-');
    dataDirs.push(dataDir);
    const server = startArenaProcess({ ...env, PORT: String(nodePort), PUBLIC_ADDRESS: address, DATA_DIR: dataDir });
    await server.waitUntilHealthy();
    return { server, address, url: `ws://${address}`, http: `http://${address}` };
  }

  before(async function () {
    const redisUrl = new URL(requireService(this, 'REDIS_URL'));
    const databaseUrl = requireService(this, 'DATABASE_URL');
    redisUrl.pathname = `/${REDIS_DB}`;
    redis = new Redis(redisUrl.toString());
    await redis.flushdb();
    schema = `arena_cluster_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    env = {
      REDIS_URL: redisUrl.toString(),
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      JWT_SECRET: crypto.randomBytes(32).toString('base64url'),
      LEASE_SECONDS: String(LEASE_SECONDS),
      LOG_LEVEL: 'warn',
    };
    nodes = [await startNode(), await startNode(), await startNode()];
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.server.stop('SIGKILL')));
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (redis) {
      await redis.flushdb();
      redis.disconnect();
    }
    if (schema && process.env.DATABASE_URL) {
      const pool = new Pool({ connectionString: process.env.DATABASE_URL });
      await pool.query(`drop schema if exists "${schema}" cascade`);
      await pool.end();
    }
  });

  async function guest(node: Node, name: string): Promise<{ token: string; user: { id: string } }> {
    return (await httpJson(node.http, 'POST', '/api/auth/guest', { body: { name } })).body;
  }

  function client(node: Node, token: string): Client {
    const c = new Client(node.url);
    c.auth.token = token;
    return c;
  }

  async function joined(room: Room): Promise<{ room: Room; probe: Probe }> {
    const probe = new Probe(room);
    await probe.stateWhere((s) => s.code === room.roomId, 'state');
    return { room, probe };
  }

  /** The process (by public address) whose listing holds `code`, read from the shared driver. */
  async function ownerOf(code: string): Promise<string | undefined> {
    const caches = Object.values(await redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
    return caches.find((cache) => cache.roomId === code)?.publicAddress;
  }

  it('joins by code through any process, and reconnects through another process', async () => {
    const [a, b, c] = nodes;
    const host = await guest(a, 'Host');
    const { body } = await httpJson(a.http, 'POST', '/api/rooms', { token: host.token, body: { game: 'tabletop' } });
    const code = body.code;
    const seats: Array<{ identity: { token: string; user: { id: string } }; room: Room; probe: Probe }> = [];
    for (const [node, name] of [[a, 'Host'], [b, 'Bea'], [c, 'Cid']] as const) {
      const identity = name === 'Host' ? host : await guest(node, name);
      seats.push({ identity, ...(await joined(await client(node, identity.token).joinById(code))) });
    }
    await seats[0].probe.stateWhere((s) => s.players.size === 3, 'three players from three processes');

    // GET /api/me/rooms on another process finds the seat
    const mine = await httpJson(c.http, 'GET', '/api/me/rooms', { token: seats[1].identity.token });
    assert.deepEqual(mine.body.rooms.map((room: any) => room.code), [code]);

    // a drop, then reconnection through a process that does not host the room
    const owner = await ownerOf(code);
    const other = nodes.find((node) => node.address !== owner)!;
    const token = seats[1].room.reconnectionToken;
    dropConnection(seats[1].room);
    await seats[0].probe.stateWhere((s) => s.players.get(seats[1].identity.user.id).connected === false, 'dropped');
    const back = await joined(await client(other, seats[1].identity.token).reconnect(token));
    await seats[0].probe.stateWhere((s) => s.players.get(seats[1].identity.user.id).connected === true, 'reconnected');
    back.room.send('chat', { text: 'back again' });
    await seats[2].probe.stateWhere((s) => [...(s.log?.values() ?? [])].some((e: any) => e.text === 'back again'), 'chat after reconnect');
  });

  it('quick match fills one room with clients of several processes', async () => {
    const rooms: Room[] = [];
    for (const [i, node] of nodes.entries()) {
      const identity = await guest(node, `Q${i}`);
      rooms.push(await client(node, identity.token).joinOrCreate('cabo', { mode: 'quick', maxPlayers: 3 }));
    }
    assert.equal(new Set(rooms.map((room) => room.roomId)).size, 1);
    await (await joined(rooms[0])).probe.stateWhere((s) => s.phase === 'playing', 'full quick room starts');
  });

  it('lists every process’s public rooms in GET /api/rooms and in the lobby; codes stay unique', async () => {
    const lobbyOwner = await guest(nodes[0], 'Lobby');
    const lobby = new Probe(await client(nodes[0], lobbyOwner.token).joinOrCreate('lobby'));
    await lobby.message('rooms');
    const codes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const node = nodes[i % 3];
      const creator = await guest(node, `C${i}`);
      const room = await client(node, creator.token).create('cabo', { maxPlayers: 2 });
      codes.add(room.roomId);
    }
    assert.equal(codes.size, 12);
    const owners = new Set(await Promise.all([...codes].map(ownerOf)));
    assert.ok(owners.size >= 2, 'rooms are spread over processes');
    for (const node of nodes) {
      const listed = new Set((await httpJson(node.http, 'GET', '/api/rooms?game=cabo')).body.rooms.map((r: any) => r.code));
      for (const code of codes) assert.ok(listed.has(code), `${code} listed by ${node.address}`);
    }
    await lobby.until(() => [...codes].every((code) => lobby.messages.some((m) => m.type === '+' && m.message[0] === code)), 'lobby saw every room');
  });

  it('a killed process’s rooms leave the listings, and one survivor adopts its match; the players finish', async () => {
    // a cabo match whose room lives on some process
    const [a] = nodes;
    const identities = [await guest(a, 'P1'), await guest(a, 'P2')];
    const created = await httpJson(a.http, 'POST', '/api/rooms', {
      token: identities[0].token,
      body: { game: 'cabo', maxPlayers: 2, targetScore: 1, setupSeconds: 60, turnSeconds: 120, roundPauseSeconds: 1 },
    });
    const code = created.body.code;
    const victimAddress = (await ownerOf(code))!;
    const victim = nodes.find((node) => node.address === victimAddress)!;
    const survivors = nodes.filter((node) => node !== victim);
    let players = await Promise.all(identities.map(async (identity) => ({ identity, ...(await joined(await client(survivors[0], identity.token).joinById(code))) })));
    players[0].room.send('start', {});
    await players[0].probe.stateWhere((s) => s.roundPhase === 'setup', 'setup');
    for (const p of players) p.room.send('ready', {});
    await players[0].probe.stateWhere((s) => s.roundPhase === 'turn', 'first turn');
    const turnBefore = players[0].room.state.turn;

    const victimProcessId = (await httpJson(victim.http, 'GET', '/healthz')).body.processId;
    assert.equal(await victim.server.stop('SIGKILL'), 'SIGKILL');
    nodes = nodes.filter((node) => node !== victim);
    const killedAt = Date.now();

    // the dead process's listings go; the match comes back on exactly one survivor
    await waitFor(async () => {
      const caches = Object.values(await redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
      return !caches.some((cache) => cache.processId === victimProcessId);
    }, 20_000, 'dead listings removed');
    const removedAfter = Date.now() - killedAt;
    await waitFor(async () => (await ownerOf(code)) !== undefined, 30_000, 'match adopted');
    const adopter = await ownerOf(code);
    assert.ok(survivors.some((node) => node.address === adopter));
    // both survivors race for the orphan (each polls storage); exactly one claims and restores it
    const adoptions = survivors.flatMap((node) => node.server.output().split('\n').filter((line) => line.includes('adopting a room') && line.includes(code)));
    assert.equal(adoptions.length, 1, `adopted ${adoptions.length} times`);
    assert.ok(removedAfter < 15_000, `listings removed after ${removedAfter} ms`);

    // players come back by code through any process and finish the match
    players = await Promise.all(players.map(async (p, i) => ({ ...p, ...(await joined(await client(survivors[i % 2], p.identity.token).joinById(code))) })));
    await players[0].probe.stateWhere((s) => s.turn === turnBefore && [...s.players.values()].every((p: any) => p.connected), 'same turn, everyone back');
    await drive(players.map((p) => ({ token: p.identity.token, id: p.identity.user.id, room: p.room, probe: p.probe })), [], () => false);
    await players[0].probe.stateWhere((s) => s.phase === 'finished', 'game over', 20_000);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling shared storage, not a sleep for a result
  }
}
