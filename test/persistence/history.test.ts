import { strict as assert } from 'assert';
import { replay } from '../../src/games/cabo';
import { archivedGame, startArena, joinRoom, createRoom, signToken, type TestArena } from '../support/arena';
import { caboTable, match, playOut } from '../support/caboTable';
import { backends } from '../support/backends';

for (const backend of backends()) {
  describe(`persistence: history API (${backend.name})`, function () {
    this.timeout(60_000);
    let arena: TestArena;
    before(async function () {
      arena = await startArena(backend.settings(this));
    });
    after(async () => {
      await arena?.shutdown();
      await backend.cleanup();
    });

    it('archives a finished Cabo match; its replay equals the live match', async () => {
      const table = await caboTable(arena, 3, { targetScore: 10, setupSeconds: 1, roundPauseSeconds: 1 });
      table.players[0].room.send('start', {});
      await table.players[0].probe.stateWhere((s) => s.phase === 'playing');
      await playOut(table);
      const live = match(table);
      const log = table.server.actionLog.slice();
      const [me, other] = table.players;

      const game = await archivedGame(arena.baseUrl, me.guest.token, table.code);
      assert.equal(game.game, 'cabo');
      assert.equal(game.code, table.code);
      assert.deepEqual(game.result.ranking, live.ranking);
      assert.deepEqual(game.participants.map((p: any) => p.userId), table.players.map((p) => p.guest.user.id));
      assert.deepEqual(game.data.actions, log, 'every action is archived, in order');
      const rebuilt = replay({ seed: game.data.seed, players: game.data.seats.map((s: any) => s.id), targetScore: game.data.targetScore }, game.data.actions);
      assert.deepEqual(rebuilt.at(-1), live, 'the archived log replays to the live final state');

      const replayed = (await arena.http('GET', `/api/games/${game.id}/replay`, { token: other.guest.token })).body.replay;
      assert.equal(replayed.steps.length, log.length + 1);
      assert.deepEqual(replayed.steps.at(-1).players.map((p: any) => p.total), live.players.map((p) => p.total));
      assert.equal(replayed.steps[0].players[0].hand[3], null, 'an unseen card stays hidden in the replay');

      assert.equal((await arena.http('GET', '/api/games/nope')).status, 404);
      const stranger = await arena.guest();
      assert.deepEqual((await arena.http('GET', '/api/me/games', { token: stranger.token })).body.games, []);
    });

    it('shows only the summary of a game that registered no archive presenter (fails closed)', async () => {
      const id = await arena.services.storage.archiveGame({
        game: 'counter',
        code: 'AAAAAA',
        startedAt: 1,
        endedAt: 2,
        participants: [{ userId: 'u1', name: 'Ann' }],
        result: { winner: 'u1' },
        data: { secret: 'the whole record' },
      });
      const reply = await arena.http('GET', `/api/games/${id}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body.game, { id, game: 'counter', code: 'AAAAAA', startedAt: 1, endedAt: 2, participants: [{ userId: 'u1', name: 'Ann' }], result: { winner: 'u1' } });
      assert.equal((await arena.http('GET', `/api/games/${id}/replay`)).status, 404);
      assert.equal((await arena.http('GET', `/api/games/${id}/verify`)).status, 404);
    });

    it('archives a match whose participant name is ill-formed, with the name made well-formed', async () => {
      const records: any[] = [];
      const stop = arena.services.archive.onRecord((record) => records.push(record));
      arena.services.archive.submit({ game: 'counter', code: 'BBBBBB', startedAt: 1, endedAt: 2, participants: [{ userId: 'u2', name: 'bad\ud800' }], data: {} });
      stop();
      assert.equal(records[0].participants[0].name, 'bad\uFFFD');
      const game = await archivedGame(arena.baseUrl, await signToken(arena.settings.jwtSecret, { sub: 'u2', name: 'Bea' }), 'BBBBBB');
      assert.deepEqual(game.participants, [{ userId: 'u2', name: 'bad\uFFFD' }]);
    });

    it('pages through /api/me/games and validates its parameters', async () => {
      const { token } = await arena.guest();
      assert.equal((await arena.http('GET', '/api/me/games')).status, 401);
      assert.equal((await arena.http('GET', '/api/me/games?limit=0', { token })).status, 400);
      assert.equal((await arena.http('GET', '/api/me/games?limit=101', { token })).status, 400);
      assert.equal((await arena.http('GET', '/api/me/games?before=not-a-cursor', { token })).status, 400);
    });

    it('returns a tabletop session’s private entries only to their audience', async () => {
      const gm = await createRoom(arena, 'tabletop');
      const player = await joinRoom(arena, gm.room.roomId);
      const third = await joinRoom(arena, gm.room.roomId);
      player.room.send('whisper', { to: gm.guest.user.id, text: 'the secret door' });
      player.room.send('chat', { text: 'hello all' });
      await gm.probe.stateWhere((s) => [...(s.log?.values() ?? [])].some((e: any) => e.text === 'hello all'), 'chat arrived');
      for (const seat of [third, player, gm]) await seat.room.leave(true);

      const { id } = await archivedGame(arena.baseUrl, third.guest.token, gm.room.roomId);
      const texts = async (token?: string) => (await arena.http('GET', `/api/games/${id}`, { token })).body.game.data.log.map((e: any) => e.text);
      assert.ok(!(await texts(third.guest.token)).includes('the secret door'));
      assert.ok(!(await texts()).includes('the secret door'), 'anonymous callers see public entries only');
      assert.ok((await texts(player.guest.token)).includes('the secret door'));
      assert.ok((await texts(gm.guest.token)).includes('the secret door'));
      assert.ok((await texts(third.guest.token)).includes('hello all'));
      const steps = (await arena.http('GET', `/api/games/${id}/replay`, { token: third.guest.token })).body.replay.steps;
      assert.ok(!steps.some((e: any) => e.text === 'the secret door'));
    });
  });
}
