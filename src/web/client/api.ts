/** JSON requests to Arena's HTTP API (paths relative to the page, so the client works under a sub-path). */
import { ArenaClientError, toArenaError } from './errors';
import type { GuestReply, MeReply } from '../../protocol/http';
import type { RoomSummary } from '../../protocol/rooms';

/** Base URL of the server: the page's URL without hash, query or file name. */
export function serverBase(): URL {
  return new URL('.', window.location.href.split('#')[0]);
}

export async function request<T>(method: string, route: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(route.replace(/^\//, ''), serverBase()), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    throw toArenaError(error);
  }
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const body = data as { error?: { code?: string; message?: string } } | undefined;
    const code = body?.error?.code ?? (response.status >= 500 ? 'INTERNAL' : 'ERROR');
    throw new ArenaClientError(code, body?.error?.message ?? `${response.status} ${response.statusText}`, response.status);
  }
  return data as T;
}

export const api = {
  guest: (name: string) => request<GuestReply>('POST', 'api/auth/guest', { body: { name } }),
  me: (token: string) => request<MeReply>('GET', 'api/auth/me', { token }),
  room: (code: string) => request<{ room: RoomSummary }>('GET', `api/rooms/${encodeURIComponent(code)}`),
  myRooms: (token: string) => request<{ rooms: RoomSummary[] }>('GET', 'api/me/rooms', { token }),
};
