/**
 * Tic-tac-toe: the smallest complete game on Arena, and the example to copy when adding one.
 * Pure rules, no Colyseus: `apply(state, playerId, action)` returns the next state or an error,
 * and `tictactoeEngine` hands them to the engine host.
 */
import type { Applied, GameEngine, PlayerId } from '../engine';

export type Mark = 'X' | 'O';
/** Nine cells, row by row; '' for empty. */
export type Board = Array<Mark | ''>;

export interface TicTacToeState {
  board: Board;
  /** [X player, O player]. */
  players: [string, string];
  turn: string;
  /** User id of the winner, 'draw', or '' while playing. */
  result: string;
  moves: number;
}

/** `place` and `resign` come from the player; `timeout` and `forfeit` from the room (actor null). */
export type TicTacToeAction =
  | { type: 'place'; cell: number }
  | { type: 'resign' }
  | { type: 'timeout'; playerId: PlayerId }
  | { type: 'forfeit'; playerId: PlayerId };

export type TicTacToeEvent = { type: 'placed'; playerId: string; cell: number; mark: Mark } | { type: 'over'; result: string };

export type ApplyResult = Applied<TicTacToeState, TicTacToeEvent>;

const LINES = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
];

export function createGame(players: [string, string]): TicTacToeState {
  return { board: Array(9).fill(''), players, turn: players[0], result: '', moves: 0 };
}

export function apply(state: TicTacToeState, actor: PlayerId | null, action: TicTacToeAction): ApplyResult {
  const system = action.type === 'timeout' || action.type === 'forfeit';
  if (system !== (actor === null)) return { ok: false, code: 'INVALID_ACTION', message: `"${action.type}" cannot be sent by ${actor === null ? 'the room' : 'a player'}` };
  const playerId = system ? action.playerId : actor!;
  if (!state.players.includes(playerId)) return { ok: false, code: 'NOT_A_PLAYER', message: 'not a player of this game' };
  if (state.result) return { ok: false, code: 'GAME_OVER', message: 'the game is over' };
  if (action.type === 'resign' || action.type === 'forfeit') return finish(state, other(state, playerId));
  if (playerId !== state.turn) return { ok: false, code: 'NOT_YOUR_TURN', message: 'wait for your turn' };
  const cell = action.type === 'timeout' ? state.board.indexOf('') : action.cell;
  if (!Number.isInteger(cell) || cell < 0 || cell > 8) return { ok: false, code: 'INVALID_ACTION', message: 'cell must be 0–8' };
  if (state.board[cell] !== '') return { ok: false, code: 'INVALID_ACTION', message: `cell ${cell} is taken` };
  return place(state, playerId, cell);
}

function place(state: TicTacToeState, playerId: string, cell: number): ApplyResult {
  const mark: Mark = playerId === state.players[0] ? 'X' : 'O';
  const board = state.board.slice();
  board[cell] = mark;
  const next: TicTacToeState = { ...state, board, moves: state.moves + 1, turn: other(state, playerId) };
  const placed = { type: 'placed' as const, playerId, cell, mark };
  const won = LINES.some((line) => line.every((index) => board[index] === mark));
  if (won || next.moves === 9) {
    const over = finish(next, won ? playerId : 'draw');
    return over.ok ? { ...over, events: [placed, ...over.events] } : over;
  }
  return { ok: true, state: next, events: [placed] };
}

function finish(state: TicTacToeState, result: string): ApplyResult {
  return { ok: true, state: { ...state, result, turn: '' }, events: [{ type: 'over', result }] };
}

function other(state: TicTacToeState, playerId: string): string {
  return state.players[0] === playerId ? state.players[1] : state.players[0];
}

export const tictactoeEngine: GameEngine<TicTacToeState, TicTacToeAction, TicTacToeEvent, Record<string, never>> = {
  random: false,
  setup(_random, seats) {
    if (seats.length !== 2) throw new RangeError('tic-tac-toe needs exactly two players');
    return { state: createGame([seats[0].id, seats[1].id]), events: [] };
  },
  apply: (state, actor, action) => apply(state, actor, action),
  turn: (state) => (state.result ? null : { playerId: state.turn, key: String(state.moves), timed: true }),
  timeout: (state, playerId) => (state.turn === playerId ? { type: 'timeout', playerId } : undefined),
  forfeit: (state, playerId) => (state.result ? undefined : { type: 'forfeit', playerId }),
  isOver: (state) => state.result !== '',
};
