import type { RequestHandler } from 'express';
import { httpDuration } from '../metrics';

/** Records each request's latency under its route pattern (never the raw path: bounded labels). */
export const httpMetrics: RequestHandler = (req, res, next) => {
  const stop = httpDuration.startTimer({ method: req.method });
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
    stop({ route, status: String(res.statusCode) });
  });
  next();
};
