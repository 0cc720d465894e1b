/**
 * The Colyseus monitor at `/colyseus`, behind HTTP basic auth. Not mounted without a password.
 * Its generic `room/call` endpoint would let an admin invoke any room method, so only the two the
 * dashboard uses are let through.
 */
import express, { type RequestHandler } from 'express';
import { monitor } from '@colyseus/monitor';
import { sendError } from './errors';
import { safeEqual } from '../util/safeEqual';

const MONITOR_ROOM_CALLS = new Set(['_forceClientDisconnect', '_sendMessageToClient']);

export function monitorRouter(credentials: { user: string; password: string }): express.Router {
  const router = express.Router();
  router.use(basicAuth(credentials));
  router.use('/api/room/call', (req, res, next) => {
    if (MONITOR_ROOM_CALLS.has(String(req.query.method))) return next();
    sendError(res, 403, 'NOT_ALLOWED', 'this room method cannot be called from the monitor');
  });
  router.use(monitor());
  return router;
}

function basicAuth({ user, password }: { user: string; password: string }): RequestHandler {
  const expected = Buffer.from(`${user}:${password}`);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64') : Buffer.alloc(0);
    if (safeEqual(given, expected)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="Arena monitor", charset="UTF-8"');
    sendError(res, 401, 'UNAUTHORIZED', 'monitor credentials required');
  };
}
