/**
 * Cross-origin access. `@colyseus/tools` answers every route with credentialed CORS for any
 * origin; Arena removes that and allows cross-origin calls only where identity is a bearer token
 * that a foreign page cannot have: the HTTP API and Colyseus' matchmaking routes (colyseus.js
 * sends its requests with credentials, so the origin is echoed). The monitor (basic auth, which a
 * browser would attach for any page) and everything else answer no CORS at all.
 */
import type express from 'express';
import cors from 'cors';

export const apiCors = cors({
  origin: true,
  credentials: true,
  methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  allowedHeaders: ['Authorization', 'Content-Type'],
  maxAge: 600,
});

/** Takes out the blanket CORS middleware `@colyseus/tools` installs before Arena's routes. */
export function removeBlanketCors(app: express.Express): void {
  const router = (app as unknown as { _router?: { stack: Array<{ name: string }> } })._router;
  if (!router) return;
  router.stack = router.stack.filter((layer) => layer.name !== 'corsMiddleware');
}
