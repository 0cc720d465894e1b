import { strict as assert } from 'assert';
import { archivedGame, startArena, seatTable, serverState, type TestArena, type Seated } from '../support/arena';
import { useManualTime, useRealTime } from '../support/clock';

describe('rooms: tictactoe (the minimal game)', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => useRealTime());

  async function started(options: Record<string, unknown> = {}): Promise<[Seated, Seated]> {
    const [x, o] = await seatTable(arena, 'tictactoe', 2, options);
    x.room.send('start', {});
    await x.probe.stateWhere((s) => s.phase === 'playing' && s.turn === x.guest.user.id);
    return [x, o];
  }

  it('plays a game to a win, archives it, and refuses wrong turns and taken cells without a change', async () => {
    const [x, o] = await started();
    const before = serverState(arena, x.room.roomId);
    assert.equal((await o.probe.expectError('place', { cell: 0 })).code, 'NOT_YOUR_TURN');
    assert.equal((await x.probe.expectError('place', { cell: 9 })).code, 'INVALID_ACTION');
    assert.equal((await x.probe.expectError('place', { cell: 'middle' })).code, 'INVALID_MESSAGE');
    assert.deepEqual(serverState(arena, x.room.roomId), before);
    for (const [seat, cell] of [[x, 0], [o, 3], [x, 1], [o, 4]] as const) {
      seat.room.send('place', { cell });
      await seat.probe.stateWhere((s) => s.board[cell] !== '', `cell ${cell}`);
    }
    assert.equal((await o.probe.expectError('place', { cell: 0 })).code, 'NOT_YOUR_TURN');
    assert.equal((await x.probe.expectError('place', { cell: 3 })).code, 'INVALID_ACTION');
    x.room.send('place', { cell: 2 });
    assert.deepEqual(await o.probe.message('game_over'), { result: x.guest.user.id });
    await o.probe.stateWhere((s) => s.phase === 'finished' && s.result === x.guest.user.id);
    const archived = await archivedGame(arena.baseUrl, o.guest.token, x.room.roomId);
    assert.deepEqual(archived.data.moves.map((m: any) => m.action.cell), [0, 3, 1, 4, 2]);
  });

  it('a timeout plays the first free cell for the player', async () => {
    const time = useManualTime();
    const [x, o] = await started({ turnSeconds: 2 });
    await time.advance(1999);
    assert.equal(serverState(arena, x.room.roomId).turn, x.guest.user.id, 'still X’s turn just before the deadline');
    await time.advance(1);
    await o.probe.stateWhere((s) => s.board[0] === 'X' && s.turn === o.guest.user.id, 'auto-played');
    const seen = await x.probe.stateWhere((s) => s.board[0] === 'X', 'X sees its auto-move');
    assert.equal(seen.board.filter((cell: string) => cell !== '').length, 1);
  });
});
