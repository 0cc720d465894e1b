import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, serverState, rejected, type TestArena, type Seated } from '../support/arena';
import { FLOOD_DISCONNECT_AFTER, RATE_LIMIT } from '../../src/rooms/frameGate';

describe('rooms: message validation, errors and rate limit', () => {
  let arena: TestArena;
  let host: Seated;
  let guest: Seated;

  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  beforeEach(async () => {
    host = await createRoom(arena, 'counter');
    guest = await joinRoom(arena, host.room.roomId);
    host.room.send('start', {});
    await host.probe.stateWhere((state) => state.phase === 'playing' && state.turn === host.guest.user.id);
  });
  afterEach(() => arena.colyseus.cleanup());

  it('answers ping with pong and the server time', async () => {
    const sent = Date.now();
    host.room.send('ping', { t: 42 });
    const pong = await host.probe.message('pong');
    assert.equal(pong.t, 42);
    assert.ok(pong.serverTime >= sent && pong.serverTime <= Date.now());
  });

  it('answers unknown types with UNKNOWN_MESSAGE, echoing rid', async () => {
    const error = await rejected(arena, host, 'teleport', {}, 'UNKNOWN_MESSAGE');
    assert.match(error.message, /teleport/);
    assert.ok(error.rid);
    host.room.send(7, { rid: 'numeric' });
    assert.equal((await host.probe.message('error', (e) => e.rid === 'numeric')).code, 'UNKNOWN_MESSAGE');
  });

  const badPayloads: Array<[string, unknown]> = [
    ['a wrong type', { by: 'three' }],
    ['a fraction', { by: 1.5 }],
    ['out of range', { by: 4 }],
    ['a missing field', {}],
    ['an unknown key', { by: 1, extra: true }],
    ['a huge string', { by: 1, note: 'x'.repeat(3000) }],
    ['a nested object', { by: { valueOf: 1 } }],
    ['null values', { by: null }],
  ];
  for (const [label, payload] of badPayloads) {
    it(`refuses ${label} with INVALID_MESSAGE and no state change`, async () => {
      const error = await rejected(arena, host, 'increment', payload, 'INVALID_MESSAGE');
      assert.match(error.message, /^increment: /);
    });
  }

  it('refuses a rid over 64 characters, and does not echo it', async () => {
    const before = serverState(arena, host.room.roomId);
    host.room.send('increment', { by: 1, rid: 'r'.repeat(65) });
    const error = await host.probe.message('error');
    assert.equal(error.code, 'INVALID_MESSAGE');
    assert.equal(error.rid, undefined);
    assert.deepEqual(serverState(arena, host.room.roomId), before);
  });

  it('refuses payloads that are not objects', async () => {
    for (const [index, payload] of ['text', 12, [1, 2], true].entries()) {
      const before = serverState(arena, host.room.roomId);
      host.room.send('increment', payload);
      await host.probe.until(() => host.probe.count('error') === index + 1, `error ${index + 1}`);
      assert.equal(host.probe.messages.filter((m) => m.type === 'error').at(-1)!.message.code, 'INVALID_MESSAGE');
      assert.deepEqual(serverState(arena, host.room.roomId), before);
    }
  });

  it('refuses game actions from spectators with NOT_A_PLAYER and wrong turns with NOT_YOUR_TURN', async () => {
    const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
    await rejected(arena, spectator, 'increment', { by: 1 }, 'NOT_A_PLAYER');
    await rejected(arena, guest, 'increment', { by: 1 }, 'NOT_YOUR_TURN');
  });

  it('a valid message after rejected ones still works', async () => {
    await rejected(arena, host, 'increment', { by: 9 }, 'INVALID_MESSAGE');
    host.room.send('increment', { by: 2 });
    await guest.probe.stateWhere((state) => state.count === 2);
  });

  it(`rate-limits a flood of 500 messages, then disconnects the flooder; the room runs on`, async () => {
    const before = serverState(arena, host.room.roomId);
    for (let i = 0; i < 500; i++) guest.room.send('increment', { by: 1, rid: `flood-${i}` });
    const limited = await guest.probe.message('error', (e) => e.code === 'RATE_LIMITED');
    assert.match(limited.rid, /^flood-\d+$/);
    assert.deepEqual(await guest.probe.message('removed'), { reason: 'rate_limited' });
    assert.equal(await guest.probe.left(), 4029);

    const answered = guest.probe.messages.filter((m) => m.type === 'error');
    const rateLimited = answered.filter((m) => m.message.code === 'RATE_LIMITED');
    assert.equal(rateLimited.length, FLOOD_DISCONNECT_AFTER);
    // The burst was processed (all NOT_YOUR_TURN: it is the host's turn), the rest refused.
    assert.ok(answered.length <= RATE_LIMIT.burst + FLOOD_DISCONNECT_AFTER + 2, `${answered.length} replies`);
    assert.deepEqual(serverState(arena, host.room.roomId).count, before.count);

    // The flooder's seat waits for a reconnection; the host keeps playing.
    await host.probe.stateWhere((state) => state.players.get(guest.guest.user.id).connected === false, 'flooder disconnected');
    host.room.send('increment', { by: 1 });
    await host.probe.stateWhere((state) => state.count === 1);
    host.room.send('ping', { t: 1 });
    await host.probe.message('pong');
  });

  it('a client within its burst is never limited', async () => {
    const within = RATE_LIMIT.burst - 2; // `start` already used one token
    for (let i = 0; i < within; i++) host.room.send('ping', { t: i });
    await host.probe.until(() => host.probe.count('pong') === within, 'all pongs');
    assert.equal(host.probe.count('error'), 0);
  });

  it('counts messages and errors in the metrics', async () => {
    await rejected(arena, host, 'increment', { by: 'x' }, 'INVALID_MESSAGE');
    const text = (await arena.http('GET', '/metrics')).body as string;
    assert.match(text, /^arena_messages_received_total\{room="counter",type="increment"\} [1-9]/m);
    assert.match(text, /^arena_errors_sent_total\{code="INVALID_MESSAGE"\} [1-9]/m);
    assert.match(text, /^arena_message_duration_seconds_count\{room="counter",type="start"\} [1-9]/m);
    assert.match(text, /^arena_rooms\{room="counter"\} [1-9]/m);
  });
});
