/**
 * What one user may take: open rooms, room creations per minute, simultaneous connections, guest
 * sign-ins per client address (and only the real address: a forged X-Forwarded-For buys nothing).
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { startArena, type TestArena } from '../support/arena';
import { DEFAULT_LIMITS } from '../../src/limits/userLimits';

function refused(error: any): true {
  assert.equal(error.code, 429);
  assert.match(error.message, /^RATE_LIMITED: /);
  return true;
}

describe('abuse: per-user limits', function () {
  this.timeout(30_000);
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  it(`refuses a user's room beyond ${DEFAULT_LIMITS.maxOpenRoomsPerUser} open ones, over HTTP and over WebSocket (429)`, async () => {
    const { token } = await arena.guest('hoarder');
    for (let i = 0; i < DEFAULT_LIMITS.maxOpenRoomsPerUser; i++) {
      assert.equal((await arena.http('POST', '/api/rooms', { token, body: { game: 'cabo' } })).status, 201);
    }
    const http = await arena.http('POST', '/api/rooms', { token, body: { game: 'cabo' } });
    assert.equal(http.status, 429);
    assert.equal(http.body.error.code, 'RATE_LIMITED');
    assert.match(http.body.error.message, /open rooms/);
    const client = arena.client({ token, user: { id: '', name: '', roles: [] } });
    await assert.rejects(client.create('cabo', {}), refused);
    assert.equal((await arena.http('POST', '/api/rooms', { token: (await arena.guest()).token, body: { game: 'cabo' } })).status, 201, 'others may still create');
  });

  it('refuses a user’s room creation beyond ROOM_CREATIONS_PER_MINUTE, even when each room was closed again', async () => {
    await arena.shutdown();
    arena = await startArena({ limits: { ...DEFAULT_LIMITS, roomCreationsPerMinute: 3 } });
    const guest = await arena.guest('churner');
    const client = arena.client(guest);
    for (let i = 0; i < 3; i++) {
      const room = await client.create('tictactoe', {});
      const server = arena.colyseus.getRoomById(room.roomId) as unknown as { _events: { once(event: string, listener: () => void): void } };
      const disposed = new Promise<void>((resolve) => server._events.once('dispose', resolve));
      await room.leave(); // the room closes: it no longer counts as open
      await disposed;
    }
    await assert.rejects(client.create('tictactoe', {}), (error: any) => refused(error) && /per minute/.test(error.message));
    const http = await arena.http('POST', '/api/rooms', { token: guest.token, body: { game: 'tictactoe' } });
    assert.equal(http.status, 429);
  });

  it(`refuses a user's connection beyond ${DEFAULT_LIMITS.maxConnectionsPerUser} at once, and admits one again after a close`, async () => {
    const guest = await arena.guest('connector');
    const rooms: Room[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.maxConnectionsPerUser; i++) rooms.push(await arena.client(guest).joinOrCreate('lobby'));
    await assert.rejects(arena.client(guest).joinOrCreate('lobby'), refused);
    await assert.rejects(arena.client(guest).create('cabo', {}), refused);
    await rooms.pop()!.leave();
    rooms.push(await arena.client(guest).joinOrCreate('lobby'));
    await Promise.all(rooms.map((room) => room.leave()));
  });

  it('keys guest sign-ins on the connection’s address: a new X-Forwarded-For each time buys nothing (no proxy trusted)', async () => {
    let refusal: any;
    for (let i = 0; i < DEFAULT_LIMITS.guestSignInBurst + 5 && !refusal; i++) {
      const reply = await arena.http('POST', '/api/auth/guest', { body: { name: `n${i}` }, headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      if (reply.status === 429) refusal = reply;
    }
    assert.ok(refusal, 'forged X-Forwarded-For headers bypassed the limit');
    assert.equal(refusal.body.error.code, 'RATE_LIMITED');
  });

  it('keys them on X-Forwarded-For behind a trusted proxy (TRUST_PROXY), one allowance per client', async () => {
    await arena.shutdown();
    arena = await startArena({ trustProxy: ['loopback'] });
    const from = (address: string, name: string) => arena.http('POST', '/api/auth/guest', { body: { name }, headers: { 'x-forwarded-for': address } });
    for (let i = 0; i < DEFAULT_LIMITS.guestSignInBurst; i++) assert.equal((await from('198.51.100.7', `a${i}`)).status, 201);
    assert.equal((await from('198.51.100.7', 'one more')).status, 429, 'the client behind the proxy used its allowance');
    assert.equal((await from('198.51.100.8', 'neighbour')).status, 201, 'another client behind the same proxy is not blocked');
  });

  it('counts every refusal by reason in /metrics', async () => {
    const text = (await arena.http('GET', '/metrics')).body as string;
    for (const reason of ['open_rooms', 'room_creations', 'connections', 'guest_sign_ins']) {
      assert.match(text, new RegExp(`^arena_refusals_total\\{reason="${reason}"\\} [1-9]`, 'm'), reason);
    }
  });
});
