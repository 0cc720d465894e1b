import { strict as assert } from 'assert';
import { replayLog, type LoggedAction, type SeatInfo } from '../../../src/games/engine';
import { createRandom, type Random } from '../../../src/games/random';
import {
  apply,
  COLUMNS,
  connectFourEngine,
  createGame,
  discAt,
  legalMoves,
  ROWS,
  type Cell,
  type ConnectFourAction,
  type ConnectFourApplied,
  type ConnectFourState,
} from '../../../src/games/connectfour/rules';
import { connectFourArchive } from '../../../src/games/connectfour/archive';

const RED = 'red-player';
const YELLOW = 'yellow-player';
const SEATS: SeatInfo[] = [{ id: RED, name: 'Red', roles: [], creator: false }, { id: YELLOW, name: 'Yellow', roles: [], creator: false }];
const SEED = '00'.repeat(32);
/** Columns that fill the board (red starts) without four in a row anywhere. */
const DRAW_COLUMNS = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 5];

const fresh = (): ConnectFourState => connectFourEngine.setup(createRandom(SEED), SEATS, {}).state;

function ok(result: ConnectFourApplied, what = 'action'): Extract<ConnectFourApplied, { ok: true }> {
  assert.ok(result.ok, `${what} refused: ${result.ok ? '' : `${result.code}: ${result.message}`}`);
  return result;
}

function codeOf(result: ConnectFourApplied): string {
  assert.ok(!result.ok, 'expected a refusal');
  return result.code;
}

