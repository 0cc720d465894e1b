import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, seatTable, rejected, type TestArena } from '../support/arena';

describe('rooms: host and lifecycle', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  const table = (players = 2, options: Record<string, unknown> = {}) => seatTable(arena, 'counter', players, options);

  it('makes the creator host and shows it in state', async () => {
    const [host, guest] = await table();
    assert.equal(host.room.state.hostId, host.guest.user.id);
    assert.equal(guest.room.state.players.get(host.guest.user.id).isHost, true);
    assert.equal(guest.room.state.players.get(guest.guest.user.id).isHost, false);
  });

  it('makes the HTTP creator host when they join, even after someone else', async () => {
    const creator = await arena.guest('Creator');
    const created = await arena.http('POST', '/api/rooms', { token: creator.token, body: { game: 'counter', maxPlayers: 3 } });
    assert.equal(created.status, 201);
    const early = await joinRoom(arena, created.body.code);
    assert.equal(early.room.state.hostId, early.guest.user.id);
    await joinRoom(arena, created.body.code, {}, creator);
    await early.probe.stateWhere((state) => state.hostId === creator.user.id, 'creator as host');
  });

  it('refuses host actions from others with NOT_HOST, changing nothing', async () => {
    const [host, guest] = await table();
    const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
    for (const seat of [guest, spectator]) {
      await rejected(arena, seat, 'start', {}, 'NOT_HOST');
      await rejected(arena, seat, 'configure', { maxPlayers: 3 }, 'NOT_HOST');
      await rejected(arena, seat, 'kick', { userId: host.guest.user.id }, 'NOT_HOST');
      await rejected(arena, seat, 'transfer_host', { userId: seat.guest.user.id }, 'NOT_HOST');
      await rejected(arena, seat, 'rematch', {}, 'NOT_HOST');
    }
  });

  it('refuses to start with too few players', async () => {
    const [host] = await table(1);
    await rejected(arena, host, 'start', {}, 'NOT_ENOUGH_PLAYERS');
  });

  it('configure changes options while waiting, validated like create', async () => {
    const [host, guest] = await table();
    host.room.send('configure', { maxPlayers: 3, turnSeconds: 12, target: 20, password: 'pw-123' });
    await guest.probe.stateWhere((state) => state.config.maxPlayers === 3 && state.config.target === 20 && state.config.hasPassword);
    await rejected(arena, host, 'configure', { minPlayers: 1, maxPlayers: 1 }, 'INVALID_ACTION'); // two are seated
    await rejected(arena, host, 'configure', { maxPlayers: 'four' }, 'INVALID_MESSAGE');
    await rejected(arena, host, 'configure', { minPlayers: 4, maxPlayers: 3 }, 'INVALID_MESSAGE');
    await rejected(arena, host, 'configure', { mode: 'quick' }, 'INVALID_MESSAGE');
    await rejected(arena, host, 'configure', { colour: 'red' }, 'INVALID_MESSAGE');
    host.room.send('configure', { password: null });
    await guest.probe.stateWhere((state) => !state.config.hasPassword, 'password cleared');
    host.room.send('start', {});
    await host.probe.stateWhere((state) => state.phase === 'playing');
    await rejected(arena, host, 'configure', { turnSeconds: 40 }, 'GAME_ALREADY_STARTED');
    await rejected(arena, host, 'start', {}, 'GAME_ALREADY_STARTED');
  });

  it('kick removes a player, who cannot come back; kicking yourself is refused', async () => {
    const [host, guest] = await table(3);
    await rejected(arena, host, 'kick', { userId: host.guest.user.id }, 'INVALID_ACTION');
    await rejected(arena, host, 'kick', { userId: 'nobody' }, 'INVALID_ACTION');
    host.room.send('kick', { userId: guest.guest.user.id });
    assert.deepEqual(await guest.probe.message('removed'), { reason: 'kicked' });
    await guest.probe.left();
    await host.probe.stateWhere((state) => !state.players.has(guest.guest.user.id), 'kicked player gone');
    await assert.rejects(arena.client(guest.guest).joinById(host.room.roomId), /NOT_ALLOWED/);
  });

  it('kick during a match marks the player out through the forfeit hook', async () => {
    const [host, guest, third] = await table(3);
    host.room.send('start', {});
    await host.probe.stateWhere((state) => state.phase === 'playing');
    host.room.send('kick', { userId: third.guest.user.id });
    await guest.probe.stateWhere((state) => state.out.get(third.guest.user.id) === true, 'third out');
    const room = arena.colyseus.getRoomById(host.room.roomId) as any;
    assert.deepEqual(room.forfeits, [{ userId: third.guest.user.id, reason: 'kicked' }]);
  });

  it('transfer_host hands over to a seated connected player only', async () => {
    const [host, guest] = await table();
    const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
    await rejected(arena, host, 'transfer_host', { userId: spectator.guest.user.id }, 'INVALID_ACTION');
    await rejected(arena, host, 'transfer_host', { userId: host.guest.user.id }, 'INVALID_ACTION');
    host.room.send('transfer_host', { userId: guest.guest.user.id });
    await spectator.probe.stateWhere((state) => state.hostId === guest.guest.user.id);
    assert.equal(spectator.room.state.players.get(host.guest.user.id).isHost, false);
    await rejected(arena, host, 'start', {}, 'NOT_HOST');
  });

  it('passes host to the longest-seated connected player when the host leaves', async () => {
    const [host, second, third] = await table(3);
    await host.room.leave();
    await third.probe.stateWhere((state) => state.hostId === second.guest.user.id, 'second is host');
    await second.room.leave();
    await third.probe.stateWhere((state) => state.hostId === third.guest.user.id, 'third is host');
    assert.equal(third.room.state.players.size, 1);
  });

  it('plays a match to the end, then rematch restarts with the same seats', async () => {
    const [host, guest] = await table(2, { target: 4 });
    await rejected(arena, host, 'rematch', {}, 'GAME_NOT_STARTED');
    host.room.send('start', {});
    await host.probe.stateWhere((state) => state.phase === 'playing' && state.turn === host.guest.user.id);
    await rejected(arena, host, 'rematch', {}, 'GAME_ALREADY_STARTED');
    await rejected(arena, guest, 'increment', { by: 1 }, 'NOT_YOUR_TURN');
    host.room.send('increment', { by: 3 });
    await guest.probe.stateWhere((state) => state.turn === guest.guest.user.id);
    guest.room.send('increment', { by: 2 });
    await host.probe.stateWhere((state) => state.phase === 'finished');
    assert.equal(host.room.state.winner, guest.guest.user.id);
    await rejected(arena, guest, 'increment', { by: 1 }, 'GAME_OVER');
    host.room.send('rematch', {});
    await guest.probe.stateWhere((state) => state.phase === 'playing' && state.matches === 2 && state.count === 0);
    assert.equal(guest.room.state.players.size, 2);
  });
});
