/** `GET /healthz` and `GET /metrics`. */
import express from 'express';
import { matchMaker } from '@colyseus/core';
import type { Services } from '../services';
import { registry } from '../metrics';
import { asyncRoute } from './errors';
import { version } from '../../package.json';

export function operationsRouter({ startedAt }: Services): express.Router {
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    const ready = matchMaker.state === matchMaker.MatchMakerState.READY;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ok' : 'unavailable',
      version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      processId: matchMaker.processId,
      rooms: matchMaker.stats.local.roomCount,
      clients: matchMaker.stats.local.ccu,
    });
  });

  router.get('/metrics', asyncRoute(async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  }));

  return router;
}
