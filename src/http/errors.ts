/** HTTP error replies: `{ error: { code, message } }` with a fitting status (SPEC §7). */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { ArenaError, ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../protocol/errors';
import { countRefusal, errorsSent } from '../metrics';
import type { Logger } from '../logger';

/** A route that has not answered after this long answers 503 (its work may still finish). */
export const RESPONSE_TIMEOUT_MS = 10_000;

export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  errorsSent.inc({ code });
  if (res.headersSent) return;
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

/**
 * Every request gets an answer within RESPONSE_TIMEOUT_MS, whatever a handler (or a stalled
 * upload) waits for; the connection is closed after it, so a half-sent body holds nothing.
 */
export const responseDeadline: RequestHandler = (req, res, next) => {
  const timer = setTimeout(() => {
    countRefusal('request_timeout');
    if (res.headersSent) return void req.socket.destroy();
    res.setHeader('Connection', 'close');
    res.on('finish', () => req.socket.destroy());
    sendError(res, 503, 'TIMEOUT', 'the server could not answer in time; retry');
  }, RESPONSE_TIMEOUT_MS);
  timer.unref();
  res.on('close', () => clearTimeout(timer));
  next();
};

/** What a client got wrong, by the status body-parser, express and http-errors set (4xx only). */
const CLIENT_ERRORS: Record<number, { code: ErrorCode; message: string }> = {
  400: { code: 'INVALID_REQUEST', message: 'malformed request' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'request body must be at most 16 kB' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request bodies are JSON in UTF-8, uncompressed or gzip/deflate' },
};

/**
 * A room's refusal (`ServerError(status, "CODE: text")`, e.g. from `matchMaker.createRoom`, also
 * when it crossed processes and arrives as a plain error) as an ArenaError.
 */
function fromRoomRefusal(error: unknown): ArenaError | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(message);
  if (!match || !(ERROR_CODES as readonly string[]).includes(match[1])) return undefined;
  const status = typeof code === 'number' && code >= 400 && code < 600 ? code : HTTP_STATUS[match[1] as ErrorCode] ?? 400;
  return new ArenaError(match[1] as ErrorCode, match[2], status);
}

/** The last handler: an error's answer, logged only when it is the server's fault. */
export const errorHandler = (logger: Logger): ErrorRequestHandler => (error, req, res, _next) => {
  const refusal = error instanceof ArenaError ? error : fromRoomRefusal(error);
  if (refusal) return sendError(res, refusal.status, refusal.code, refusal.message);
  const status = Number(error?.status ?? error?.statusCode);
  if (status >= 400 && status < 500) {
    // The client's mistake (bad JSON, unknown charset or encoding, bad gzip, a malformed %-escape):
    // not the server's, so no stack in the log.
    logger.debug({ method: req.method, path: req.path, status, reason: error?.type ?? error?.message }, 'refused a malformed request');
    countRefusal(status === 413 ? 'body_too_large' : 'bad_request');
    const known = CLIENT_ERRORS[status] ?? CLIENT_ERRORS[400];
    const message = error?.type === 'entity.parse.failed' ? 'request body must be valid JSON' : known.message;
    return sendError(res, status, known.code, message);
  }
  logger.error({ err: error, method: req.method, path: req.path }, 'unhandled HTTP error');
  sendError(res, 500, 'INTERNAL', 'internal error');
};
