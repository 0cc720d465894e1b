/** Turns server errors (join rejections, room `error` messages, HTTP errors) into readable text. */
import type { ErrorCode } from '../../protocol/errors';

/** Codes of the client's own: the server was unreachable, the room is gone, anything else. */
export type ClientErrorCode = 'NETWORK' | 'ROOM_GONE' | 'ERROR';

const FRIENDLY: Partial<Record<ErrorCode | ClientErrorCode, string>> = {
  UNAUTHORIZED: 'Your sign-in is no longer valid. Please sign in again.',
  WRONG_PASSWORD: 'Wrong password.',
  NOT_ALLOWED: 'You are not allowed to join this room.',
  ROOM_FULL: 'This room is full.',
  GAME_ALREADY_STARTED: 'The match has already started.',
  SPECTATORS_DISABLED: 'This room does not allow spectators.',
  INVALID_OPTIONS: 'Some room options are not valid.',
  INVALID_REQUEST: 'The request was not valid.',
  NOT_FOUND: 'Not found.',
  RATE_LIMITED: 'Slow down: too many actions at once.',
  SHUTTING_DOWN: 'The server is restarting. Try again in a moment.',
  INTERNAL: 'The server had a problem with that. Please try again.',
  INVALID_MESSAGE: 'The server did not understand that request.',
  UNKNOWN_MESSAGE: 'The server does not know that action.',
  NOT_HOST: 'Only the host can do that.',
  NOT_A_PLAYER: 'Spectators cannot do that.',
  NOT_YOUR_TURN: 'It is not your turn.',
  INVALID_ACTION: 'That is not allowed right now.',
  GAME_NOT_STARTED: 'The match has not started yet.',
  GAME_OVER: 'The match is over.',
  NOT_ENOUGH_PLAYERS: 'Not enough players to start.',
  GM_ONLY: 'Only the GM can do that.',
  INVALID_FORMULA: 'That dice formula is not valid.',
  NETWORK: 'Cannot reach the server. Check your connection.',
  ROOM_GONE: 'This room does not exist any more.',
};

/** A server error with Arena's code (e.g. WRONG_PASSWORD) and the server's own explanation. */
export class ArenaClientError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly status = 0,
  ) {
    super(describeCode(code, detail));
    this.name = 'ArenaClientError';
  }
}

/** "Wrong password." or "That dice formula is not valid (unexpected 'x' at 3)." */
export function describeCode(code: string, detail = ''): string {
  const friendly = FRIENDLY[code as ErrorCode | ClientErrorCode];
  if (!friendly) return detail ? capitalise(detail) : `Error ${code}`;
  const extra = detail.trim();
  if (!extra || sameMeaning(friendly, extra)) return friendly;
  return `${friendly.replace(/\.$/, '')}: ${extra}.`.replace(/\.\.$/, '.');
}

function sameMeaning(a: string, b: string): boolean {
  const norm = (text: string) => text.toLowerCase().replace(/[^a-z]/g, '');
  return norm(a) === norm(b);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Normalises anything thrown by colyseus.js or fetch: `ServerError` (code = HTTP status,
 * message "CODE: text"), Colyseus' own matchmaking errors (4xxx codes), network failures.
 */
export function toArenaError(error: unknown): ArenaClientError {
  if (error instanceof ArenaClientError) return error;
  const e = error as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error ?? 'unknown error');
  const status = typeof e?.code === 'number' ? e.code : 0;
  const match = /^([A-Z][A-Z_]+): ?(.*)$/s.exec(message);
  if (match) return new ArenaClientError(match[1], match[2], status);
  // Colyseus matchmaking codes: 4212 invalid room id / not found, 4213 invalid criteria, 4214 expired.
  if (status === 4212 || /not found|no rooms found/i.test(message)) return new ArenaClientError('ROOM_GONE', '', status);
  if (status === 4214 || /expired/i.test(message)) return new ArenaClientError('ROOM_GONE', 'the reservation expired', status);
  if (isNetworkError(error)) return new ArenaClientError('NETWORK', '', status);
  return new ArenaClientError('ERROR', message, status);
}

/** fetch/XHR failures (server down, offline) rather than an answer from the server. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const e = error as { type?: unknown; message?: unknown } | undefined;
  if (e && typeof e === 'object' && e.type === 'error' && !('code' in e)) return true; // XHR ProgressEvent
  return typeof e?.message === 'string' && /network|failed to fetch|load failed|ECONNREFUSED/i.test(e.message);
}
