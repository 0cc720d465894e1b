/** HTTP error replies: `{ error: { code, message } }` with a fitting status (SPEC §7). */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { ArenaError, type ErrorCode } from '../protocol/errors';
import { errorsSent } from '../metrics';
import { arena } from '../context';

export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  errorsSent.inc({ code });
  res.status(status).json({ error: { code, message } });
}

/** Wraps an async handler so a rejection reaches the error middleware. */
export function asyncRoute(handler: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req, res, next).catch(next);
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
};

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof ArenaError) {
    sendError(res, error.status, error.code, error.message);
  } else if (error?.type === 'entity.parse.failed' || error?.type === 'entity.too.large') {
    sendError(res, error.status ?? 400, 'INVALID_REQUEST', 'request body must be JSON of at most 16 kB');
  } else {
    arena().logger.error({ err: error, method: req.method, path: req.path }, 'unhandled HTTP error');
    sendError(res, 500, 'INTERNAL', 'internal error');
  }
};
