import { strict as assert } from 'assert';
import { startArena, seatTable, serverState, joinRoom, type TestArena, type Seated } from '../support/arena';
import { untilAny } from '../support/probe';
import { COLUMNS, ROWS, apply, createGame, type ConnectFourState as Game } from '../../src/games/connectfour/rules';
import type { ArchiveRecord } from '../../src/persistence/archive';

async function rejectsJoin(promise: Promise<unknown>, status: number, code: string) {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.code, status, `status of ${error.message}`);
    assert.match(error.message, new RegExp(`^${code}: .+`));
    return true;
  });
}

describe('rooms: connectfour', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  /** A started match: red (the host, first seat) to move. */
  async function started(options: Record<string, unknown> = {}): Promise<{ red: Seated; yellow: Seated }> {
    const [red, yellow] = await seatTable(arena, 'connectfour', 2, options);
    red.room.send('start', {});
    await red.probe.stateWhere((s) => s.phase === 'playing' && s.turn === red.guest.user.id, 'started, red to move');
    await yellow.probe.stateWhere((s) => s.phase === 'playing' && s.turn === red.guest.user.id, 'yellow sees the start');
    return { red, yellow };
  }

  /**
   * Plays the moves through the room, each as the player whose turn it is, checking each against
   * the pure rules (the referee): after every drop every watcher's board equals the rules' board.
   */
  async function playMoves(players: { red: Seated; yellow: Seated }, columns: number[], referee: { game: Game }, watchers: Seated[] = []): Promise<void> {
    for (const column of columns) {
      const mover = referee.game.turn === players.red.guest.user.id ? players.red : players.yellow;
      const result = apply(referee.game, mover.guest.user.id, { type: 'drop', column });
      assert.ok(result.ok, `referee accepts column ${column}`);
      referee.game = result.state;
      mover.room.send('drop', { column });
      const expected = referee.game.board.join();
      const all = [players.red, players.yellow, ...watchers];
      await untilAny(all.map((s) => s.probe), () => all.every((s) => [...s.room.state.board].join() === expected), `board after column ${column}`);
    }
  }

  it('two players, host starts; discs drop to the lowest free row in turn', async () => {
    const { red, yellow } = await started();
    const [redId, yellowId] = [red.guest.user.id, yellow.guest.user.id];
    assert.deepEqual([...red.room.state.discs], [redId, yellowId], 'the first seat is red');
    assert.equal(red.room.state.board.length, COLUMNS * ROWS);
    assert.ok([...red.room.state.board].every((cell: string) => cell === ''));
    assert.ok(red.room.state.turnDeadline > Date.now(), 'the turn is timed');

    red.room.send('drop', { column: 3 });
    await yellow.probe.stateWhere((s) => s.board[3] === 'red' && s.turn === yellowId, 'red disc at (3,0)');
    yellow.room.send('drop', { column: 3 });
    await red.probe.stateWhere((s) => s.board[COLUMNS + 3] === 'yellow' && s.turn === redId, 'yellow disc on top, at (3,1)');
    red.room.send('drop', { column: 6 });
    await yellow.probe.stateWhere((s) => s.board[6] === 'red', 'red disc at (6,0)');
    assert.equal([...yellow.room.state.board].filter((cell: string) => cell !== '').length, 3);
    assert.equal(yellow.room.state.result, '');
    assert.equal(yellow.room.state.phase, 'playing');
  });

  it('refuses moves before the start, by the non-host starting, and by the wrong player, without a change', async () => {
    const [red, yellow] = await seatTable(arena, 'connectfour', 2);
    assert.equal((await red.probe.expectError('drop', { column: 0 })).code, 'GAME_NOT_STARTED');
    assert.equal((await yellow.probe.expectError('start', {})).code, 'NOT_HOST');
    red.room.send('start', {});
    await yellow.probe.stateWhere((s) => s.phase === 'playing');

    const code = red.room.roomId;
    const before = serverState(arena, code);
    const wrong = await yellow.probe.expectError('drop', { column: 0 });
    assert.equal(wrong.code, 'NOT_YOUR_TURN');
    assert.equal(typeof wrong.message, 'string');
    assert.deepEqual(serverState(arena, code), before, 'a refused move changes nothing');
    red.room.send('drop', { column: 0 });
    await red.probe.stateWhere((s) => s.turn === yellow.guest.user.id);
    assert.equal((await red.probe.expectError('drop', { column: 1 })).code, 'NOT_YOUR_TURN', 'red cannot move twice');
    assert.equal(red.room.state.board[1], '');
  });

  it('refuses invalid columns and a full column, without a change', async () => {
    const { red, yellow } = await started();
    const code = red.room.roomId;
    const before = serverState(arena, code);
    for (const column of [-1, 7, 100]) assert.equal((await red.probe.expectError('drop', { column })).code, 'INVALID_ACTION', `column ${column}`);
    for (const payload of [{ column: 1.5 }, { column: '3' }, {}, { column: 3, extra: true }, { column: null }]) {
      assert.equal((await red.probe.expectError('drop', payload)).code, 'INVALID_MESSAGE', JSON.stringify(payload));
    }
    assert.equal((await red.probe.expectError('place', { cell: 0 })).code, 'UNKNOWN_MESSAGE');
    assert.deepEqual(serverState(arena, code), before);

    // Six discs, alternating colours, fill column 2 without four in a row.
    const referee = { game: createGame([red.guest.user.id, yellow.guest.user.id]) };
    await playMoves({ red, yellow }, [2, 2, 2, 2, 2, 2], referee);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((row) => red.room.state.board[row * COLUMNS + 2]), ['red', 'yellow', 'red', 'yellow', 'red', 'yellow']);
    assert.equal(red.room.state.turn, red.guest.user.id);
    const full = serverState(arena, code);
    const refused = await red.probe.expectError('drop', { column: 2 });
    assert.equal(refused.code, 'INVALID_ACTION');
    assert.match(refused.message, /full/);
    assert.deepEqual(serverState(arena, code), full, 'the full column changed nothing');
    assert.equal(red.room.state.turn, red.guest.user.id, 'still red to move');
    red.room.send('drop', { column: 3 });
    await yellow.probe.stateWhere((s) => s.board[3] === 'red' && s.turn === yellow.guest.user.id, 'red plays elsewhere');
  });

  it('four in a row wins: phase finished, game_over for players and spectators, archived with every move', async () => {
    const records: ArchiveRecord[] = [];
    const stop = arena.services.archive.onRecord((record) => records.push(record));
    try {
      const { red, yellow } = await started();
      const [redId, yellowId] = [red.guest.user.id, yellow.guest.user.id];
      const code = red.room.roomId;
      const referee = { game: createGame([redId, yellowId]) };
      await playMoves({ red, yellow }, [0, 1, 0, 1], referee);

      // a spectator joins mid-match and sees the board as it is, but cannot play
      const spectator = await joinRoom(arena, code, { spectate: true });
      await spectator.probe.stateWhere((s) => [...s.board].join() === referee.game.board.join(), 'spectator sees the board');
      assert.deepEqual([...spectator.room.state.discs], [redId, yellowId]);
      assert.equal(spectator.room.state.turn, redId);
      assert.equal(spectator.room.state.players.size, 2, 'spectators take no seat');
      assert.equal(spectator.room.state.players.has(spectator.guest.user.id), false);
      await red.probe.stateWhere((s) => s.spectatorCount === 1, 'players see the spectator count');
      assert.equal((await spectator.probe.expectError('drop', { column: 4 })).code, 'NOT_A_PLAYER');
      assert.equal((await spectator.probe.expectError('resign', {})).code, 'NOT_A_PLAYER');
      await rejectsJoin(arena.client(await arena.guest()).joinById(code), 409, 'GAME_ALREADY_STARTED');

      await playMoves({ red, yellow }, [0, 1], referee, [spectator]);
      red.room.send('drop', { column: 0 }); // (0,3): four red discs in column 0
      const expected = { winner: redId, cells: [0, 1, 2, 3].map((row) => ({ column: 0, row })) };
      assert.deepEqual(await yellow.probe.message('game_over'), expected);
      assert.deepEqual(await red.probe.message('game_over'), expected);
      assert.deepEqual(await spectator.probe.message('game_over'), expected, 'spectators hear it too');
      const done = await spectator.probe.stateWhere((s) => s.phase === 'finished' && s.result === redId, 'finished, red won');
      assert.deepEqual([...done.winningCells], [0, 7, 14, 21]);
      assert.equal(done.turn, '');
      assert.equal(done.board[21], 'red');
      assert.equal([...done.board].filter((cell: string) => cell !== '').length, 7);

      assert.equal((await yellow.probe.expectError('drop', { column: 5 })).code, 'GAME_OVER');
      assert.equal((await red.probe.expectError('drop', { column: 5 })).code, 'GAME_OVER');

      await red.probe.until(() => records.some((r) => r.code === code), 'archived');
      const record = records.find((r) => r.code === code)!;
      assert.equal(record.game, 'connectfour');
      assert.deepEqual(record.result, { winner: redId });
      const data = record.data as any;
      assert.deepEqual(data.players, [redId, yellowId]);
      assert.deepEqual(data.moves.map((m: any) => [m.playerId, m.action.column]), [0, 1, 0, 1, 0, 1, 0].map((column, i) => [i % 2 ? yellowId : redId, column]));
      assert.deepEqual(data.result, { reason: 'four', winner: redId, cells: expected.cells });
    } finally {
      stop();
    }
  });

  it('resigning hands the win to the other player (no winning cells)', async () => {
    const { red, yellow } = await started();
    red.room.send('drop', { column: 3 });
    await yellow.probe.stateWhere((s) => s.turn === yellow.guest.user.id);
    red.room.send('resign', {}); // not red's turn: resigning is allowed any time
    assert.deepEqual(await yellow.probe.message('game_over'), { winner: yellow.guest.user.id, cells: [] });
    const done = await red.probe.stateWhere((s) => s.phase === 'finished' && s.result === yellow.guest.user.id);
    assert.equal(done.winningCells.length, 0);
  });

  it('a timed-out turn drops into the centre column for the player', async () => {
    const { red, yellow } = await started({ turnSeconds: 2 });
    await yellow.probe.stateWhere((s) => s.board[3] === 'red' && s.turn === yellow.guest.user.id, 'auto-played', 6000);
    assert.equal([...red.room.state.board].filter((cell: string) => cell !== '').length <= 1, true);
  });
});
