import { strict as assert } from 'assert';
import { startArena, createRoom, eventually, joinRoom, type TestArena } from '../support/arena';

describe('http: rooms API', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  it('POST /api/rooms creates a room and returns its code', async () => {
    const creator = await arena.guest('Creator');
    const created = await arena.http('POST', '/api/rooms', { token: creator.token, body: { game: 'counter', maxPlayers: 3, password: 'pw-pw' } });
    assert.equal(created.status, 201);
    const { code } = created.body;
    const found = await arena.http('GET', `/api/rooms/${code}`);
    assert.equal(found.status, 200);
    assert.deepEqual(
      { ...found.body.room, createdAt: undefined },
      { game: 'counter', code, players: 0, maxPlayers: 3, spectators: 0, phase: 'waiting', hasPassword: true, hostName: '', mode: 'custom', private: false, createdAt: undefined },
    );
    const seat = await joinRoom(arena, code, { password: 'pw-pw' }, creator);
    assert.equal(seat.room.state.hostId, creator.user.id);
  });

  it('POST /api/rooms refuses a missing token, an unknown game and invalid options', async () => {
    const { token } = await arena.guest();
    assert.equal((await arena.http('POST', '/api/rooms', { body: { game: 'counter' } })).status, 401);
    const unknown = await arena.http('POST', '/api/rooms', { token, body: { game: 'chess' } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'INVALID_REQUEST');
    assert.match(unknown.body.error.message, /counter/);
    const invalid = await arena.http('POST', '/api/rooms', { token, body: { game: 'counter', maxPlayers: 99 } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'INVALID_OPTIONS');
    assert.match(invalid.body.error.message, /maxPlayers/);
    const noGame = await arena.http('POST', '/api/rooms', { token, body: { maxPlayers: 2 } });
    assert.equal(noGame.status, 400);
  });

  it('the HTTP creator cannot be impersonated through options', async () => {
    const creator = await arena.guest('Creator');
    const victim = await arena.guest('Victim');
    const created = await arena.http('POST', '/api/rooms', { token: creator.token, body: { game: 'counter', creatorId: victim.user.id } });
    const first = await joinRoom(arena, created.body.code, {}, victim);
    await joinRoom(arena, created.body.code, {}, creator);
    await first.probe.stateWhere((state) => state.hostId === creator.user.id, 'real creator is host');
  });

  it('GET /api/rooms lists public rooms, filtered by game', async () => {
    const open = await createRoom(arena, 'counter');
    const hidden = await createRoom(arena, 'counter', { private: true });
    const all = await arena.http('GET', '/api/rooms');
    const codes = all.body.rooms.map((room: { code: string }) => room.code);
    assert.ok(codes.includes(open.room.roomId));
    assert.ok(!codes.includes(hidden.room.roomId));
    assert.ok(!all.body.rooms.some((room: { game: string }) => room.game === 'lobby'));
    const counter = await arena.http('GET', '/api/rooms?game=counter');
    assert.deepEqual(counter.body.rooms.map((room: { code: string }) => room.code), [open.room.roomId]);
    const bad = await arena.http('GET', '/api/rooms?game=chess');
    assert.equal(bad.status, 400);
  });

  it('GET /api/rooms/:code finds private rooms, accepts lower case, and 404s otherwise', async () => {
    const hidden = await createRoom(arena, 'counter', { private: true });
    const found = await arena.http('GET', `/api/rooms/${hidden.room.roomId.toLowerCase()}`);
    assert.equal(found.status, 200);
    assert.equal(found.body.room.private, true);
    for (const code of ['ZZZZZZ', 'abc', 'O0O0O0', '%20']) {
      const missing = await arena.http('GET', `/api/rooms/${code}`);
      assert.equal(missing.status, 404, code);
      assert.equal(missing.body.error.code, 'NOT_FOUND');
    }
  });

  it('GET /api/me/rooms lists the rooms where the caller holds a seat', async () => {
    const me = await arena.guest('Me');
    assert.equal((await arena.http('GET', '/api/me/rooms')).status, 401);
    const host = await createRoom(arena, 'counter', {}, me);
    const other = await createRoom(arena, 'counter');
    await joinRoom(arena, other.room.roomId, { spectate: true }, me);
    const mine = await arena.http('GET', '/api/me/rooms', { token: me.token });
    assert.deepEqual(mine.body.rooms.map((room: { code: string }) => room.code), [host.room.roomId], 'spectating is not a seat');
    await host.room.leave(true);
    // a consented leave releases the seat; the seat index follows asynchronously
    const after = await eventually(async () => (await arena.http('GET', '/api/me/rooms', { token: me.token })).body.rooms, (rooms: any[]) => rooms.length === 0, 'the seat released');
    assert.deepEqual(after, []);
  });
});
