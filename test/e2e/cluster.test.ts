/**
 * Several Arena processes sharing Redis (presence, driver) and PostgreSQL (storage, leases): every
 * feature works across processes, and a killed process's matches are adopted by one survivor.
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { httpJson } from '../support/arena';
import { threeProcesses } from '../support/cluster';
import { Probe, dropConnection } from '../support/probe';
import { drive } from '../support/caboClients';

/** Redis database reserved for this suite. */
const REDIS_DB = 11;
const LEASE_SECONDS = 6;

describe('e2e: several processes (Redis + PostgreSQL)', function () {
  this.timeout(120_000);
  const cluster = threeProcesses({ redisDb: REDIS_DB, name: 'cluster', leaseSeconds: LEASE_SECONDS });
  const { guest, client } = cluster;

  async function joined(room: Room): Promise<{ room: Room; probe: Probe }> {
    const probe = new Probe(room);
    await probe.stateWhere((s) => s.code === room.roomId, 'state');
    return { room, probe };
  }

  /** The process (by public address) whose listing holds `code`, read from the shared driver. */
  async function ownerOf(code: string): Promise<string | undefined> {
    const caches = Object.values(await cluster.redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
    return caches.find((cache) => cache.roomId === code)?.publicAddress;
  }

  it('joins by code through any process, and reconnects through another process', async () => {
    const [a, b, c] = cluster.nodes;
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
    const other = cluster.nodes.find((node) => node.address !== owner)!;
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
    for (const [i, node] of cluster.nodes.entries()) {
      const identity = await guest(node, `Q${i}`);
      rooms.push(await client(node, identity.token).joinOrCreate('cabo', { mode: 'quick', maxPlayers: 3 }));
    }
    assert.equal(new Set(rooms.map((room) => room.roomId)).size, 1);
    await (await joined(rooms[0])).probe.stateWhere((s) => s.phase === 'playing', 'full quick room starts');
  });

  it('lists every process’s public rooms in GET /api/rooms and in the lobby; codes stay unique', async () => {
    const lobbyOwner = await guest(cluster.nodes[0], 'Lobby');
    const lobby = new Probe(await client(cluster.nodes[0], lobbyOwner.token).joinOrCreate('lobby'));
    await lobby.message('rooms');
    const codes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const node = cluster.nodes[i % 3];
      const creator = await guest(node, `C${i}`);
      const room = await client(node, creator.token).create('cabo', { maxPlayers: 2 });
      codes.add(room.roomId);
    }
    assert.equal(codes.size, 12);
    const owners = new Set(await Promise.all([...codes].map(ownerOf)));
    assert.ok(owners.size >= 2, 'rooms are spread over processes');
    for (const node of cluster.nodes) {
      const listed = new Set((await httpJson(node.http, 'GET', '/api/rooms?game=cabo')).body.rooms.map((r: any) => r.code));
      for (const code of codes) assert.ok(listed.has(code), `${code} listed by ${node.address}`);
    }
    await lobby.until(() => [...codes].every((code) => lobby.messages.some((m) => m.type === '+' && m.message[0] === code)), 'lobby saw every room');
  });

  it('a killed process’s rooms leave the listings, and one survivor adopts its match; the players finish', async () => {
    // a cabo match whose room lives on some process
    const [a] = cluster.nodes;
    const identities = [await guest(a, 'P1'), await guest(a, 'P2')];
    const created = await httpJson(a.http, 'POST', '/api/rooms', {
      token: identities[0].token,
      body: { game: 'cabo', maxPlayers: 2, targetScore: 1, setupSeconds: 60, turnSeconds: 120, roundPauseSeconds: 1 },
    });
    const code = created.body.code;
    const victimAddress = (await ownerOf(code))!;
    const victim = cluster.nodes.find((node) => node.address === victimAddress)!;
    const survivors = cluster.nodes.filter((node) => node !== victim);
    let players = await Promise.all(identities.map(async (identity) => ({ identity, ...(await joined(await client(survivors[0], identity.token).joinById(code))) })));
    players[0].room.send('start', {});
    await players[0].probe.stateWhere((s) => s.roundPhase === 'setup', 'setup');
    for (const p of players) p.room.send('ready', {});
    await players[0].probe.stateWhere((s) => s.roundPhase === 'turn', 'first turn');
    const turnBefore = players[0].room.state.turn;

    const victimProcessId = (await httpJson(victim.http, 'GET', '/healthz')).body.processId;
    assert.equal(await victim.server.stop('SIGKILL'), 'SIGKILL');
    cluster.nodes = cluster.nodes.filter((node) => node !== victim);
    const killedAt = Date.now();

    // the dead process's listings go; the match comes back on exactly one survivor
    await waitFor(async () => {
      const caches = Object.values(await cluster.redis.hgetall('roomcaches')).map((json) => JSON.parse(json));
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
