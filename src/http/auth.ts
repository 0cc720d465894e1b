/** `POST /api/auth/guest` and the bearer-token guards for authenticated routes. */
import express, { type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { displayNameSchema, type TokenService, type User } from '../auth/tokens';
import { ArenaError } from '../protocol/errors';
import type { Services } from '../services';
import { asyncRoute } from './errors';

const guestRequestSchema = z.object({ name: displayNameSchema });

export function authRouter({ tokens, limits }: Services): express.Router {
  const router = express.Router();

  router.post('/guest', asyncRoute(async (req, res) => {
    // Guest tokens are free to mint: each client address (as TRUST_PROXY says) gets an allowance.
    await limits.guestSignIn(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const body = guestRequestSchema.safeParse(req.body);
    if (!body.success) throw new ArenaError('INVALID_REQUEST', body.error.issues[0].message);
    res.status(201).json(await tokens.issueGuest(body.data.name));
  }));

  /** Who the bearer token says the caller is; lets a client check a stored token. */
  router.get('/me', requireUser(tokens), (req, res) => {
    res.json({ user: (req as AuthedRequest).user });
  });

  return router;
}

/** Authenticated request: `req.user` is set by `requireUser`. */
export type AuthedRequest = Request & { user: User };

/** The token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** Verifies `Authorization: Bearer <token>` with the same function rooms use. */
export function requireUser(tokens: TokenService): RequestHandler {
  return asyncRoute(async (req, _res, next) => {
    (req as AuthedRequest).user = await tokens.verify(bearerToken(req));
    next();
  });
}

/** Like `requireUser` when a token is sent (a bad one is still 401); anonymous otherwise. */
export function optionalUser(tokens: TokenService): RequestHandler {
  return asyncRoute(async (req, _res, next) => {
    if (req.headers.authorization !== undefined) (req as AuthedRequest).user = await tokens.verify(bearerToken(req));
    next();
  });
}
