import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, type TestArena, type Seated } from '../support/arena';
import { useManualTime, useRealTime, type ManualTime } from '../support/clock';

describe('rooms: turn timer and idle timeout', () => {
  let arena: TestArena;
  /** The time of the rooms each test creates: it only moves when the test advances it. */
  let time: ManualTime;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  beforeEach(() => {
    time = useManualTime();
  });
  afterEach(async () => {
    useRealTime();
    await arena.colyseus.cleanup();
  });

  const id = (seat: Seated) => seat.guest.user.id;
  const serverRoom = (seat: Seated) => arena.colyseus.getRoomById(seat.room.roomId) as any;
  const listed = async (code: string) => (await arena.http('GET', `/api/rooms/${code}`)).status;

  it('puts an absolute deadline in state, warns before it, and lets the game act at expiry', async () => {
    const host = await createRoom(arena, 'counter', { turnSeconds: 2 });
    const guest = await joinRoom(arena, host.room.roomId);
    const room = serverRoom(host);
    const startedAt = time.now();
    host.room.send('start', {});
    const state = await guest.probe.stateWhere((s) => s.phase === 'playing' && s.turnDeadline > 0);
    assert.equal(state.turn, id(host));
    assert.equal(state.turnDeadline, startedAt + 2000, 'deadline is epoch ms of the turn end');

    // turns of 20 s or less are warned at half time
    await time.advance(999);
    await guest.probe.roundTrip();
    assert.equal(guest.probe.count('turn_warning'), 0, 'no warning before 1 s is left');
    await time.advance(1);
    assert.deepEqual(await guest.probe.message('turn_warning'), { userId: id(host), secondsLeft: 1 });

    // at expiry the fixture game auto-plays +1 and passes the turn
    await time.advance(999);
    assert.deepEqual(room.timeouts, [], 'nothing happens before the deadline');
    await time.advance(1);
    assert.deepEqual(room.timeouts, [id(host)]);
    const next = await guest.probe.stateWhere((s) => s.count === 1 && s.turn === id(guest), 'auto-play');
    assert.equal(next.turnDeadline, startedAt + 4000, 'the next turn runs from the expiry');
  });

  it('an action before the deadline cancels that turn’s timer', async () => {
    const host = await createRoom(arena, 'counter', { turnSeconds: 2 });
    const guest = await joinRoom(arena, host.room.roomId);
    const room = serverRoom(host);
    const startedAt = time.now();
    host.room.send('start', {});
    await host.probe.stateWhere((s) => s.turn === id(host));
    host.room.send('increment', { by: 1 });
    await guest.probe.stateWhere((s) => s.turn === id(guest));
    await time.advance(1500);
    guest.room.send('increment', { by: 1 });
    const state = await host.probe.stateWhere((s) => s.turn === id(host) && s.count === 2);
    assert.equal(state.turnDeadline, startedAt + 3500);

    await time.advance(1000); // past the deadlines of both finished turns
    assert.deepEqual(room.timeouts, []);
    await time.advance(1000); // the running turn's own deadline
    assert.deepEqual(room.timeouts, [id(host)]);
  });

  it('closes a room after idleSeconds without any message, telling its clients', async () => {
    const host = await createRoom(arena, 'counter', { idleSeconds: 2 });
    const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
    const code = host.room.roomId;
    await time.advance(1999);
    assert.equal(await listed(code), 200, 'still open just before idleSeconds');
    await time.advance(1);
    assert.deepEqual(await host.probe.message('closing'), { reason: 'idle' });
    assert.equal(await spectator.probe.left(), 4002);
    await host.probe.left();
    assert.equal(await listed(code), 404);
  });

  it('messages keep a room alive and move lastActivity', async () => {
    const host = await createRoom(arena, 'counter', { idleSeconds: 2 });
    const code = host.room.roomId;
    const createdAt = time.now();
    assert.equal(host.room.state.lastActivity, createdAt);
    for (let i = 1; i <= 4; i++) {
      await time.advance(700);
      host.room.send('ping', { t: i });
      await host.probe.message('pong', (p) => p.t === i);
    }
    assert.equal(await listed(code), 200, 'the room must still be open after 2.8 s of activity');
    assert.equal(host.probe.leftWith, undefined);
    // lastActivity moves in whole seconds: with messages at 0.7, 1.4, 2.1 and 2.8 s it shows 1.4, then 2.8 s
    await host.probe.stateWhere((s) => s.lastActivity === createdAt + 2800, 'lastActivity moved');

    // idle again: it closes idleSeconds after the last message (checked every idleSeconds / 4)
    await time.advance(1999);
    assert.equal(await listed(code), 200);
    await time.advance(500);
    assert.deepEqual(await host.probe.message('closing'), { reason: 'idle' });
    await host.probe.left();
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
