/**
 * The message catalogue: every client → server message has a zod schema here. Payloads are
 * objects; each may carry an optional `rid` (≤ 64 chars) that error replies echo. Unknown keys
 * are rejected (INVALID_MESSAGE), so a typo never silently does nothing.
 */
import { z } from 'zod';

/** Request id echoed in `error` replies. */
export const ridSchema = z.string().max(64).optional();

/** A message schema: its own fields plus `rid`, nothing else. */
export function messageSchema<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object({ ...shape, rid: ridSchema }).strict();
}

export const userIdSchema = z.string().min(1).max(128);

/** Messages every game room understands (SPEC §4). `configure` is built from the game's options. */
export const commonMessages = {
  /** Round-trip probe: answered with `pong {t, serverTime}`. */
  ping: messageSchema({ t: z.number().finite() }),
  /** Host: start the match (needs ≥ minPlayers seated). */
  start: messageSchema({}),
  /** Host: remove a player or spectator; they cannot rejoin this room. */
  kick: messageSchema({ userId: userIdSchema }),
  /** Host: hand the host role to another seated, connected player. */
  transfer_host: messageSchema({ userId: userIdSchema }),
  /** Host, after `finished`: play again with the same seats. */
  rematch: messageSchema({}),
} as const;

/** Server → client messages of the framework. */
export interface ServerMessages {
  error: { code: string; message: string; rid?: string };
  pong: { t: number; serverTime: number };
  turn_warning: { userId: string; secondsLeft: number };
  /** Sent to a session before the server closes it: kicked, replaced by a newer session, flooding, a frame that is not a room message. */
  removed: { reason: 'kicked' | 'replaced' | 'rate_limited' | 'invalid_frame' };
}

/** Picks `rid` out of an arbitrary payload so even an invalid message's error can echo it. */
export function extractRid(payload: unknown): string | undefined {
  if (payload && typeof payload === 'object' && 'rid' in payload) {
    const rid = (payload as { rid: unknown }).rid;
    if (typeof rid === 'string' && rid.length <= 64) return rid;
  }
  return undefined;
}
