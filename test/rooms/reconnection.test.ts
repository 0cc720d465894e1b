import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, seatTable, type TestArena, type Seated } from '../support/arena';
import { Probe, dropConnection } from '../support/probe';
import { RECONNECT_GRACE_SECONDS } from '../../src/rooms/turnTimer';

describe('rooms: reconnection', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  const table = (options: Record<string, unknown> = {}, players = 2) => seatTable(arena, 'counter', players, options);

  async function startMatch(host: Seated) {
    host.room.send('start', {});
    await host.probe.stateWhere((state) => state.phase === 'playing' && state.turn !== '', 'match running');
  }

  it('keeps the seat of a dropped player, shows them disconnected, and restores seat and view on reconnect', async () => {
    const [host, guest] = await table();
    await startMatch(host);
    const secret = guest.room.state.secret;
    assert.ok(secret);
    const token = guest.room.reconnectionToken;
    dropConnection(guest.room);
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id).connected === false, 'guest disconnected');
    assert.equal(host.room.state.players.size, 2);

    const back = await arena.client(guest.guest).reconnect(token);
    const probe = new Probe(back);
    await probe.stateWhere((state) => state.secret === secret && state.players.get(guest.guest.user.id).connected, 'view restored');
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id).connected === true, 'guest reconnected');
  });

  it('refuses a reconnection token presented without a valid token of the same user; the seat keeps waiting', async () => {
    const [host, guest] = await table();
    await startMatch(host);
    const secret = guest.room.state.secret;
    const token = guest.room.reconnectionToken;
    dropConnection(guest.room);
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id).connected === false, 'guest disconnected');

    const thief = await arena.guest('thief');
    for (const attacker of [arena.client(), arena.client(thief)]) {
      await assert.rejects(attacker.reconnect(token), (error: any) => {
        assert.equal(error.code, 401);
        assert.match(error.message, /^UNAUTHORIZED/);
        return true;
      });
    }
    assert.equal(host.room.state.players.get(guest.guest.user.id).connected, false, 'the seat still waits for its player');

    const back = new Probe(await arena.client(guest.guest).reconnect(token));
    await back.stateWhere((state) => state.secret === secret && state.players.get(guest.guest.user.id).connected, 'the owner gets the seat back');
  });

  it('gives the player a grace period when they reconnect during their own turn', async () => {
    const [host, guest] = await table({ turnSeconds: 30 });
    await startMatch(host);
    const deadline = host.room.state.turnDeadline;
    const token = host.room.reconnectionToken;
    dropConnection(host.room);
    await guest.probe.stateWhere((state) => state.players.get(host.guest.user.id).connected === false, 'host dropped');
    const back = new Probe(await arena.client(host.guest).reconnect(token));
    const state = await back.stateWhere((s) => s.turnDeadline > deadline, 'deadline extended');
    assert.equal(state.turnDeadline, deadline + RECONNECT_GRACE_SECONDS * 1000);
    assert.equal(state.turn, host.guest.user.id);
  });

  it('lets the same user take the seat back with a new session (page reload), dropping the stale one', async () => {
    const [host, guest] = await table();
    await startMatch(host);
    const again = await joinRoom(arena, host.room.roomId, {}, guest.guest);
    assert.deepEqual(await guest.probe.message('removed'), { reason: 'replaced' });
    await guest.probe.left();
    assert.equal(again.room.state.players.size, 2);
    assert.ok(again.room.state.secret, 'the new session sees what a player sees');
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id).connected === true);
  });

  it('a seated player taking the seat back needs no password again', async () => {
    const [host, guest] = await table({ password: 'pw-pw' }, 1).then(async ([h]) => [h, await joinRoom(arena, h.room.roomId, { password: 'pw-pw' })]);
    const again = await joinRoom(arena, host.room.roomId, {}, guest.guest);
    assert.equal(again.room.state.players.size, 2);
    await assert.rejects(arena.client(await arena.guest()).joinById(host.room.roomId), /WRONG_PASSWORD/);
  });

  it('a new session also ends a pending reconnection wait without releasing the seat', async () => {
    const [host, guest] = await table({ reconnectSeconds: 30 });
    dropConnection(guest.room);
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id)?.connected === false);
    const again = await joinRoom(arena, host.room.roomId, {}, guest.guest);
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id)?.connected === true);
    assert.equal(again.room.state.players.size, 2);
    assert.equal(again.room.state.players.get(guest.guest.user.id).seat, 1);
  });

  it('releases the seat when the window expires while waiting', async () => {
    const [host, guest] = await table({ reconnectSeconds: 1 });
    dropConnection(guest.room);
    await host.probe.stateWhere((state) => !state.players.has(guest.guest.user.id), 'seat released', 5000);
    const code = host.room.roomId;
    const me = await arena.http('GET', '/api/me/rooms', { token: guest.guest.token });
    assert.ok(!me.body.rooms.some((room: { code: string }) => room.code === code));
  });

  it('during a match, an expired window marks the player out through the forfeit hook', async () => {
    const [host, guest, third] = await table({ reconnectSeconds: 1 }, 3);
    await startMatch(host);
    dropConnection(third.room);
    await guest.probe.stateWhere((state) => state.out.get(third.guest.user.id) === true, 'third out', 5000);
    assert.equal(host.room.state.players.get(third.guest.user.id).connected, false);
    const room = arena.colyseus.getRoomById(host.room.roomId) as any;
    assert.deepEqual(room.forfeits, [{ userId: third.guest.user.id, reason: 'disconnected' }]);
  });

  it('passes host on when the host’s reconnection window expires', async () => {
    const [host, guest] = await table({ reconnectSeconds: 1 });
    dropConnection(host.room);
    await guest.probe.stateWhere((state) => state.hostId === guest.guest.user.id, 'guest is host', 5000);
  });

  it('a dropped host keeps the role while their window is open', async () => {
    const [host, guest] = await table({ reconnectSeconds: 30 });
    dropConnection(host.room);
    await guest.probe.stateWhere((state) => state.players.get(host.guest.user.id).connected === false);
    assert.equal(guest.room.state.hostId, host.guest.user.id);
  });

  it('a consented leave releases the seat at once', async () => {
    const [host, guest] = await table({ reconnectSeconds: 30 });
    await guest.room.leave(true);
    await host.probe.stateWhere((state) => !state.players.has(guest.guest.user.id));
  });
});
