/** Connect Four messages. */
import { z } from 'zod';
import { messageSchema } from './messages';
import type { GameStateView, SchemaArray } from './state';

export const connectFourMessages = {
  /** Drop a disc into column 0–6 (it lands on the lowest free row). */
  drop: messageSchema({ column: z.number().int() }),
  /** Give the game up (the other player wins). */
  resign: messageSchema({}),
} as const;

/** Server → client messages of the game (besides the framework's). */
export interface ConnectFourServerMessages {
  /** `winner` is a user id, or '' for a draw; `cells` the four in a row, if any. */
  game_over: { winner: string; cells: Array<{ column: number; row: number }> };
}

/** `ConnectFourState` (src/rooms/schema/ConnectFourState.ts, checked by conformance.ts). */
export interface ConnectFourStateView extends GameStateView {
  /** 7 × 6 cells, bottom row first (cell (column, row) at `row * 7 + column`): 'red', 'yellow' or ''. */
  readonly board: SchemaArray<string>;
  /** Player ids by colour: [red, yellow]. */
  readonly discs: SchemaArray<string>;
  /** Winner's user id, 'draw', or '' while playing. */
  readonly result: string;
  /** The four winning cells as board indexes (empty otherwise). */
  readonly winningCells: SchemaArray<number>;
}
