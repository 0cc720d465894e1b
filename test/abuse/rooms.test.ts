/**
 * Hostile clients against rooms: reservations that never connect, a host bending quick match,
 * rejoins that stretch a turn, reconnecting to reset the rate limit, junk frames, lobby floods.
 * Each case proves the room (and everyone else in it) carries on.
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { startArena, createRoom, joinRoom, seatTable, type TestArena, type Seated } from '../support/arena';
import { Probe, dropConnection } from '../support/probe';
import { RECONNECT_GRACE_SECONDS } from '../../src/rooms/turnTimer';
import { JOIN_RATE_LIMIT } from '../../src/rooms/ReservationGuard';
import { CLOSE_INVALID_FRAME, CLOSE_RATE_LIMITED, FLOOD_DISCONNECT_AFTER, RATE_LIMIT } from '../../src/rooms/frameGate';

/** The raw WebSocket under a colyseus.js room. */
function socketOf(room: Room): { send(data: Buffer): void } {
  return (room.connection as unknown as { transport: { ws: { send(data: Buffer): void } } }).transport.ws;
}

describe('abuse: rooms', function () {
  this.timeout(30_000);
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  it('seat reservations that never connect cannot lock a room: one per user, and none count toward locking', async () => {
    const host = await createRoom(arena, 'cabo', { password: 'pw-1' });
    const code = host.room.roomId;
    const reserve = (token: string) =>
      arena.http('POST', `/matchmake/joinById/${code}`, { token, body: { password: 'pw-1' } });
    const attacker = await arena.guest('attacker');
    for (let i = 0; i < 45; i++) assert.ok((await reserve(attacker.token)).body.sessionId, 'a reservation');
    const room = arena.colyseus.getRoomById(code) as unknown as { reservedSeats: Record<string, unknown> };
    assert.equal(Object.keys(room.reservedSeats).length, 1, 'one outstanding reservation per user');
    for (let i = 0; i < 40; i++) await reserve((await arena.guest(`bot${i}`)).token);
    assert.equal(arena.colyseus.getRoomById(code).locked, false);

    const friend = await joinRoom(arena, code, { password: 'pw-1' });
    await host.probe.stateWhere((state) => state.players.size === 2, 'the friend is seated');
    const watcher = await joinRoom(arena, code, { password: 'pw-1', spectate: true });
    assert.equal(watcher.room.state.spectatorCount, 1);
    assert.equal(friend.room.state.code, code);
  });

  it('a quick-match host cannot configure what create refuses (password, private, allow-lists)', async () => {
    const host = await arena.client(await arena.guest()).joinOrCreate('cabo', { mode: 'quick' });
    const probe = new Probe(host);
    await probe.stateWhere((state) => state.code === host.roomId);
    for (const change of [{ password: 'mine' }, { private: true }, { allowedUsers: ['friend'] }, { allowedRoles: ['vip'] }]) {
      const error = await probe.expectError('configure', change);
      assert.equal(error.code, 'INVALID_MESSAGE', JSON.stringify(change));
    }
    assert.equal(host.state.config.hasPassword, false);
    const joiner = await arena.client(await arena.guest()).joinOrCreate('cabo', { mode: 'quick' });
    assert.equal(joiner.roomId, host.roomId, 'quick match still fills the room');
  });

  it('rejoining during your own turn extends it once, however often you rejoin', async () => {
    const [host, guest] = await seatTable(arena, 'counter', 2, { turnSeconds: 30 });
    host.room.send('start', {});
    const { turnDeadline: deadline, turn } = await host.probe.stateWhere((s) => s.phase === 'playing' && s.turn !== '');
    const mover = turn === host.guest.user.id ? host : guest;
    const other = mover === host ? guest : host;
    let session: Seated = mover;
    for (let i = 0; i < 5; i++) {
      session = await joinRoom(arena, host.room.roomId, {}, mover.guest);
      await other.probe.stateWhere((s) => s.players.get(mover.guest.user.id).connected, 'back');
    }
    const token = session.room.reconnectionToken;
    dropConnection(session.room);
    await other.probe.stateWhere((s) => !s.players.get(mover.guest.user.id).connected, 'dropped');
    const back = new Probe(await arena.client(mover.guest).reconnect(token));
    await back.stateWhere((s) => s.players?.get(mover.guest.user.id)?.connected, 'reconnected');
    assert.equal(other.room.state.turnDeadline, deadline + RECONNECT_GRACE_SECONDS * 1000);
  });

  it('the rate limit belongs to the user in the room: reconnecting does not refill it', async () => {
    const [host, guest] = await seatTable(arena, 'counter', 2, { reconnectSeconds: 60 });
    let current = guest;
    let accepted = 0;
    const started = Date.now();
    for (let cycle = 0; cycle < 3; cycle++) {
      const rid = `c${cycle}`;
      for (let i = 0; i < 60; i++) current.room.send('ping', { t: i, rid });
      assert.equal(await current.probe.left(), CLOSE_RATE_LIMITED);
      accepted += current.probe.count('pong');
      current = await joinRoom(arena, host.room.roomId, {}, guest.guest);
    }
    const seconds = (Date.now() - started) / 1000;
    const allowed = RATE_LIMIT.burst + RATE_LIMIT.ratePerSecond * seconds + 3;
    assert.ok(accepted <= allowed, `${accepted} messages accepted in ${seconds.toFixed(1)} s (at most ${allowed.toFixed(0)})`);
    current.room.send('ping', { t: 1 });
    const error = await current.probe.message('error');
    assert.equal(error.code, 'RATE_LIMITED', 'the bucket is still empty after reconnecting');
  });

  it('joins and reconnections of one user are rate-limited too (429)', async () => {
    const host = await createRoom(arena, 'counter');
    const user = await arena.guest('rejoiner');
    let refusal: any;
    for (let i = 0; i < JOIN_RATE_LIMIT.burst + 3 && !refusal; i++) {
      await joinRoom(arena, host.room.roomId, {}, user).catch((error) => (refusal = error));
    }
    assert.ok(refusal, 'rejoining was never refused');
    assert.equal(refusal.code, 429);
    assert.match(refusal.message, /^RATE_LIMITED: /);
    const other = await joinRoom(arena, host.room.roomId);
    assert.equal(other.room.state.code, host.room.roomId, 'other users are unaffected');
  });

  it('one user waits for one quick-match join at a time: a flood of them is refused (429), not queued before everyone else', async () => {
    const flooder = await arena.guest('flooder');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => arena.http('POST', '/matchmake/joinOrCreate/cabo', { token: flooder.token, body: { mode: 'quick' } })),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    assert.ok(refused.length > 0, 'no quick join of the flood was refused');
    for (const answer of refused) assert.match(answer.body.error, /^RATE_LIMITED: /);
    const other = await arena.client(await arena.guest('patient')).joinOrCreate('cabo', { mode: 'quick' });
    assert.match(other.roomId, /^[A-Z2-9]{6}$/, 'another user is served');
    const metrics = await arena.http('GET', '/metrics');
    assert.match(metrics.body, /arena_refusals_total\{reason="quick_joins"\} [1-9]/);
  });

  for (const [label, frame] of [
    ['an unknown protocol byte', Buffer.concat([Buffer.from([0xee]), Buffer.alloc(4000, 1)])],
    ['room data that is not msgpack', Buffer.from([13, 0xa4, 0x70, 0x69, 0x6e, 0x67, 0xc1, 0xc1, 0xc1])],
    ['a stray handshake with a payload', Buffer.from([10, 1, 2, 3])],
  ] as Array<[string, Buffer]>) {
    it(`disconnects a client that sends ${label} (4400); the room and its other players carry on`, async () => {
      const [host, guest] = await seatTable(arena, 'counter', 2);
      socketOf(guest.room).send(frame);
      assert.deepEqual(await guest.probe.message('removed'), { reason: 'invalid_frame' });
      assert.equal(await guest.probe.left(), CLOSE_INVALID_FRAME);
      await host.probe.stateWhere((s) => s.players.get(guest.guest.user.id).connected === false, 'the seat waits for its player');
      host.room.send('ping', { t: 1 });
      await host.probe.message('pong');
    });
  }

  it('a junk-frame flood never gets through and never slows a bystander’s answers past the flood', async () => {
    const [host, guest] = await seatTable(arena, 'counter', 2);
    const junk = Buffer.concat([Buffer.from([0xee]), Buffer.alloc(4000, 7)]);
    for (let i = 0; i < 500; i++) socketOf(guest.room).send(junk);
    assert.equal(await guest.probe.left(), CLOSE_INVALID_FRAME);
    host.room.send('ping', { t: 2 });
    await host.probe.message('pong', (m) => m.t === 2);
  });

  it('the lobby rate-limits its messages like a game room and disconnects a flooder', async () => {
    const lobby = await arena.client(await arena.guest()).joinOrCreate('lobby');
    const probe = new Probe(lobby);
    await probe.message('rooms');
    for (let i = 0; i < 2000; i++) lobby.send('filter', { name: 'cabo' });
    assert.equal(await probe.left(10_000), CLOSE_RATE_LIMITED);
    const answers = probe.count('rooms');
    assert.ok(answers <= RATE_LIMIT.burst + 5, `${answers} listings sent to the flooder`);
    assert.ok(probe.messages.filter((m) => m.type === 'error' && m.message.code === 'RATE_LIMITED').length >= FLOOD_DISCONNECT_AFTER);
    const fresh = new Probe(await arena.client(await arena.guest()).joinOrCreate('lobby'));
    await fresh.message('rooms');
  });
});
