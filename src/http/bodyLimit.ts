/**
 * Request bodies are at most 16 kB on every route, and a bigger one is not read to its end:
 * body-parser, on its own, drains the whole oversized body before it answers 413. A declared
 * `Content-Length` over the limit is refused before a byte is read; a chunked body is cut off at
 * the limit. Either way the answer is `413 PAYLOAD_TOO_LARGE` and the connection is closed.
 */
import type { RequestHandler, Response } from 'express';
import { countRefusal } from '../metrics';
import { sendError } from './errors';

export const BODY_LIMIT_BYTES = 16 * 1024;

export const bodyLimit: RequestHandler = (req, res, next) => {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) return refuse(res);
  if (req.headers['transfer-encoding'] !== undefined) {
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > BODY_LIMIT_BYTES) {
        req.off('data', count);
        req.pause();
        refuse(res);
      }
    };
    req.on('data', count);
  }
  next();
};

function refuse(res: Response): void {
  countRefusal('body_too_large');
  res.setHeader('Connection', 'close');
  res.on('finish', () => res.req.socket.destroy());
  sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body must be at most ${BODY_LIMIT_BYTES / 1024} kB`);
}
