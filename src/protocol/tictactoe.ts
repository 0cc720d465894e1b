/** Tic-tac-toe messages and state: the catalogue entry of the smallest game. */
import { z } from 'zod';
import { messageSchema, type ClientMessages } from './messages';
import type { GameStateView, SchemaArray } from './state';

export const tictactoeMessages = {
  /** Put your mark on cell 0–8 (row by row). */
  place: messageSchema({ cell: z.number().int() }),
  /** Give the game up (the other player wins). */
  resign: messageSchema({}),
} as const;

/** What a client sends, by message type. */
export type TicTacToeClientMessages = ClientMessages<typeof tictactoeMessages>;

/** Server → client messages of the game (besides the framework's). */
export interface TicTacToeServerMessages {
  /** The winner's user id, or 'draw'. */
  game_over: { result: string };
}

/** `TicTacToeState` (src/rooms/schema/TicTacToeState.ts, checked by conformance.ts). */
export interface TicTacToeStateView extends GameStateView {
  /** Nine cells, row by row: 'X', 'O' or ''. */
  readonly board: SchemaArray<string>;
  /** Player ids by mark: [X, O]. */
  readonly marks: SchemaArray<string>;
  /** Winner's user id, 'draw', or '' while playing. */
  readonly result: string;
}
