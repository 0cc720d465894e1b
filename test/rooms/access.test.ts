import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, signToken, type TestArena } from '../support/arena';
import { matchMaker } from '@colyseus/core';
import { CODE_ALPHABET } from '../../src/matchmaking/codes';

const CODE = new RegExp(`^[${CODE_ALPHABET}]{6}$`);

async function rejectsJoin(promise: Promise<unknown>, status: number, code: string) {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.code, status, `status of ${error.message}`);
    assert.match(error.message, new RegExp(`^${code}: .+`));
    return true;
  });
}

describe('rooms: codes, options and access', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  describe('join codes', () => {
    it('are 6 characters of the code alphabet and identify the room', async () => {
      const host = await createRoom(arena, 'counter');
      assert.match(host.room.roomId, CODE);
      assert.equal(host.room.state.code, host.room.roomId);
      const guest = await joinRoom(arena, host.room.roomId);
      assert.equal(guest.room.roomId, host.room.roomId);
      assert.equal(guest.room.state.players.size, 2);
    });

    it('are distinct across many rooms', async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 30; i++) codes.add((await createRoom(arena, 'counter')).room.roomId);
      assert.equal(codes.size, 30);
    });

    it('an unknown code is refused', async () => {
      const client = arena.client(await arena.guest());
      await assert.rejects(client.joinById('ZZZZZZ'), /not found/);
    });
  });

  describe('create options', () => {
    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['maxPlayers above the range', { maxPlayers: 7 }, /maxPlayers/],
      ['minPlayers above maxPlayers', { minPlayers: 4, maxPlayers: 3 }, /minPlayers must not exceed maxPlayers/],
      ['a non-boolean private', { private: 'yes' }, /private/],
      ['an unknown option', { maxPlayerz: 3 }, /maxPlayerz/],
      ['an empty password', { password: '' }, /password/],
      ['a quick room with a password', { mode: 'quick', password: 'pw' }, /quick-match rooms are open/],
      ['an unknown mode', { mode: 'ranked' }, /mode/],
      ['a fractional turnSeconds', { turnSeconds: 2.5 }, /turnSeconds/],
      ['a game option out of range', { target: 0 }, /target/],
    ];
    for (const [label, options, message] of invalid) {
      it(`rejects ${label}`, async () => {
        const client = arena.client(await arena.guest());
        await assert.rejects(client.create('counter', options), (error: any) => {
          assert.equal(error.code, 400);
          assert.match(error.message, /^INVALID_OPTIONS: /);
          assert.match(error.message, message);
          return true;
        });
      });
    }

    it('puts the public config in state, never the password', async () => {
      const { room } = await createRoom(arena, 'counter', { maxPlayers: 3, password: 'open sesame', turnSeconds: 20, target: 7 });
      const config = room.state.config.toJSON();
      assert.equal(config.maxPlayers, 3);
      assert.equal(config.hasPassword, true);
      assert.equal(config.turnSeconds, 20);
      assert.equal(config.target, 7);
      assert.ok(!JSON.stringify(room.state.toJSON()).includes('open sesame'));
    });
  });

  describe('private and password rooms', () => {
    it('private rooms are reachable by code only', async () => {
      const { room } = await createRoom(arena, 'counter', { private: true });
      const listed = await arena.http('GET', '/api/rooms');
      assert.ok(!listed.body.rooms.some((r: { code: string }) => r.code === room.roomId));
      const byCode = await arena.http('GET', `/api/rooms/${room.roomId}`);
      assert.equal(byCode.status, 200);
      assert.equal(byCode.body.room.private, true);
      const other = await joinRoom(arena, room.roomId);
      assert.equal(other.room.state.players.size, 2);
    });

    it('password rooms refuse a wrong or missing password, for players and spectators', async () => {
      const { room } = await createRoom(arena, 'counter', { password: 'open sesame' });
      const client = arena.client(await arena.guest());
      await rejectsJoin(client.joinById(room.roomId, { password: 'wrong' }), 403, 'WRONG_PASSWORD');
      await rejectsJoin(client.joinById(room.roomId), 403, 'WRONG_PASSWORD');
      await rejectsJoin(client.joinById(room.roomId, { spectate: true }), 403, 'WRONG_PASSWORD');
      await rejectsJoin(client.joinById(room.roomId, { password: 12345 }), 400, 'INVALID_OPTIONS');
      const ok = await joinRoom(arena, room.roomId, { password: 'open sesame' });
      assert.equal(ok.room.state.players.size, 2);
      const spectator = await joinRoom(arena, room.roomId, { password: 'open sesame', spectate: true });
      assert.equal(spectator.room.state.spectatorCount, 1);
    });

    it('an empty HTTP-created room survives refused joins until its creator arrives', async () => {
      const creator = await arena.guest('Creator');
      const { body } = await arena.http('POST', '/api/rooms', { token: creator.token, body: { game: 'counter', password: 'pw-pw' } });
      await rejectsJoin(arena.client(await arena.guest()).joinById(body.code, { password: 'nope' }), 403, 'WRONG_PASSWORD');
      await rejectsJoin(arena.client(await arena.guest()).joinById(body.code, { password: 'nope' }), 403, 'WRONG_PASSWORD');
      const seat = await joinRoom(arena, body.code, {}, creator);
      assert.equal(seat.room.state.hostId, creator.user.id);
    });

    it('never exposes the password in listings, metadata or the rooms API', async () => {
      const { room } = await createRoom(arena, 'counter', { password: 'hunter2-secret' });
      const [listing] = await matchMaker.query({ roomId: room.roomId });
      const surfaces = [
        JSON.stringify(listing),
        JSON.stringify((await arena.http('GET', `/api/rooms/${room.roomId}`)).body),
        JSON.stringify((await arena.http('GET', '/api/rooms')).body),
        JSON.stringify(arena.colyseus.getRoomById(room.roomId).state.toJSON()),
      ];
      for (const surface of surfaces) assert.ok(!surface.includes('hunter2-secret'), surface);
      assert.equal((await arena.http('GET', `/api/rooms/${room.roomId}`)).body.room.hasPassword, true);
    });
  });

  describe('allow-lists', () => {
    it('admit listed users and roles only', async () => {
      const invited = await arena.guest('Invited');
      const gm = await arena.guest('Gloria', ['gm']);
      const { room } = await createRoom(arena, 'counter', { allowedUsers: [invited.user.id], allowedRoles: ['gm'] });
      const stranger = arena.client(await arena.guest('Stranger'));
      await rejectsJoin(stranger.joinById(room.roomId), 403, 'NOT_ALLOWED');
      await rejectsJoin(stranger.joinById(room.roomId, { spectate: true }), 403, 'NOT_ALLOWED');
      const vip = await signToken(arena.settings.jwtSecret, { sub: 'acct-9', name: 'Vip', roles: ['vip'] });
      const vipClient = arena.client();
      vipClient.auth.token = vip;
      await rejectsJoin(vipClient.joinById(room.roomId), 403, 'NOT_ALLOWED');
      await joinRoom(arena, room.roomId, {}, invited);
      const gmSeat = await joinRoom(arena, room.roomId, {}, gm);
      assert.equal(gmSeat.room.state.players.size, 3);
      assert.equal(gmSeat.room.state.config.restricted, true);
    });
  });

  describe('seats and spectators', () => {
    it('refuses a player when every seat is taken, but admits spectators', async () => {
      const { room } = await createRoom(arena, 'counter', { maxPlayers: 2 });
      await joinRoom(arena, room.roomId);
      await rejectsJoin(arena.client(await arena.guest()).joinById(room.roomId), 409, 'ROOM_FULL');
      const spectator = await joinRoom(arena, room.roomId, { spectate: true });
      assert.equal(spectator.room.state.spectatorCount, 1);
      assert.equal(spectator.room.state.players.size, 2);
    });

    it('caps spectators and refuses them when disabled', async () => {
      const capped = await createRoom(arena, 'counter', { maxSpectators: 1 });
      await joinRoom(arena, capped.room.roomId, { spectate: true });
      await rejectsJoin(arena.client(await arena.guest()).joinById(capped.room.roomId, { spectate: true }), 409, 'ROOM_FULL');
      const closed = await createRoom(arena, 'counter', { allowSpectators: false });
      await rejectsJoin(arena.client(await arena.guest()).joinById(closed.room.roomId, { spectate: true }), 409, 'SPECTATORS_DISABLED');
    });

    it('during a match refuses new players and admits spectators; the room stays unlocked', async () => {
      const host = await createRoom(arena, 'counter');
      await joinRoom(arena, host.room.roomId);
      host.room.send('start', {});
      await host.probe.stateWhere((state) => state.phase === 'playing');
      await rejectsJoin(arena.client(await arena.guest()).joinById(host.room.roomId), 409, 'GAME_ALREADY_STARTED');
      const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
      assert.equal(spectator.room.state.phase, 'playing');
      assert.equal(arena.colyseus.getRoomById(host.room.roomId).locked, false);
    });

    it('a spectator sees no @view() field, a player does', async () => {
      const host = await createRoom(arena, 'counter');
      await joinRoom(arena, host.room.roomId);
      host.room.send('start', {});
      await host.probe.stateWhere((state) => state.secret !== '' && state.phase === 'playing', 'secret');
      const spectator = await joinRoom(arena, host.room.roomId, { spectate: true });
      await spectator.probe.stateWhere((state) => state.phase === 'playing');
      assert.equal(spectator.room.state.secret, undefined);
      assert.ok(!JSON.stringify(spectator.room.state.toJSON()).includes(host.room.state.secret));
    });
  });
});