/** Drops into `columns` in order, each by the player to move. */
function play(columns: number[], state = fresh()): ConnectFourState {
  for (const column of columns) state = ok(apply(state, state.turn, { type: 'drop', column }), `drop ${column}`).state;
  return state;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every line of four on the board, found by brute force (independent of the rules' search). */
function foursOnBoard(state: ConnectFourState): Cell[][] {
  const lines: Cell[][] = [];
  for (let column = 0; column < COLUMNS; column++) {
    for (let row = 0; row < ROWS; row++) {
      for (const [dc, dr] of [[1, 0], [0, 1], [1, 1], [1, -1]]) {
        const cells = [0, 1, 2, 3].map((i) => ({ column: column + i * dc, row: row + i * dr }));
        const disc = discAt(state, column, row);
        if (disc && cells.every((cell) => discAt(state, cell.column, cell.row) === disc)) lines.push(cells);
      }
    }
  }
  return lines;
}

const sortCells = (cells: Cell[]): Cell[] => cells.slice().sort((a, b) => a.column - b.column || a.row - b.row);

function assertWin(state: ConnectFourState, winner: string, cells: Cell[]): void {
  assert.ok(state.result && state.result.reason === 'four', 'a four-in-a-row win');
  assert.equal(state.result.winner, winner);
  assert.deepEqual(sortCells(state.result.cells), sortCells(cells));
  assert.equal(state.turn, '');
  assert.equal(connectFourEngine.isOver(state), true);
  assert.equal(connectFourEngine.turn(state), null);
}

describe('connect four rules', () => {
  describe('setup', () => {
    it('starts an empty 7×6 board with the first seat (red) to move', () => {
      const { state, events } = connectFourEngine.setup(createRandom(SEED), SEATS, {});
      assert.equal(state.board.length, COLUMNS * ROWS);
      assert.ok(state.board.every((cell) => cell === ''));
      assert.deepEqual(state.players, [RED, YELLOW]);
      assert.equal(state.turn, RED);
      assert.equal(state.moves, 0);
      assert.equal(state.result, null);
      assert.deepEqual(events, []);
      assert.equal(connectFourEngine.random, false);
      assert.equal(connectFourEngine.visible, undefined);
    });

    it('throws a RangeError unless given exactly two seats', () => {
      const random = createRandom(SEED);
      assert.throws(() => connectFourEngine.setup(random, SEATS.slice(0, 1), {}), RangeError);
      assert.throws(() => connectFourEngine.setup(random, [...SEATS, { id: 'c', name: 'C', roles: [], creator: false }], {}), RangeError);
      assert.throws(() => connectFourEngine.setup(random, [], {}), RangeError);
    });
  });

  describe('dropping', () => {
    it('lands a disc on the lowest free row and passes the turn', () => {
      const first = ok(apply(fresh(), RED, { type: 'drop', column: 3 }));
      assert.deepEqual(first.events, [{ type: 'dropped', playerId: RED, column: 3, row: 0, disc: 'red', timedOut: false }]);
      assert.equal(first.state.turn, YELLOW);
      const second = ok(apply(first.state, YELLOW, { type: 'drop', column: 3 }));
      assert.deepEqual(second.events, [{ type: 'dropped', playerId: YELLOW, column: 3, row: 1, disc: 'yellow', timedOut: false }]);
      assert.equal(discAt(second.state, 3, 0), 'red');
      assert.equal(discAt(second.state, 3, 1), 'yellow');
      assert.equal(second.state.moves, 2);
    });

    it('lists the columns that are not full as legal moves', () => {
      assert.deepEqual(legalMoves(fresh()), [0, 1, 2, 3, 4, 5, 6]);
      assert.deepEqual(legalMoves(play([3, 3, 3, 3, 3, 3])), [0, 1, 2, 4, 5, 6]);
    });
  });

  describe('results', () => {
    it('a horizontal four wins, with its cells', () => {
      const last = ok(apply(play([0, 0, 1, 1, 2, 2]), RED, { type: 'drop', column: 3 }));
      const cells = [0, 1, 2, 3].map((column) => ({ column, row: 0 }));
      assertWin(last.state, RED, cells);
      const won = last.events[1];
      assert.ok(won.type === 'won' && won.playerId === RED);
      assert.deepEqual(sortCells(won.cells), cells);
      assert.equal(last.events.length, 2);
    });

    it('a vertical four wins, with its cells', () => {
      const state = play([0, 1, 0, 1, 0, 1, 0]);
      assertWin(state, RED, [0, 1, 2, 3].map((row) => ({ column: 0, row })));
    });

    it('a rising diagonal four wins, with its cells', () => {
      const state = play([0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3]);
      assertWin(state, RED, [0, 1, 2, 3].map((i) => ({ column: i, row: i })));
    });

    it('a falling diagonal four wins, with its cells', () => {
      const state = play([6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3]);
      assertWin(state, RED, [0, 1, 2, 3].map((i) => ({ column: 3 + i, row: 3 - i })));
    });

    it('yellow wins too', () => {
      assertWin(play([0, 1, 0, 1, 0, 1, 2, 1]), YELLOW, [0, 1, 2, 3].map((row) => ({ column: 1, row })));
    });

    it('a run longer than four reports four of its cells, including the last disc', () => {
      // Red holds row 0 columns 0–2 and 4–6 (yellow on top); column 3 joins them into a run of 7.
      const state = play([0, 0, 1, 1, 2, 2, 4, 4, 5, 5, 6, 6, 3]);
      assertWin(state, RED, [0, 1, 2, 3].map((column) => ({ column, row: 0 })));
    });

    it('a full board without four is a draw', () => {
      const beforeLast = play(DRAW_COLUMNS.slice(0, -1));
      assert.equal(beforeLast.result, null);
      const last = ok(apply(beforeLast, beforeLast.turn, { type: 'drop', column: DRAW_COLUMNS[DRAW_COLUMNS.length - 1] }));
      assert.deepEqual(last.state.result, { reason: 'draw' });
      assert.deepEqual(last.events.slice(1), [{ type: 'draw' }]);
      assert.ok(last.state.board.every((cell) => cell !== ''));
      assert.deepEqual(foursOnBoard(last.state), []);
      assert.deepEqual(legalMoves(last.state), []);
      assert.equal(connectFourEngine.turn(last.state), null);
    });
  });

  describe('refusals', () => {
    it('refuses a drop into a full column', () => {
      const state = play([3, 3, 3, 3, 3, 3]);
      const result = apply(state, RED, { type: 'drop', column: 3 });
      assert.equal(codeOf(result), 'INVALID_ACTION');
      assert.match((result as { message: string }).message, /full/);
    });

    it('refuses a move out of turn', () => {
      assert.equal(codeOf(apply(fresh(), YELLOW, { type: 'drop', column: 0 })), 'NOT_YOUR_TURN');
      assert.equal(codeOf(apply(play([0]), RED, { type: 'drop', column: 0 })), 'NOT_YOUR_TURN');
    });

    it('refuses an outsider', () => {
      assert.equal(codeOf(apply(fresh(), 'stranger', { type: 'drop', column: 0 })), 'NOT_A_PLAYER');
      assert.equal(codeOf(apply(fresh(), 'stranger', { type: 'resign' })), 'NOT_A_PLAYER');
      assert.equal(codeOf(apply(fresh(), null, { type: 'forfeit', playerId: 'stranger' })), 'NOT_A_PLAYER');
      assert.equal(codeOf(apply(fresh(), null, { type: 'timeout', playerId: 'stranger' })), 'NOT_A_PLAYER');
    });

    it('refuses columns that are not integers 0–6', () => {
      for (const column of [-1, 7, 100, 1.5, NaN, Infinity, -Infinity, '3', null, undefined]) {
        const action = { type: 'drop', column } as unknown as ConnectFourAction;
        assert.equal(codeOf(apply(fresh(), RED, action)), 'INVALID_ACTION', `column ${String(column)}`);
      }
    });

    it('refuses unknown actions', () => {
      for (const action of [{ type: 'place', cell: 0 }, {}, null, 'drop']) {
        assert.equal(codeOf(apply(fresh(), RED, action as unknown as ConnectFourAction)), 'INVALID_ACTION');
        assert.equal(codeOf(apply(fresh(), null, action as unknown as ConnectFourAction)), 'INVALID_ACTION');
      }
    });

    it('refuses system actions sent by a player and player actions sent by the system', () => {
      assert.equal(codeOf(apply(fresh(), RED, { type: 'timeout', playerId: RED })), 'INVALID_ACTION');
      assert.equal(codeOf(apply(fresh(), RED, { type: 'forfeit', playerId: YELLOW })), 'INVALID_ACTION');
      assert.equal(codeOf(apply(fresh(), null, { type: 'drop', column: 3 })), 'INVALID_ACTION');
      assert.equal(codeOf(apply(fresh(), null, { type: 'resign' })), 'INVALID_ACTION');
    });

    it('refuses every action after the end', () => {
      const ends = [play([0, 1, 0, 1, 0, 1, 0]), play(DRAW_COLUMNS), ok(apply(fresh(), RED, { type: 'resign' })).state];
      for (const over of ends) {
        for (const actor of [RED, YELLOW]) {
          assert.equal(codeOf(apply(over, actor, { type: 'drop', column: 6 })), 'GAME_OVER');
          assert.equal(codeOf(apply(over, actor, { type: 'resign' })), 'GAME_OVER');
        }
        assert.equal(codeOf(apply(over, null, { type: 'timeout', playerId: RED })), 'GAME_OVER');
        assert.equal(codeOf(apply(over, null, { type: 'forfeit', playerId: YELLOW })), 'GAME_OVER');
      }
    });
  });

  describe('timeouts, forfeits and resignations', () => {
    it('a timeout drops in the centre-most free column for the player to move', () => {
      const expectTimeoutColumn = (state: ConnectFourState, column: number) => {
        const action = connectFourEngine.timeout!(state, state.turn);
        assert.deepEqual(action, { type: 'timeout', playerId: state.turn });
        const row = Array.from({ length: ROWS }, (_, r) => discAt(state, column, r)).filter(Boolean).length;
        const result = ok(apply(state, null, action!));
        const disc = state.turn === RED ? 'red' : 'yellow';
        assert.deepEqual(result.events, [{ type: 'dropped', playerId: state.turn, column, row, disc, timedOut: true }]);
        return result.state;
      };
      expectTimeoutColumn(fresh(), 3);
      const yellowAfter = expectTimeoutColumn(play([0]), 3);
      assert.equal(discAt(yellowAfter, 3, 0), 'yellow');
      // With the centre full the order is 2, 4, 1, 5, 0, 6.
      let state = play([3, 3, 3, 3, 3, 3]);
      state = expectTimeoutColumn(state, 2);
      state = play([2, 2, 2, 2, 2], state);
      state = expectTimeoutColumn(state, 4);
    });

    it('a timeout is refused for the player not on turn, and not offered for them', () => {
      const state = fresh();
      assert.equal(connectFourEngine.timeout!(state, YELLOW), undefined);
      assert.equal(connectFourEngine.timeout!(state, 'stranger'), undefined);
      assert.equal(codeOf(apply(state, null, { type: 'timeout', playerId: YELLOW })), 'NOT_YOUR_TURN');
      assert.equal(connectFourEngine.timeout!(play([0, 1, 0, 1, 0, 1, 0]), YELLOW), undefined, 'not after the end');
    });

    it('a forfeit ends the game for the other player, on or off turn', () => {
      for (const [gone, winner] of [[RED, YELLOW], [YELLOW, RED]]) {
        const action = connectFourEngine.forfeit!(fresh(), gone, 'left');
        assert.deepEqual(action, { type: 'forfeit', playerId: gone });
        const result = ok(apply(fresh(), null, action!));
        assert.deepEqual(result.state.result, { reason: 'forfeit', winner });
        assert.deepEqual(result.events, [{ type: 'forfeited', playerId: gone }, { type: 'won', playerId: winner, cells: [] }]);
        assert.equal(connectFourEngine.isOver(result.state), true);
      }
      assert.equal(connectFourEngine.forfeit!(fresh(), 'stranger', 'left'), undefined);
      assert.equal(connectFourEngine.forfeit!(play(DRAW_COLUMNS), RED, 'disconnected'), undefined, 'not after the end');
    });

    it('a resignation ends the game for the other player, on or off turn', () => {
      for (const [quitter, winner] of [[RED, YELLOW], [YELLOW, RED]]) {
        const result = ok(apply(play([3]), quitter, { type: 'resign' }));
        assert.deepEqual(result.state.result, { reason: 'resign', winner });
        assert.deepEqual(result.events, [{ type: 'resigned', playerId: quitter }, { type: 'won', playerId: winner, cells: [] }]);
        assert.equal(connectFourEngine.turn(result.state), null);
      }
    });
  });

  describe('state', () => {
    it('apply never mutates its (deep-frozen) input', () => {
      const states = [fresh(), play([3, 3, 2]), play([3, 3, 3, 3, 3, 3]), play([0, 1, 0, 1, 0, 1])];
      const actions: Array<[string | null, ConnectFourAction]> = [
        [RED, { type: 'drop', column: 0 }], [YELLOW, { type: 'drop', column: 0 }], [RED, { type: 'drop', column: 3 }],
        [RED, { type: 'resign' }], [null, { type: 'timeout', playerId: RED }], [null, { type: 'timeout', playerId: YELLOW }],
        [null, { type: 'forfeit', playerId: YELLOW }], ['stranger', { type: 'drop', column: 1 }],
      ];
      for (const state of states) {
        const before = JSON.stringify(state);
        deepFreeze(state);
        for (const [actor, action] of actions) {
          const result = apply(state, actor, action);
          assert.equal(JSON.stringify(state), before);
          if (result.ok && result.state.moves !== state.moves) assert.notEqual(result.state.board, state.board, 'a fresh board');
        }
      }
    });

    it('is plain JSON (a JSON round trip gives an equal state)', () => {
      for (const state of [fresh(), play([3, 2, 4]), play([0, 1, 0, 1, 0, 1, 0]), play(DRAW_COLUMNS), ok(apply(fresh(), RED, { type: 'resign' })).state]) {
        assert.deepStrictEqual(JSON.parse(JSON.stringify(state)), state);
      }
    });

    it('the turn key changes with every turn, even for the same player', () => {
      let state = fresh();
      const keys = new Set<string>();
      for (const column of [3, 3, 2, 2, 4]) {
        const turn = connectFourEngine.turn(state)!;
        assert.equal(turn.playerId, state.turn);
        assert.equal(turn.timed, true);
        assert.ok(!keys.has(turn.key), `key ${turn.key} repeats`);
        keys.add(turn.key);
        state = play([column], state);
      }
    });

    it('the archive shows the whole record', () => {
      const record = { state: play(DRAW_COLUMNS), log: [] };
      assert.deepEqual(connectFourArchive.data(record, undefined), record);
      assert.deepEqual(connectFourArchive.data(record, RED), record);
    });
  });

  describe('property: random games', () => {
    /** One random game: legal drops, with an occasional timeout standing in for a slow player. */
    function randomGame(random: Random): { final: ConnectFourState; log: Array<LoggedAction<ConnectFourAction>> } {
      let state = fresh();
      const log: Array<LoggedAction<ConnectFourAction>> = [];
      while (!connectFourEngine.isOver(state)) {
        assert.ok(state.moves < COLUMNS * ROWS, 'a game ends within 42 moves');
        const legal = legalMoves(state);
        const turn = connectFourEngine.turn(state)!;
        const entry: LoggedAction<ConnectFourAction> =
          random.int(10) === 0
            ? { playerId: null, action: connectFourEngine.timeout!(state, turn.playerId)! }
            : { playerId: turn.playerId, action: { type: 'drop', column: legal[random.int(legal.length)] } };
        const result = ok(apply(state, entry.playerId, entry.action), `move ${state.moves + 1}`);
        const dropped = result.events[0];
        assert.ok(dropped.type === 'dropped' && legal.includes(dropped.column), 'every move is legal');
        assert.equal(dropped.playerId, turn.playerId);
        if (entry.playerId === null) assert.equal(dropped.column, [3, 2, 4, 1, 5, 0, 6].find((c) => legal.includes(c)));
        log.push(entry);
        state = result.state;
      }
      return { final: state, log };
    }

    it('500 games each end in a win or a draw within 42 moves, and replay to the same state', () => {
      const random = createRandom(SEED);
      const outcomes = { red: 0, yellow: 0, draw: 0 };
      for (let game = 0; game < 500; game++) {
        const { final, log } = randomGame(random);
        assert.ok(final.moves <= COLUMNS * ROWS);
        assert.equal(final.moves, log.length);
        const fours = foursOnBoard(final);
        if (final.result?.reason === 'four') {
          const winnerDisc = final.result.winner === RED ? 'red' : 'yellow';
          const cells = JSON.stringify(sortCells(final.result.cells));
          assert.ok(final.result.cells.every((cell) => discAt(final, cell.column, cell.row) === winnerDisc));
          assert.ok(fours.some((line) => JSON.stringify(sortCells(line)) === cells), 'the winning cells are a four on the board');
          outcomes[final.result.winner === RED ? 'red' : 'yellow']++;
        } else {
          assert.deepEqual(final.result, { reason: 'draw' }, `game ${game} ended in a win or a draw`);
          assert.equal(final.moves, COLUMNS * ROWS);
          assert.deepEqual(fours, []);
          outcomes.draw++;
        }
        const replayed = replayLog(connectFourEngine, createRandom(SEED), SEATS, {}, log);
        assert.deepStrictEqual(replayed, final);
      }
      assert.ok(outcomes.red > 0 && outcomes.yellow > 0, `both colours win some games: ${JSON.stringify(outcomes)}`);
    });
  });
});
