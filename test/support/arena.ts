/**
 * Boots a real Arena (the same `arenaConfig` as production) with `@colyseus/testing` on a free
 * port, and hands out guest identities and colyseus.js clients.
 */
import '../../src/config'; // the environment guard must run before @colyseus/tools loads
import fs from 'fs';
import os from 'os';
import path from 'path';
import net from 'net';
import crypto from 'crypto';
import { strict as assert } from 'assert';
import { boot, type ColyseusTestServer } from '@colyseus/testing';
import { Client } from 'colyseus.js';
import { arenaConfig } from '../../arena.config';
import type { Settings } from '../../src/config';
import type { User } from '../../src/auth/tokens';
import type { Services } from '../../src/services';
import { GAMES } from '../../arena.config';
import { counter } from './CounterRoom';
import { DEFAULT_LIMITS } from '../../src/limits/userLimits';
import { Probe } from './probe';

export interface Guest {
  token: string;
  user: User;
}

export interface HttpReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestArena {
  colyseus: ColyseusTestServer;
  settings: Settings;
  /** The process's services (storage, logger, tokens…), as the rooms and routes use them. */
  services: Services;
  baseUrl: string;
  wsUrl: string;
  /** A fresh guest identity (token signed by this server's secret). */
  guest(name?: string, roles?: string[]): Promise<Guest>;
  /** A colyseus.js client that authenticates as `guest`. */
  client(guest?: Guest): Client;
  /** JSON request against the HTTP API. */
  http<T = any>(method: string, route: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpReply<T>>;
  /** Stops the server; its data directory is deleted unless `keepData`. */
  shutdown(options?: { keepData?: boolean }): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'arena-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startArena(overrides: Partial<Settings> = {}): Promise<TestArena> {
  const port = overrides.port ?? (await freePort());
  const settings: Settings = {
    port,
    dataDir: tempDir(),
    jwtSecret: crypto.randomBytes(32).toString('base64url'),
    jwtSecretGenerated: false,
    databaseSchema: 'public',
    leaseSeconds: 30,
    trustProxy: false,
    limits: DEFAULT_LIMITS,
    logLevel: (process.env.TEST_LOG_LEVEL as Settings['logLevel']) ?? 'silent',
    ...overrides,
  };
  // The framework's fixture game (`counter`) is served beside the real ones, restorable like them.
  const config = arenaConfig(settings, [...GAMES, counter]);
  const colyseus = await boot(config, port);
  const baseUrl = `http://127.0.0.1:${port}`;
  let guests = 0;

  return {
    colyseus,
    settings,
    services: config.services,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    async guest(name = `player${++guests}`, roles: string[] = []) {
      const issued = await config.services.tokens.issueGuest(name);
      if (roles.length === 0) return issued;
      return { token: await signToken(settings.jwtSecret, { sub: issued.user.id, name, roles }), user: { ...issued.user, roles } };
    },
    client(guest?: Guest) {
      const client = new Client(`ws://127.0.0.1:${port}`);
      if (guest) client.auth.token = guest.token;
      return client;
    },
    http: (method, route, options) => httpJson(baseUrl, method, route, options),
    async shutdown({ keepData = false } = {}) {
      await colyseus.shutdown();
      if (!keepData) fs.rmSync(settings.dataDir, { recursive: true, force: true });
    },
  };
}

export async function httpJson(baseUrl: string, method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(`${baseUrl}${route}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/**
 * Polls `read` until `done` holds for its value, which it returns: for effects a test cannot
 * observe through a probe (HTTP answers, storage). At most `attempts` reads, `intervalMs` apart;
 * then it throws with `label` and the last value.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, label: string, { attempts = 100, intervalMs = 50 } = {}): Promise<T> {
  let value = await read();
  for (let attempt = 1; !done(value); attempt++) {
    if (attempt >= attempts) throw new Error(`${label}: not after ${attempts} polls ${intervalMs} ms apart (last: ${JSON.stringify(value)?.slice(0, 300)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/**
 * The caller's archived games (summaries, newest first, from `GET /api/me/games`), polled until
 * `count` are there, or with `count = { code }` until one of room `code` is: the archive write
 * after a match or session ends is asynchronous. Throws after 5 s (see {@link eventually}).
 */
export async function archivedGames(baseUrl: string, token: string, count: number | { code: string } = 1): Promise<any[]> {
  const enough = typeof count === 'number' ? (games: any[]) => games.length >= count : (games: any[]) => games.some((game) => game.code === count.code);
  const read = async () => {
    const reply = await httpJson(baseUrl, 'GET', '/api/me/games', { token });
    if (reply.status !== 200) throw new Error(`GET /api/me/games answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body.games as any[];
  };
  return eventually(read, enough, typeof count === 'number' ? `${count} archived games` : `the archived game of room ${count.code}`);
}

/**
 * The archived game of room `code` as `token`'s user sees it (`GET /api/games/:id`: summary plus
 * the game's presented `data`), once it is archived (see {@link archivedGames}).
 */
export async function archivedGame(baseUrl: string, token: string, code: string): Promise<any> {
  const summary = (await archivedGames(baseUrl, token, { code })).find((game) => game.code === code);
  const reply = await httpJson(baseUrl, 'GET', `/api/games/${summary.id}`, { token });
  assert.equal(reply.status, 200, `GET /api/games/${summary.id}`);
  return reply.body.game;
}

/** Signs an HS256 token as another service sharing the secret would (or a forger with another one). */
export async function signToken(secret: string, claims: Record<string, unknown>, expiresIn = '1h'): Promise<string> {
  const { SignJWT } = await import('jose');
  const { sub, ...rest } = claims;
  let jwt = new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (!('exp' in rest)) jwt = jwt.setExpirationTime(expiresIn);
  if (typeof sub === 'string') jwt = jwt.setSubject(sub);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A joined client: its identity, room and probe. */
export interface Seated {
  guest: Guest;
  room: import('colyseus.js').Room;
  probe: Probe;
}

/** Joins `code` as a new guest (or `guest`) and waits for the first state. */
export async function joinRoom(arena: TestArena, code: string, options: Record<string, unknown> = {}, guest?: Guest): Promise<Seated> {
  const identity = guest ?? (await arena.guest());
  const room = await arena.client(identity).joinById(code, options);
  const probe = new Probe(room);
  await probe.until(() => room.state !== undefined && (room.state as any).code === code, 'first state');
  return { guest: identity, room, probe };
}

/** Creates a room of `game` as a new guest through colyseus.js `create`, and waits for its state. */
export async function createRoom(arena: TestArena, game: string, options: Record<string, unknown> = {}, guest?: Guest): Promise<Seated> {
  const identity = guest ?? (await arena.guest());
  const room = await arena.client(identity).create(game, options);
  const probe = new Probe(room);
  await probe.until(() => room.state !== undefined && (room.state as any).code === room.roomId, 'first state');
  return { guest: identity, room, probe };
}

/** Server-side state as JSON, without `lastActivity` (which every message moves on purpose). */
export function serverState(arena: TestArena, code: string): Record<string, unknown> {
  const { lastActivity: _ignored, ...state } = arena.colyseus.getRoomById(code).state.toJSON();
  return state;
}

/**
 * Sends `type` with `payload` from `seat`, which the server must refuse with an `error` of `code`
 * (echoing the message's `rid`, with a text), and proves the room's server state did not change.
 * `unchanged` names more server-side values that must stay the same (compared with `===`), such
 * as a game's rules state or action log length. Returns the error.
 */
export async function rejected(
  arena: TestArena,
  seat: Seated,
  type: string,
  payload: unknown,
  code: string,
  unchanged: Record<string, () => unknown> = {},
): Promise<{ code: string; message: string; rid?: string }> {
  const room = seat.room.roomId;
  const before = serverState(arena, room);
  const values = Object.entries(unchanged).map(([label, read]) => [label, read(), read] as const);
  const error = await seat.probe.expectError(type, payload);
  assert.equal(error.code, code, `${type} ${JSON.stringify(payload)?.slice(0, 80)} → ${error.code}: ${error.message}`);
  assert.equal(typeof error.message, 'string');
  assert.deepEqual(serverState(arena, room), before, `${type}: state changed`);
  for (const [label, value, read] of values) assert.equal(read(), value, `${type}: ${label} changed`);
  return error;
}

/** Creates a room of `game` and seats `players` guests (the first is host); waits until the host sees them all. */
export async function seatTable(arena: TestArena, game: string, players: number, options: Record<string, unknown> = {}): Promise<Seated[]> {
  const host = await createRoom(arena, game, options);
  const seated = [host];
  for (let i = 1; i < players; i++) seated.push(await joinRoom(arena, host.room.roomId));
  await host.probe.stateWhere((state: any) => state.players.size === players, `${players} players seated`);
  return seated;
}
