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

/** A join refused with one of Arena's codes: `ServerError(status, "CODE: text")` (anything else passes through). */
export function joinRefusal(error: unknown): unknown {
  if (!(error instanceof ArenaError)) return error;
  errorsSent.inc({ code: error.code });
  return new ServerError(error.status, `${error.code}: ${error.message}`);
}
