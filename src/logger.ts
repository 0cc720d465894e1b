/** Structured logs (pino). Secrets are redacted wherever they might appear in a logged object. */
import pino from 'pino';
import createDebug from 'debug';

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

/**
 * Colyseus' `DEBUG` output (the `debug` package) includes two namespaces that print what must
 * never reach a log: `colyseus:message` (every message payload: `configure` passwords, whispers)
 * and `colyseus:patch` (every state change, hidden card values included). They stay off whatever
 * `DEBUG` says; the other `colyseus:*` namespaces remain available for diagnosis.
 */
export const SECRET_DEBUG_NAMESPACES = ['colyseus:message', 'colyseus:patch'];

export function disableSecretDebugOutput(): void {
  const requested = createDebug.disable();
  if (requested) createDebug.enable([requested, ...SECRET_DEBUG_NAMESPACES.map((namespace) => `-${namespace}`)].join(','));
}
