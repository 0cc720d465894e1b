/** Structured logs (pino). Secrets are redacted wherever they might appear in a logged object. */
import pino from 'pino';

export type Logger = pino.Logger;

const REDACTED_PATHS = [
  'token', '*.token', 'password', '*.password', 'passwordHash', '*.passwordHash',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'headers.cookie', 'req.headers.cookie', 'jwtSecret', '*.jwtSecret', 'options.password',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
