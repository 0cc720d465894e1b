/**
 * Tic-tac-toe across a restart (README: the game to copy): a graceful stop and a kill -9 both
 * bring the match back under its code, the same players get their seats, the board and the turn
 * are exactly as they were, play goes on to a result, and the archive holds every move.
 */
import { strict as assert } from 'assert';
import fs from 'fs';
import { Client, type Room } from 'colyseus.js';
import { archivedGames, httpJson, joinRoom, seatTable, tempDir, type Guest, type Seated, type TestArena, startArena } from '../support/arena';
import { startArenaProcess, startCrashableServer, type ArenaProcess } from '../support/process';
import { Probe, untilAny } from '../support/probe';
import { backends } from '../support/backends';
import { apply, createGame, type TicTacToeState } from '../../src/games/tictactoe/rules';

/** What a restart must keep of a running match, as one client sees it. */
function snapshot(state: any) {
  return {
    code: state.code,
    game: state.game,
    phase: state.phase,
    hostId: state.hostId,
    board: [...state.board],
    marks: [...state.marks],
    turn: state.turn,
    result: state.result,
    players: Object.fromEntries([...state.players.entries()].map(([id, p]: [string, any]) => [id, { id: p.id, name: p.name, seat: p.seat, isHost: p.isHost }])),
  };
}

/** The archived game of `token`'s user, in full (the archive write is asynchronous). */
async function archivedGame(baseUrl: string, token: string): Promise<any> {
  const [summary] = await archivedGames(baseUrl, token, 1);
  return (await httpJson(baseUrl, 'GET', `/api/games/${summary.id}`)).body.game;
}

/** The referee: the pure rules, fed the same moves. */
function referee(players: [string, string], moves: Array<[string, number]>): TicTacToeState {
  let game = createGame(players);
  for (const [playerId, cell] of moves) {
    const result = apply(game, playerId, { type: 'place', cell });
    if (!result.ok) throw new Error(`referee refuses ${playerId}@${cell}: ${result.code}`);
    game = result.state;
  }
  return game;
}

interface Player {
  id: string;
  token: string;
  room: Room;
  probe: Probe;
}

/** Places `cell` as `mover` and waits until every player's board shows it (the move is then journaled). */
async function place(players: Player[], mover: Player, cell: number): Promise<void> {
  mover.room.send('place', { cell });
  await untilAny(players.map((p) => p.probe), () => players.every((p) => p.room.state.board[cell] !== ''), `cell ${cell} everywhere`);
}

