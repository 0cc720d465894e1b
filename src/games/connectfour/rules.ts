/**
 * Connect Four: two players drop discs into a 7 × 6 upright board; four in a row wins.
 * Pure rules, no Colyseus: `apply(state, actor, action)` returns the next state or a refusal,
 * never mutating its input. No randomness and nothing hidden: every state and event is public.
 */
import type { Applied, GameEngine, PlayerId, SeatInfo, Turn } from '../engine';

export const COLUMNS = 7;
export const ROWS = 6;
/** Discs in a winning line. */
export const CONNECT = 4;

/** The first seat is red and moves first; the second is yellow. */
export type Disc = 'red' | 'yellow';

/** One cell of the board; row 0 is the bottom row. */
export interface Cell {
  column: number;
  row: number;
}

/** How a match ended. */
export type ConnectFourResult =
  | { reason: 'four'; winner: PlayerId; cells: Cell[] }
  | { reason: 'resign' | 'forfeit'; winner: PlayerId }
  | { reason: 'draw' };

/** A match as plain JSON; `apply` returns a new one and never changes the old. */
export interface ConnectFourState {
  /** COLUMNS × ROWS cells, bottom row first: cell (column, row) is at `row * COLUMNS + column`; '' empty. */
  board: Array<Disc | ''>;
  /** [red, yellow], in seat order. */
  players: [PlayerId, PlayerId];
  /** The player to move; '' once the match is over. */
  turn: PlayerId;
  /** Discs dropped so far (also the turn number: it names each turn). */
  moves: number;
  /** null while playing. */
  result: ConnectFourResult | null;
}

/** Player actions (`drop`, `resign`) and system actions of the room (`timeout`, `forfeit`). */
export type ConnectFourAction =
  | { type: 'drop'; column: number }
  | { type: 'resign' }
  | { type: 'timeout'; playerId: PlayerId }
  | { type: 'forfeit'; playerId: PlayerId };

/** Public events; `won.cells` is empty when the other player resigned or forfeited. */
export type ConnectFourEvent =
  | { type: 'dropped'; playerId: PlayerId; column: number; row: number; disc: Disc; timedOut: boolean }
  | { type: 'resigned'; playerId: PlayerId }
  | { type: 'forfeited'; playerId: PlayerId }
  | { type: 'won'; playerId: PlayerId; cells: Cell[] }
  | { type: 'draw' };

/** Connect Four has no options. */
export type ConnectFourOptions = {};

export type ConnectFourApplied = Applied<ConnectFourState, ConnectFourEvent>;

/** Where a timed-out turn drops: the centre-most column that is not full. */
const TIMEOUT_PREFERENCE = [3, 2, 4, 1, 5, 0, 6];
/** Line directions as [column step, row step]: horizontal, vertical, both diagonals. */
const DIRECTIONS: ReadonlyArray<readonly [number, number]> = [[1, 0], [0, 1], [1, 1], [1, -1]];

/** A fresh match: empty board, red (the first player) to move. */
export function createGame(players: readonly [PlayerId, PlayerId]): ConnectFourState {
  return { board: Array(COLUMNS * ROWS).fill(''), players: [players[0], players[1]], turn: players[0], moves: 0, result: null };
}

/** The disc at (column, row), '' if empty or off the board. */
export function discAt(state: ConnectFourState, column: number, row: number): Disc | '' {
  if (column < 0 || column >= COLUMNS || row < 0 || row >= ROWS) return '';
  return state.board[row * COLUMNS + column];
}

/** Columns that still take a disc, left to right; [] once the match is over. */
export function legalMoves(state: ConnectFourState): number[] {
  if (state.result) return [];
  return Array.from({ length: COLUMNS }, (_, column) => column).filter((column) => freeRow(state, column) !== undefined);
}

/** One action of a player (`actor`) or of the room (`actor` null). */
export function apply(state: ConnectFourState, actor: PlayerId | null, action: ConnectFourAction): ConnectFourApplied {
  if (actor !== null && !state.players.includes(actor)) return refuse('NOT_A_PLAYER', 'not a player of this game');
  if (state.result) return refuse('GAME_OVER', 'the game is over');
  // The host validates messages first; reading `type` defensively keeps a malformed one a refusal, not a throw.
  const type = typeof action === 'object' && action !== null ? (action as { type?: unknown }).type : undefined;
  return actor === null ? applySystem(state, action, type) : applyPlayer(state, actor, action, type);
}

function applyPlayer(state: ConnectFourState, actor: PlayerId, action: ConnectFourAction, type: unknown): ConnectFourApplied {
  if (type === 'resign') return finishByWithdrawal(state, actor, 'resign');
  if (type === 'timeout' || type === 'forfeit') return refuse('INVALID_ACTION', `${type} is an action of the room, not of a player`);
  if (type !== 'drop') return refuse('INVALID_ACTION', 'unknown action');
  if (actor !== state.turn) return refuse('NOT_YOUR_TURN', 'wait for your turn');
  const column = (action as { column?: unknown }).column;
  if (typeof column !== 'number' || !Number.isInteger(column) || column < 0 || column >= COLUMNS) {
    return refuse('INVALID_ACTION', `column must be an integer 0–${COLUMNS - 1}`);
  }
  if (freeRow(state, column) === undefined) return refuse('INVALID_ACTION', `column ${column} is full`);
  return drop(state, actor, column, false);
}

