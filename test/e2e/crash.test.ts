import { strict as assert } from 'assert';
import fs from 'fs';
import { Client, type Room } from 'colyseus.js';
import { replay } from '../../src/games/cabo';
import { archivedGame, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, startCrashableServer, type ArenaProcess } from '../support/process';
import { Probe } from '../support/probe';
import { drive, type Player } from '../support/caboClients';
import { backends } from '../support/backends';

async function connect(url: string, token: string, code: string, options: Record<string, unknown> = {}): Promise<{ room: Room; probe: Probe }> {
  const client = new Client(url);
  client.auth.token = token;
  const room = await client.joinById(code, options);
  const probe = new Probe(room);
  await probe.stateWhere((s) => s.code === code, 'state');
  return { room, probe };
}

for (const backend of backends()) {
  describe(`e2e: a crash loses no match (${backend.name})`, function () {
    this.timeout(90_000);
    let server: ArenaProcess | undefined;
    let dataDir: string | undefined;
    after(async () => {
      await server?.stop('SIGKILL');
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true }); // unset when the suite was skipped
      await backend.cleanup();
    });

    it('kill -9 mid-match, restart: players rejoin by code and finish; the archive replays to the same result', async function () {
      const selection = backend.settings(this);
      dataDir = tempDir('arena-crash-');
      const started = await startCrashableServer(dataDir, selection);
      ({ server } = started);
      const { env, url } = started;

      const identities = [];
      for (const name of ['Ann', 'Bob', 'Cy']) identities.push((await httpJson(server.baseUrl, 'POST', '/api/auth/guest', { body: { name } })).body);
      const created = await httpJson(server.baseUrl, 'POST', '/api/rooms', {
        token: identities[0].token,
        body: { game: 'cabo', maxPlayers: 3, targetScore: 5, setupSeconds: 60, turnSeconds: 120, roundPauseSeconds: 1 },
      });
      const code = created.body.code;
      let players: Player[] = [];
      for (const identity of identities) players.push({ token: identity.token, id: identity.user.id, ...(await connect(url, identity.token, code)) });
      await players[0].probe.stateWhere((s) => s.players.size === 3, 'seated');
      players[0].room.send('start', {});
      await players[0].probe.stateWhere((s) => s.phase === 'playing' && s.roundPhase === 'setup', 'started');

      const acknowledged: Array<{ playerId: string; type: string }> = [];
      await drive(players, acknowledged, () => acknowledged.length >= 12);

      assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
      server = startArenaProcess(env);
      await server.waitUntilHealthy();
      const mine = await httpJson(server.baseUrl, 'GET', '/api/me/rooms', { token: players[1].token });
      assert.deepEqual(mine.body.rooms.map((r: any) => r.code), [code], 'the seat is found after the restart');

      players = await Promise.all(players.map(async (p) => ({ ...p, ...(await connect(url, p.token, code)) })));
      await players[0].probe.stateWhere((s) => [...s.players.values()].every((p: any) => p.connected), 'everyone back');
      await drive(players, acknowledged, () => false);
      await players[0].probe.stateWhere((s) => s.phase === 'finished', 'game over', 20_000);

      const archived = await archivedGame(server.baseUrl, players[0].token, code);
      const playerActions = archived.data.actions.filter((a: any) => a.playerId !== null).map((a: any) => ({ playerId: a.playerId, type: a.action.type }));
      assert.deepEqual(playerActions, acknowledged, 'every acknowledged action is archived exactly once, in order');

      const states = replay({ seed: archived.data.seed, players: archived.data.seats.map((s: any) => s.id), targetScore: archived.data.targetScore }, archived.data.actions);
      const final = states.at(-1)!;
      assert.deepEqual(final.ranking, archived.result.ranking);
      assert.deepEqual(Object.fromEntries(final.players.map((p) => [p.id, p.total])), archived.result.totals);
      assert.deepEqual([...players[0].room.state.ranking], final.ranking);
    });
  });
}
