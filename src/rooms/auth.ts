/** Token check shared by every room's static `onAuth` (runs in the matchmaker, before a seat is reserved). */
import { ServerError } from '@colyseus/core';
import type { TokenService, User } from '../auth/tokens';
import { ArenaError } from '../protocol/errors';
import { errorsSent } from '../metrics';

/** Rejects with `ServerError(401, "UNAUTHORIZED: …")` unless the token is valid. */
export async function authenticateRoomToken(tokens: TokenService, token: string | undefined): Promise<User> {
  try {
    return await tokens.verify(token);
  } catch (error) {
    throw joinRefusal(error);
  }
}

/**
 * The join options the server decides, whatever the client sent (rewritten in the matchmaker,
 * before a room is found or created): who creates (host-to-be), whether the join needs an open
 * seat (the matchmaking filter), and never a restore (only the cluster restores rooms).
 */
export function serverDecidedOptions(options: Record<string, unknown>, user: User, restoreOption: string): void {
  if (!options || typeof options !== 'object') return;
  delete options[restoreOption];
  options.creatorId = user.id;
  if (options.spectate === true) delete options.seatsOpen;
  else options.seatsOpen = true;
}

/** A join refused with one of Arena's codes: `ServerError(status, "CODE: text")` (anything else passes through). */
export function joinRefusal(error: unknown): unknown {
  if (!(error instanceof ArenaError)) return error;
  errorsSent.inc({ code: error.code });
  return new ServerError(error.status, `${error.code}: ${error.message}`);
}
