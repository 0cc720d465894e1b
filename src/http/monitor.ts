/**
 * The Colyseus monitor at `/colyseus`, behind HTTP basic auth; not mounted without a password.
 *
 * Hardened around the stock dashboard:
 * - no CORS at all, so no other origin can read it with the operator's cached credentials;
 * - room calls (`/api/room/call`) change things, so they are POST only, same-origin only, limited
 *   to the dashboard's messaging actions (disconnect a client, send it a message, broadcast),
 *   validated (400);
 *   the dashboard's own bundle is served with its GET call turned into that POST;
 * - inspecting a room shows its state as a spectator sees it (`GameRoom.getInspectData`).
 */
import fs from 'fs';
import path from 'path';
import express, { type RequestHandler } from 'express';
import { matchMaker } from '@colyseus/core';
import { monitor } from '@colyseus/monitor';
import { z } from 'zod';
import { asyncRoute, sendError } from './errors';
import { safeEqual } from '../util/safeEqual';

/**
 * Room methods the dashboard may call: its "Disconnect" and "Send" buttons for one client, and
 * "Broadcast". "Dispose room" is refused: it would end a match without a result.
 */
export const MONITOR_ROOM_CALLS = ['_forceClientDisconnect', '_sendMessageToClient', 'broadcast'] as const;

const roomCallSchema = z.object({
  roomId: z.string().min(1).max(64),
  method: z.enum(MONITOR_ROOM_CALLS),
  args: z.array(z.unknown()).max(3),
}).strict();

export function monitorRouter(credentials: { user: string; password: string }): express.Router {
  const router = express.Router();
  const bundle = patchedDashboardBundle();
  router.use(basicAuth(credentials));
  router.get('/bundle.js', (_req, res) => {
    res.type('application/javascript').send(bundle);
  });
  router.all('/api/room/call', sameOriginPost, express.json({ limit: '16kb' }), asyncRoute(async (req, res) => {
    const call = roomCallSchema.safeParse(req.body);
    if (!call.success) {
      return sendError(res, 400, 'INVALID_REQUEST', 'expected {"roomId", "method": one of ' + MONITOR_ROOM_CALLS.join(', ') + ', "args": []}');
    }
    const { roomId, method, args } = call.data;
    const [listed] = await matchMaker.query({ roomId });
    if (!listed) return sendError(res, 404, 'NOT_FOUND', `no room ${roomId}`);
    try {
      res.json((await matchMaker.remoteRoomCall(roomId, method, args)) ?? null);
    } catch {
      sendError(res, 404, 'NOT_FOUND', `room ${roomId} is not available`);
    }
  }));
  router.use(monitor());
  return router;
}

/** State-changing monitor routes: POST, from the monitor's own page (or a non-browser client). */
const sameOriginPost: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'room calls are POST requests');
  }
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const foreignOrigin = origin !== undefined && hostOf(origin) !== req.headers.host;
  if (foreignOrigin || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
    return sendError(res, 403, 'NOT_ALLOWED', 'room calls are only accepted from the monitor itself');
  }
  next();
};

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** What the dashboard's bundle does for a room call (@colyseus/monitor 0.16), and what it does here. */
const STOCK_ROOM_CALL = 'return o.set("roomId",e),o.set("method",t),o.set("args",JSON.stringify(n)),fetch(`${r}/api/room/call?${o.toString()}`)';
const POST_ROOM_CALL = 'return fetch(`${r}/api/room/call`,{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({roomId:e,method:t,args:n})})';

function patchedDashboardBundle(): string {
  const file = path.join(path.dirname(require.resolve('@colyseus/monitor')), 'static', 'bundle.js');
  const source = fs.readFileSync(file, 'utf8');
  if (!source.includes(STOCK_ROOM_CALL)) {
    throw new Error(`@colyseus/monitor changed: its dashboard's room call is not the known GET (${file}); update src/http/monitor.ts`);
  }
  return source.replace(STOCK_ROOM_CALL, POST_ROOM_CALL);
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
