/** Connect Four messages. */
import { z } from 'zod';
import { messageSchema } from './messages';

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
