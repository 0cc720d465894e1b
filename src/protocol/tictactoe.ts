/** Tic-tac-toe messages: the catalogue entry of the smallest game. */
import { z } from 'zod';
import { messageSchema } from './messages';

export const tictactoeMessages = {
  /** Put your mark on cell 0–8 (row by row). */
  place: messageSchema({ cell: z.number().int() }),
  /** Give the game up (the other player wins). */
  resign: messageSchema({}),
} as const;

/** Server → client messages of the game (besides the framework's). */
export interface TicTacToeServerMessages {
  /** The winner's user id, or 'draw'. */
  game_over: { result: string };
}
