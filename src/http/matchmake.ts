/**
 * Colyseus' matchmaking routes (`POST /matchmake/:method/:roomName`), served by Arena's HTTP
 * stack instead of Colyseus' own request hook, which read any body of any size before checking
 * anything, answered no other method, and took every URL that merely contained "/matchmake".
 *
 * Here: exact routes only (404 elsewhere, 405 for other methods), a bearer token verified before
 * any work (401), a 16 kB body limit enforced while reading (413), the per-route request timeout
 * of every route. Answers keep Colyseus' wire format, which colyseus.js reads: a seat reservation,
 * or `{ code, error }` (matchmaking refusals with status 200, as Colyseus sends them; Arena's own
 * refusals with their HTTP status).
 */
import express, { type Request, type Response } from 'express';
import { matchMaker } from '@colyseus/core';
import type { TokenService } from '../auth/tokens';
import { ArenaError, type ErrorCode } from '../protocol/errors';
import { countRefusal, errorsSent } from '../metrics';
import { apiCors } from './cors';
import { bearerToken } from './auth';
import { TurnTaking } from '../util/turnTaking';

/** The methods colyseus.js calls (`matchMaker.controller.exposedMethods`). */
const METHODS = new Set(['joinOrCreate', 'create', 'join', 'joinById', 'reconnect']);
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A quick join that takes longer (a room creation waiting on storage) no longer holds up the next. */
const QUICK_JOIN_TURN_LIMIT_MS = 1000;

export function matchmakeRouter(tokens: TokenService): express.Router {
  const router = express.Router();
  // Quick-match joins of one game take turns in this process. Concurrent ones would all pick the
  // same open room and all but the winners of its last seats be refused; Colyseus retries each
  // loser after a random 0–0.8 s, then 0–1.6 s, 0–3.2 s…, so a burst of joiners waited seconds
  // (and a Node client drops a request after 5 s). In turn, each finds the room as the last left it.
  const quickJoins = new TurnTaking(QUICK_JOIN_TURN_LIMIT_MS);
  router.use('/matchmake', apiCors);
  router.post('/matchmake/:method/:roomName', authenticate(tokens), express.json({ limit: '16kb', type: () => true }), (req, res) => {
    void reserveSeat(req, res, quickJoins);
  });
  router.all('/matchmake/:method/:roomName', (req, res) => {
    res.setHeader('Allow', 'POST, OPTIONS');
    reply(res, 405, 'METHOD_NOT_ALLOWED', 'matchmaking requests are POST requests');
  });
  router.all(['/matchmake', '/matchmake/*'], (req, res) => reply(res, 404, 'NOT_FOUND', `no matchmaking route ${req.method} ${req.path}`));
  return router;
}

/** Exact method and room name, then a valid token, before the body is even read. */
const authenticate = (tokens: TokenService) => async (req: Request, res: Response, next: express.NextFunction): Promise<void> => {
  if (!METHODS.has(req.params.method) || !ROOM_NAME.test(req.params.roomName)) {
    return reply(res, 404, 'NOT_FOUND', `no matchmaking route ${req.method} ${req.path}`);
  }
  if (matchMaker.state === matchMaker.MatchMakerState.SHUTTING_DOWN) {
    return reply(res, 503, 'SHUTTING_DOWN', 'the server is shutting down');
  }
  try {
    res.locals.userId = (await tokens.verify(bearerToken(req))).id;
  } catch (error) {
    if (!(error instanceof ArenaError)) return next(error);
    countRefusal('unauthenticated');
    return reply(res, error.status, error.code, error.message);
  }
  next();
};

async function reserveSeat(req: Request, res: Response, quickJoins: TurnTaking): Promise<void> {
  const options = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {};
  const { method, roomName } = req.params;
  const reserve = () => matchMaker.controller.invokeMethod(method, roomName, options, { token: bearerToken(req), headers: req.headers, ip: req.ip ?? '', req });
  const quick = (method === 'joinOrCreate' || method === 'join') && options.mode === 'quick' && options.spectate !== true;
  const userId = res.locals.userId as string;
  if (quick && quickJoins.waiting.has(userId)) {
    // One waiting quick join per user: a flood of them from one token must not queue up before everyone else's.
    countRefusal('quick_joins');
    return reply(res, 429, 'RATE_LIMITED', 'a quick-match join of yours is still being served; wait for its answer');
  }
  try {
    const reservation = await (quick ? quickJoins.inTurn(roomName, reserve, userId) : reserve());
    res.json(reservation);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    res.json({ code: typeof code === 'number' ? code : 500, error: typeof message === 'string' ? message : 'matchmaking failed' });
  }
}

/** Arena's own refusal in Colyseus' matchmaking format (`error` is what colyseus.js reports). */
function reply(res: Response, status: number, code: ErrorCode, message: string): void {
  errorsSent.inc({ code });
  if (res.headersSent) return;
  res.status(status).json({ code: status, error: `${code}: ${message}` });
}

