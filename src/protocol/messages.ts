/**
 * The message catalogue: every client → server message has a zod schema here. Payloads are
 * objects; each may carry an optional `rid` (≤ 64 chars) that error replies echo. Unknown keys
 * are rejected (INVALID_MESSAGE), so a typo never silently does nothing.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors';

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

/**
 * What a client sends for each message of a catalogue: the schema's input (before trimming,
 * transforms and defaults), `rid` included.
 */
export type ClientMessages<Catalogue extends Record<string, z.ZodTypeAny>> = { [Type in keyof Catalogue]: z.input<Catalogue[Type]> };

/**
 * `configure` (host, while waiting): the options to change, each as in the create options (the
 * game's own too); `password: null` removes the password. Its schema is built per game from the
 * room's option schemas (src/rooms/options.ts), so only its shape is declared here.
 */
export interface ConfigureMessage {
  [option: string]: unknown;
  password?: string | null;
  rid?: string;
}

/** Client → server messages every game room understands. */
export type CommonClientMessages = ClientMessages<typeof commonMessages> & { configure: ConfigureMessage };

/**
 * Server → client messages of the framework (every game room; the lobby sends `error` and
 * `removed` too). A game's own are in its catalogue file (e.g. `CaboServerMessages`).
 */
export interface ServerMessages {
  /** Reply to a message that was refused (`rid` echoes the message's), or a rate-limit warning. */
  error: { code: ErrorCode; message: string; rid?: string };
  /** Reply to `ping`. */
  pong: { t: number; serverTime: number };
  /** The player whose turn it is has `secondsLeft` seconds left. */
  turn_warning: { userId: string; secondsLeft: number };
  /** Sent to a session before the server closes it: kicked, replaced by a newer session, flooding, a frame that is not a room message. */
  removed: { reason: 'kicked' | 'replaced' | 'rate_limited' | 'invalid_frame' };
  /**
   * Broadcast before the room closes every connection: `idle` (no message for `idleSeconds`: the
   * room is gone), `shutdown` (the process stops; the room comes back, rejoin by code) or `moved`
   * (the room continues in another process; rejoin by code).
   */
  closing: { reason: 'idle' | 'shutdown' | 'moved' };
}

/** Picks `rid` out of an arbitrary payload so even an invalid message's error can echo it. */
export function extractRid(payload: unknown): string | undefined {
  if (payload && typeof payload === 'object' && 'rid' in payload) {
    const rid = (payload as { rid: unknown }).rid;
    if (typeof rid === 'string' && rid.length <= 64) return rid;
  }
  return undefined;
}