function applySystem(state: ConnectFourState, action: ConnectFourAction, type: unknown): ConnectFourApplied {
  if (type !== 'timeout' && type !== 'forfeit') return refuse('INVALID_ACTION', 'the room sends only timeout and forfeit');
  const playerId = (action as { playerId?: unknown }).playerId;
  if (typeof playerId !== 'string' || !state.players.includes(playerId)) return refuse('NOT_A_PLAYER', 'not a player of this game');
  if (type === 'forfeit') return finishByWithdrawal(state, playerId, 'forfeit');
  if (playerId !== state.turn) return refuse('NOT_YOUR_TURN', `it is not the turn of ${playerId}`);
  // A match never times out on a full board: a full board has already ended in a draw.
  const column = TIMEOUT_PREFERENCE.find((candidate) => freeRow(state, candidate) !== undefined)!;
  return drop(state, playerId, column, true);
}

/** Drops `playerId`'s disc into a column known to have room, then checks for a win or a draw. */
function drop(state: ConnectFourState, playerId: PlayerId, column: number, timedOut: boolean): ConnectFourApplied {
  const row = freeRow(state, column)!;
  const disc = discOf(state, playerId);
  const board = state.board.slice();
  board[row * COLUMNS + column] = disc;
  const next: ConnectFourState = { ...state, board, moves: state.moves + 1, turn: other(state, playerId) };
  const dropped: ConnectFourEvent = { type: 'dropped', playerId, column, row, disc, timedOut };
  const cells = winningCells(next, column, row);
  if (cells) {
    return finish(next, { reason: 'four', winner: playerId, cells }, [dropped, { type: 'won', playerId, cells }]);
  }
  if (next.moves === COLUMNS * ROWS) return finish(next, { reason: 'draw' }, [dropped, { type: 'draw' }]);
  return { ok: true, state: next, events: [dropped] };
}

/** `playerId` resigned or left for good: the other player wins. */
function finishByWithdrawal(state: ConnectFourState, playerId: PlayerId, reason: 'resign' | 'forfeit'): ConnectFourApplied {
  const winner = other(state, playerId);
  const withdrawn: ConnectFourEvent = reason === 'resign' ? { type: 'resigned', playerId } : { type: 'forfeited', playerId };
  return finish(state, { reason, winner }, [withdrawn, { type: 'won', playerId: winner, cells: [] }]);
}

function finish(state: ConnectFourState, result: ConnectFourResult, events: ConnectFourEvent[]): ConnectFourApplied {
  return { ok: true, state: { ...state, result, turn: '' }, events };
}

/**
 * Four cells in a row through the disc just dropped at (column, row), or undefined. A longer run
 * reports the four of it that end nearest its start while still containing the new disc.
 */
function winningCells(state: ConnectFourState, column: number, row: number): Cell[] | undefined {
  const disc = discAt(state, column, row);
  for (const [dc, dr] of DIRECTIONS) {
    const back = runLength(state, disc, column, row, -dc, -dr);
    const forward = runLength(state, disc, column, row, dc, dr);
    if (back + 1 + forward < CONNECT) continue;
    const start = -Math.min(back, CONNECT - 1);
    return Array.from({ length: CONNECT }, (_, i) => ({ column: column + (start + i) * dc, row: row + (start + i) * dr }));
  }
  return undefined;
}

/** How many discs of `disc` follow (column, row) in direction (dc, dr), not counting it. */
function runLength(state: ConnectFourState, disc: Disc | '', column: number, row: number, dc: number, dr: number): number {
  let length = 0;
  while (discAt(state, column + (length + 1) * dc, row + (length + 1) * dr) === disc) length++;
  return length;
}

/** The lowest empty row of `column`, or undefined when the column is full. */
function freeRow(state: ConnectFourState, column: number): number | undefined {
  for (let row = 0; row < ROWS; row++) if (state.board[row * COLUMNS + column] === '') return row;
  return undefined;
}

function discOf(state: ConnectFourState, playerId: PlayerId): Disc {
  return playerId === state.players[0] ? 'red' : 'yellow';
}

function other(state: ConnectFourState, playerId: PlayerId): PlayerId {
  return state.players[0] === playerId ? state.players[1] : state.players[0];
}

function refuse(code: 'NOT_A_PLAYER' | 'NOT_YOUR_TURN' | 'INVALID_ACTION' | 'GAME_OVER', message: string): ConnectFourApplied {
  return { ok: false, code, message };
}

/** The turn of the player to move (timed), or null once the match is over. */
function currentTurn(state: ConnectFourState): Turn | null {
  if (state.result) return null;
  return { playerId: state.turn, key: `move-${state.moves}`, timed: true };
}

/** Two seats, in seat order; anything else is a mistake of the host, not of a player. */
function setup(seats: readonly SeatInfo[]): ConnectFourState {
  if (seats.length !== 2) throw new RangeError(`Connect Four seats exactly 2 players, got ${seats.length}`);
  if (seats[0].id === seats[1].id) throw new RangeError('Connect Four needs two different players');
  return createGame([seats[0].id, seats[1].id]);
}

/** Connect Four for the engine host: no randomness, no options, nothing hidden (no `visible`). */
export const connectFourEngine: GameEngine<ConnectFourState, ConnectFourAction, ConnectFourEvent, ConnectFourOptions> = {
  random: false,
  setup: (_random, seats) => ({ state: setup(seats), events: [] }),
  apply,
  turn: currentTurn,
  timeout: (state, playerId) => (!state.result && state.turn === playerId ? { type: 'timeout', playerId } : undefined),
  forfeit: (state, playerId) => (!state.result && state.players.includes(playerId) ? { type: 'forfeit', playerId } : undefined),
  isOver: (state) => state.result !== null,
};