for (const backend of backends()) {
  describe(`persistence: tic-tac-toe restored after a restart (${backend.name})`, function () {
    this.timeout(60_000);
    let first: TestArena | undefined;
    let second: TestArena | undefined;
    after(async () => {
      await first?.shutdown().catch(() => undefined); // already stopped by the test, unless it failed first
      await second?.shutdown();
      await backend.cleanup();
    });

    it('graceful stop: same seats, same board and turn, play goes on to a win, every move archived', async function () {
      first = await startArena(backend.settings(this));
      const [xSeat, oSeat] = await seatTable(first, 'tictactoe', 2, { turnSeconds: 60 });
      const code = xSeat.room.roomId;
      const toPlayer = (s: Seated): Player => ({ id: s.guest.user.id, token: s.guest.token, room: s.room, probe: s.probe });
      const [x, o] = [toPlayer(xSeat), toPlayer(oSeat)];
      x.room.send('start', {});
      await untilAny([x.probe, o.probe], () => [x, o].every((p) => p.room.state.phase === 'playing' && p.room.state.turn === x.id), 'started');

      for (const [mover, cell] of [[x, 0], [o, 4], [x, 1]] as const) await place([x, o], mover, cell);
      const before = snapshot(o.room.state);
      assert.deepEqual(before.board, ['X', 'X', '', '', 'O', '', '', '', '']);
      assert.equal(before.turn, o.id);
      const server = first.colyseus.getRoomById(code) as any;
      const logBefore = JSON.parse(JSON.stringify(server.actionLog));
      assert.deepEqual(logBefore.map((entry: any) => [entry.playerId, entry.action]), [
        [x.id, { type: 'place', cell: 0 }],
        [o.id, { type: 'place', cell: 4 }],
        [x.id, { type: 'place', cell: 1 }],
      ]);
      const deadline = server.state.turnDeadline;
      const guests: Guest[] = [xSeat.guest, oSeat.guest];

      await first.shutdown({ keepData: true });
      const { dataDir, jwtSecret, databaseUrl, databaseSchema } = first.settings;
      first = undefined;
      second = await startArena({ dataDir, jwtSecret, databaseUrl, databaseSchema });
      const arena = second;

      // the room is back under its code, and each player's seat is findable for auto-rejoin
      const listed = await arena.http('GET', `/api/rooms/${code}`);
      assert.equal(listed.status, 200);
      for (const guest of guests) {
        const mine = await arena.http('GET', '/api/me/rooms', { token: guest.token });
        assert.deepEqual(mine.body.rooms.map((room: any) => room.code), [code], `${guest.user.name} finds the seat`);
      }
      // a stranger cannot take a held seat
      await assert.rejects(arena.client(await arena.guest()).joinById(code), /GAME_ALREADY_STARTED/);

      // O comes back first: X's seat is held (disconnected), X stays host
      const o2 = toPlayer(await joinRoom(arena, code, {}, guests[1]));
      await o2.probe.stateWhere((s) => s.players.get(o2.id)?.connected === true, 'O reconnected');
      assert.equal(o2.room.state.players.get(x.id)?.connected, false, "X's seat waits for X");
      const x2 = toPlayer(await joinRoom(arena, code, {}, guests[0]));
      await untilAny([x2.probe, o2.probe], () => [x2, o2].every((p) => [...p.room.state.players.values()].every((pl: any) => pl.connected)), 'both back');

      for (const player of [x2, o2]) assert.deepEqual(snapshot(player.room.state), before, 'the match is exactly as it was');
      const restored = arena.colyseus.getRoomById(code) as any;
      assert.deepEqual(JSON.parse(JSON.stringify(restored.actionLog)), logBefore, 'the log is replayed as it was');
      assert.ok(restored.state.turnDeadline >= deadline, 'the turn clock was not cut short');

      // the same rules apply: wrong turn, taken cell
      assert.equal((await x2.probe.expectError('place', { cell: 2 })).code, 'NOT_YOUR_TURN');
      assert.equal((await o2.probe.expectError('place', { cell: 0 })).code, 'INVALID_ACTION');
      assert.deepEqual(snapshot(x2.room.state), before);

      // play goes on to a result: O blocks nothing, X completes the top row
      await place([x2, o2], o2, 3);
      x2.room.send('place', { cell: 2 });
      assert.deepEqual(await o2.probe.message('game_over'), { result: x.id });
      const done = await x2.probe.stateWhere((s) => s.phase === 'finished' && s.result === x.id, 'X won');
      const moves: Array<[string, number]> = [[x.id, 0], [o.id, 4], [x.id, 1], [o.id, 3], [x.id, 2]];
      assert.deepEqual([...done.board], referee([x.id, o.id], moves).board);

      // the archive has every move, once, in order: none lost across the restart
      const archived = await archivedGame(arena.baseUrl, guests[1].token);
      assert.equal(archived.game, 'tictactoe');
      assert.equal(archived.code, code);
      assert.deepEqual(archived.result, { winner: x.id });
      assert.deepEqual(archived.data.players, [x.id, o.id]);
      assert.deepEqual(archived.data.moves.map((m: any) => [m.playerId, m.action.cell]), moves);
      assert.deepEqual(archived.data.moves.slice(0, logBefore.length), logBefore, 'the moves before the restart are archived as they were journaled');
      assert.deepEqual(archived.data.board, [...done.board]);
    });
  });

  describe(`persistence: tic-tac-toe after kill -9 (${backend.name})`, function () {
    this.timeout(90_000);
    let server: ArenaProcess | undefined;
    let dataDir: string | undefined;
    after(async () => {
      await server?.stop('SIGKILL');
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      await backend.cleanup();
    });

    async function connect(url: string, identity: { token: string; user: { id: string } }, code: string): Promise<Player> {
      const client = new Client(url);
      client.auth.token = identity.token;
      const room = await client.joinById(code);
      const probe = new Probe(room);
      await probe.stateWhere((s) => s.code === code, 'state');
      return { id: identity.user.id, token: identity.token, room, probe };
    }

    it('every move a client saw survives the crash; the same players finish the game', async function () {
      const selection = backend.settings(this);
      dataDir = tempDir('arena-ttt-crash-');
      const started = await startCrashableServer(dataDir, selection);
      ({ server } = started);
      const { env, url } = started;

      const identities = [];
      for (const name of ['Xena', 'Otto']) identities.push((await httpJson(server.baseUrl, 'POST', '/api/auth/guest', { body: { name } })).body);
      const created = await httpJson(server.baseUrl, 'POST', '/api/rooms', { token: identities[0].token, body: { game: 'tictactoe', turnSeconds: 120 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const code: string = created.body.code;
      let [x, o] = [await connect(url, identities[0], code), await connect(url, identities[1], code)];
      await x.probe.stateWhere((s) => s.players.size === 2 && s.hostId === x.id, 'seated, X hosts');
      x.room.send('start', {});
      await untilAny([x.probe, o.probe], () => [x, o].every((p) => p.room.state.phase === 'playing'), 'started');

      // X 4, O 0, X 2, O 6: every one acknowledged (seen by both) before the crash
      for (const [mover, cell] of [[x, 4], [o, 0], [x, 2], [o, 6]] as const) await place([x, o], mover, cell);
      const before = snapshot(x.room.state);
      assert.deepEqual(before.board, ['O', '', 'X', '', 'X', '', 'O', '', '']);
      assert.equal(before.turn, x.id);

      assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
      server = startArenaProcess(env);
      await server.waitUntilHealthy();

      [o, x] = [await connect(url, identities[1], code), await connect(url, identities[0], code)];
      await untilAny([x.probe, o.probe], () => [x, o].every((p) => [...p.room.state.players.values()].every((pl: any) => pl.connected)), 'both back');
      for (const player of [x, o]) assert.deepEqual(snapshot(player.room.state), before, 'the board, the turn and the seats survived the crash');

      // X's turn (O trying is refused); X takes 3, O 8, X completes the middle row 3-4-5
      assert.equal((await o.probe.expectError('place', { cell: 3 })).code, 'NOT_YOUR_TURN');
      await place([x, o], x, 3);
      await place([x, o], o, 8);
      x.room.send('place', { cell: 5 });
      assert.deepEqual(await o.probe.message('game_over'), { result: x.id });
      await x.probe.stateWhere((s) => s.phase === 'finished' && s.result === x.id, 'X won');

      const moves: Array<[string, number]> = [[x.id, 4], [o.id, 0], [x.id, 2], [o.id, 6], [x.id, 3], [o.id, 8], [x.id, 5]];
      const archived = await archivedGame(server.baseUrl, o.token);
      assert.deepEqual(archived.data.moves.map((m: any) => [m.playerId, m.action.cell]), moves, 'every move once, in order');
      assert.deepEqual(archived.data.board, referee([x.id, o.id], moves).board);
      assert.deepEqual(archived.result, { winner: x.id });
    });
  });
}
