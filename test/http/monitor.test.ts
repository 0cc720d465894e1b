import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, type TestArena } from '../support/arena';

describe('http: the monitor', () => {
  let arena: TestArena;
  const auth = { authorization: `Basic ${Buffer.from('admin:monitor-pass').toString('base64')}` };
  before(async () => {
    arena = await startArena({ monitor: { user: 'admin', password: 'monitor-pass' } });
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  const call = (body: unknown, headers: Record<string, string> = {}) =>
    arena.http('POST', '/colyseus/api/room/call', { headers: { ...auth, ...headers }, body });

  it('needs its credentials', async () => {
    assert.equal((await arena.http('GET', '/colyseus/api')).status, 401);
    assert.equal((await arena.http('GET', '/colyseus/api', { headers: { authorization: 'Basic bm9wZTpub3Bl' } })).status, 401);
  });

  it('inspecting a room returns its sessions and the spectator view of its state', async () => {
    const host = await createRoom(arena, 'counter', { password: 'room-password' });
    const guest = await joinRoom(arena, host.room.roomId, { password: 'room-password' });
    host.room.send('start', {});
    const { secret } = await host.probe.stateWhere((state) => state.phase === 'playing' && !!state.secret);
    const inspect = await arena.http('GET', `/colyseus/api/room?roomId=${host.room.roomId}`, { headers: auth });
    assert.equal(inspect.status, 200);
    assert.equal(inspect.body.state.phase, 'playing');
    assert.equal(Object.keys(inspect.body.state.players).length, 2);
    assert.deepEqual(inspect.body.clients.map((client: any) => client.sessionId).sort(), [host.room.sessionId, guest.room.sessionId].sort());
    assert.ok(inspect.body.stateSize > 0);
    const text = JSON.stringify(inspect.body);
    assert.ok(!text.includes(secret), 'hidden @view() value leaked to the monitor');
    assert.ok(!text.includes('room-password'));
  });

  it('answers no CORS, so no other origin can read it with the operator’s credentials', async () => {
    const evil = { origin: 'https://evil.example' };
    for (const [method, route] of [['GET', '/colyseus/api'], ['OPTIONS', '/colyseus/api/room/call'], ['GET', '/colyseus/']]) {
      const reply = await arena.http(method, route, { headers: { ...auth, ...evil, 'access-control-request-method': 'POST' } });
      assert.equal(reply.headers.get('access-control-allow-origin'), null, `${method} ${route}`);
      assert.equal(reply.headers.get('access-control-allow-credentials'), null, `${method} ${route}`);
    }
    const api = await arena.http('GET', '/api/rooms', { headers: evil });
    assert.equal(api.headers.get('access-control-allow-origin'), evil.origin, 'the bearer-token API stays usable cross-origin');
  });

  it('room calls change things only by POST from its own origin, with valid args', async () => {
    const host = await createRoom(arena, 'counter');
    const code = host.room.roomId;
    const args = encodeURIComponent(JSON.stringify([host.room.sessionId, 'hello', {}]));
    const get = await arena.http('GET', `/colyseus/api/room/call?roomId=${code}&method=_sendMessageToClient&args=${args}`, { headers: auth });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');

    const valid = { roomId: code, method: '_sendMessageToClient', args: [host.room.sessionId, 'operator_notice', { text: 'hi' }] };
    assert.equal((await call(valid, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await call(valid, { 'sec-fetch-site': 'cross-site' })).status, 403);
    for (const bad of [{ roomId: code, method: '_sendMessageToClient' }, { roomId: code, method: '_sendMessageToClient', args: 'nope' }, 'not json', { roomId: code, method: 'disconnect', args: [] }]) {
      const reply = await call(bad);
      assert.equal(reply.status, 400, JSON.stringify(bad));
      assert.equal(reply.body.error.code, 'INVALID_REQUEST');
    }
    assert.equal(arena.colyseus.getRoomById(code).clients.length, 1, 'a refused dispose left the room as it was');
    assert.equal((await call({ roomId: 'NOROOM', method: '_forceClientDisconnect', args: ['x'] })).status, 404);

    assert.equal((await call(valid, { origin: arena.baseUrl })).status, 200);
    assert.deepEqual(await host.probe.message('operator_notice'), { text: 'hi' });
    assert.equal((await call({ roomId: code, method: '_forceClientDisconnect', args: [host.room.sessionId] })).status, 200);
    await host.probe.left();
  });
});
