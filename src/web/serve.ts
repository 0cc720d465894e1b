/**
 * Serves the built browser client (`dist/web/`, see `build.ts`) at `/`: static files, and
 * `index.html` for any other GET that is not an API or operations path (client-side routes).
 * Without a build it answers 503 "run npm run build" instead of failing.
 */
import fs from 'fs';
import path from 'path';
import express from 'express';
import { WEB_ROOT } from './paths';

/** Paths that belong to the server, never to the client's fallback. */
const SERVER_PATHS = /^\/(api|healthz|metrics|colyseus|matchmake|__healthcheck)(\/|$)/;

export function webClient(root: string = WEB_ROOT): express.Router {
  const router = express.Router();
  const index = path.join(root, 'index.html');

  // index.html names its assets with a content hash (`app.js?v=…`): those may be cached for good;
  // anything else is revalidated (ETag) on every load.
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.setHeader('Cache-Control', typeof req.query.v === 'string' ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    next();
  });
  router.use(express.static(root, { index: false, fallthrough: true, redirect: false, cacheControl: false }));

  router.get('*', (req, res, next) => {
    // Only page routes: server paths and missing assets (a name with an extension) are not pages.
    if (SERVER_PATHS.test(req.path) || path.extname(req.path) !== '') return next();
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The web client is not built: run npm run build\n');
      return;
    }
    res.sendFile(index);
  });

  return router;
}
