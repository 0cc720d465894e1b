/**
 * Every error code Arena sends: in `error` messages to room clients, in `ServerError("CODE: text")`
 * join rejections, and in HTTP `{ error: { code, message } }` bodies.
 */
export const ERROR_CODES = [
  // room messages (SPEC §4)
  'INVALID_MESSAGE', 'UNKNOWN_MESSAGE', 'RATE_LIMITED', 'NOT_HOST', 'NOT_A_PLAYER', 'NOT_YOUR_TURN',
  'INVALID_ACTION', 'GAME_NOT_STARTED', 'GAME_ALREADY_STARTED', 'GAME_OVER', 'NOT_ENOUGH_PLAYERS',
  'GM_ONLY', 'INVALID_FORMULA',
  // joins and HTTP
  'UNAUTHORIZED', 'WRONG_PASSWORD', 'NOT_ALLOWED', 'ROOM_FULL', 'SPECTATORS_DISABLED',
  'INVALID_OPTIONS', 'INVALID_REQUEST', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE', 'SHUTTING_DOWN', 'TIMEOUT', 'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status that goes with a code when it is returned over HTTP or in a join rejection. */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHORIZED: 401,
  WRONG_PASSWORD: 403,
  NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROOM_FULL: 409,
  GAME_ALREADY_STARTED: 409,
  SPECTATORS_DISABLED: 409,
  RATE_LIMITED: 429,
  SHUTTING_DOWN: 503,
  TIMEOUT: 503,
  INTERNAL: 500,
};

/** An error that carries one of Arena's codes; HTTP handlers and rooms translate it for the wire. */
export class ArenaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = HTTP_STATUS[code] ?? 400,
  ) {
    super(message);
    this.name = 'ArenaError';
  }
}
