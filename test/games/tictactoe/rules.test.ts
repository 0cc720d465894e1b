import { strict as assert } from 'assert';
import { apply, createGame, type TicTacToeState } from '../../../src/games/tictactoe/rules';

function play(state: TicTacToeState, moves: Array<[string, number]>): TicTacToeState {
  for (const [player, cell] of moves) {
    const result = apply(state, player, { type: 'place', cell });
    assert.ok(result.ok, `move ${player}@${cell}`);
    state = result.state;
  }
  return state;
}

describe('tictactoe rules', () => {
  const fresh = () => createGame(['x', 'o']);

  it('alternates turns starting with X', () => {
    const state = play(fresh(), [['x', 4]]);
    assert.equal(state.board[4], 'X');
    assert.equal(state.turn, 'o');
  });

  it('detects a win on a row, a column and a diagonal', () => {
    assert.equal(play(fresh(), [['x', 0], ['o', 3], ['x', 1], ['o', 4], ['x', 2]]).result, 'x');
    assert.equal(play(fresh(), [['x', 0], ['o', 1], ['x', 3], ['o', 4], ['x', 8], ['o', 7]]).result, 'o');
    assert.equal(play(fresh(), [['x', 0], ['o', 1], ['x', 4], ['o', 2], ['x', 8]]).result, 'x');
  });

  it('ends in a draw when the board fills without a line', () => {
    const state = play(fresh(), [['x', 0], ['o', 1], ['x', 2], ['o', 4], ['x', 3], ['o', 5], ['x', 7], ['o', 6], ['x', 8]]);
    assert.equal(state.result, 'draw');
  });

  it('refuses wrong turns, taken cells, bad cells, strangers and moves after the end', () => {
    const state = play(fresh(), [['x', 0]]);
    assert.deepEqual(apply(state, 'x', { type: 'place', cell: 1 }), { ok: false, code: 'NOT_YOUR_TURN', message: 'wait for your turn' });
    assert.equal((apply(state, 'o', { type: 'place', cell: 0 }) as { code: string }).code, 'INVALID_ACTION');
    for (const cell of [-1, 9, 1.5, NaN]) assert.equal((apply(state, 'o', { type: 'place', cell }) as { code: string }).code, 'INVALID_ACTION');
    assert.equal((apply(state, 'z', { type: 'place', cell: 1 }) as { code: string }).code, 'NOT_A_PLAYER');
    const over = play(fresh(), [['x', 0], ['o', 3], ['x', 1], ['o', 4], ['x', 2]]);
    assert.equal((apply(over, 'o', { type: 'place', cell: 8 }) as { code: string }).code, 'GAME_OVER');
  });

  it('a timeout (from the room) places in the first free cell; resign and forfeit hand the win to the other player', () => {
    const timedOut = apply(play(fresh(), [['x', 0]]), null, { type: 'timeout', playerId: 'o' });
    assert.ok(timedOut.ok);
    assert.equal(timedOut.state.board[1], 'O');
    assert.equal((apply(play(fresh(), [['x', 0]]), null, { type: 'timeout', playerId: 'x' }) as { code: string }).code, 'NOT_YOUR_TURN');
    const resigned = apply(fresh(), 'o', { type: 'resign' });
    assert.ok(resigned.ok);
    assert.equal(resigned.state.result, 'x');
    const forfeited = apply(fresh(), null, { type: 'forfeit', playerId: 'x' });
    assert.ok(forfeited.ok);
    assert.equal(forfeited.state.result, 'o');
  });

  it('refuses room actions from a player and player actions from the room', () => {
    assert.equal((apply(fresh(), 'x', { type: 'timeout', playerId: 'x' }) as { code: string }).code, 'INVALID_ACTION');
    assert.equal((apply(fresh(), null, { type: 'place', cell: 0 }) as { code: string }).code, 'INVALID_ACTION');
  });

  it('never mutates its input', () => {
    const state = Object.freeze(fresh());
    const before = JSON.stringify(state);
    apply(state, 'x', { type: 'place', cell: 0 });
    assert.equal(JSON.stringify(state), before);
  });
});
