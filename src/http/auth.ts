/** `POST /api/auth/guest` and the bearer-token guard for authenticated routes. */
import express, { type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { arena } from '../context';
import { displayNameSchema, type User } from '../auth/tokens';
import { ArenaError } from '../protocol/errors';
import { asyncRoute } from './errors';
import { createTokenBucket } from '../util/tokenBucket';

const guestRequestSchema = z.object({ name: displayNameSchema });

/** Guest tokens are free to mint, so each client IP gets a modest allowance. */
const GUEST_BUCKET = { ratePerSecond: 2, burst: 30 };

export function authRouter(): express.Router {
  const router = express.Router();
  const buckets = new Map<string, ReturnType<typeof createTokenBucket>>();

  router.post('/guest', asyncRoute(async (req, res) => {
    const ip = req.ip ?? 'unknown';
    const bucket = buckets.get(ip) ?? createTokenBucket(GUEST_BUCKET);
    buckets.set(ip, bucket);
    if (!bucket.take()) throw new ArenaError('RATE_LIMITED', 'too many guest sign-ins; retry in a few seconds');
    if (buckets.size > 10_000) buckets.clear(); // bounded memory; a reset only forgives

    const body = guestRequestSchema.safeParse(req.body);
    if (!body.success) throw new ArenaError('INVALID_REQUEST', body.error.issues[0].message);
    res.status(201).json(await arena().tokens.issueGuest(body.data.name));
  }));

  /** Who the bearer token says the caller is; lets a client check a stored token. */
  router.get('/me', requireUser, (req, res) => {
    res.json({ user: (req as AuthedRequest).user });
  });

  return router;
}

/** Authenticated request: `req.user` is set by `requireUser`. */
export type AuthedRequest = Request & { user: User };

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** Verifies `Authorization: Bearer <token>` with the same function rooms use. */
export const requireUser: RequestHandler = asyncRoute(async (req, _res, next) => {
  (req as AuthedRequest).user = await arena().tokens.verify(bearerToken(req));
  next();
});

/** Like `requireUser` when a token is sent (a bad one is still 401); anonymous otherwise. */
export const optionalUser: RequestHandler = asyncRoute(async (req, _res, next) => {
  if (req.headers.authorization !== undefined) (req as AuthedRequest).user = await arena().tokens.verify(bearerToken(req));
  next();
});
