import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, type TestArena } from '../support/arena';

describe('rooms: turn timer and idle timeout', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  it('puts an absolute deadline in state, warns before it, and lets the game act at expiry', async () => {
    const host = await createRoom(arena, 'counter', { turnSeconds: 2 });
    const guest = await joinRoom(arena, host.room.roomId);
    const startedAt = Date.now();
    host.room.send('start', {});
    const state = await guest.probe.stateWhere((s) => s.phase === 'playing' && s.turnDeadline > 0);
    const firstDeadline = state.turnDeadline;
    assert.equal(state.turn, host.guest.user.id);
    assert.ok(Math.abs(firstDeadline - (startedAt + 2000)) < 500, 'deadline is epoch ms of the turn end');

    const warning = await guest.probe.message('turn_warning');
    assert.equal(warning.userId, host.guest.user.id);
    assert.equal(warning.secondsLeft, 1);

    // At expiry the fixture game auto-plays +1 and passes the turn.
    await guest.probe.stateWhere((s) => s.count === 1 && s.turn === guest.guest.user.id, 'auto-play', 5000);
    const room = arena.colyseus.getRoomById(host.room.roomId) as any;
    assert.deepEqual(room.timeouts, [host.guest.user.id]);
    assert.ok(guest.room.state.turnDeadline > firstDeadline);
  });

  it('an action before the deadline cancels that turn’s timer', async () => {
    const host = await createRoom(arena, 'counter', { turnSeconds: 2 });
    const guest = await joinRoom(arena, host.room.roomId);
    host.room.send('start', {});
    await host.probe.stateWhere((s) => s.turn === host.guest.user.id);
    host.room.send('increment', { by: 1 });
    await guest.probe.stateWhere((s) => s.turn === guest.guest.user.id);
    guest.room.send('increment', { by: 1 });
    await host.probe.stateWhere((s) => s.turn === host.guest.user.id && s.count === 2);
    const room = arena.colyseus.getRoomById(host.room.roomId) as any;
    assert.deepEqual(room.timeouts, []);
  });

  it('closes a room after idleSeconds without any message, telling its clients', async () => {
    const host = await createRoom(arena, 'counter', { idleSeconds: 2 });
    const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
    const code = host.room.roomId;
    assert.deepEqual(await host.probe.message('closing', undefined, 6000), { reason: 'idle' });
    assert.equal(await spectator.probe.left(6000), 4002);
    await host.probe.left();
    assert.equal((await arena.http('GET', `/api/rooms/${code}`)).status, 404);
  });

  it('messages keep a room alive and move lastActivity', async () => {
    const host = await createRoom(arena, 'counter', { idleSeconds: 2 });
    const first = host.room.state.lastActivity;
    for (let i = 0; i < 4; i++) {
      await host.probe.until(() => true);
      host.room.send('ping', { t: i });
      await host.probe.message('pong', (p) => p.t === i);
      await new Promise((resolve) => setTimeout(resolve, 700)); // spacing the activity, not waiting for a result
    }
    assert.equal(host.probe.leftWith, undefined, 'the room must still be open after 2.8 s of activity');
    await host.probe.stateWhere((s) => s.lastActivity > first, 'lastActivity moved');
  });
});

describe('rooms: server shutdown', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());

  it('tells clients, closes with 4005 and forfeits nobody', async () => {
    const host = await createRoom(arena, 'counter');
    const guest = await joinRoom(arena, host.room.roomId);
    host.room.send('start', {});
    await guest.probe.stateWhere((s) => s.phase === 'playing');
    const room = arena.colyseus.getRoomById(host.room.roomId) as any;
    room.onBeforeShutdown();
    assert.deepEqual(await guest.probe.message('closing'), { reason: 'shutdown' });
    assert.equal(await guest.probe.left(), 4005);
    assert.equal(await host.probe.left(), 4005);
    assert.deepEqual(room.forfeits, []);
  });
});
