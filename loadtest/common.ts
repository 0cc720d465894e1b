/**
 * What the bots share: command-line flags, bot identities (tokens) and small timing helpers.
 * No server code is imported: bots talk to Arena only over HTTP and WebSocket, like any client.
 */
import fs from 'fs';
import path from 'path';
import type { Socket } from 'net';
import { Client, type Room } from 'colyseus.js';

/** `--name value`, `--name=value` and bare `--flag` (true) from argv. */
export function parseFlags(argv: readonly string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      flags[arg.slice(2)] = argv[++i];
    } else {
      flags[arg.slice(2)] = true;
    }
  }
  return flags;
}

export function numberFlag(flags: Record<string, string | true>, name: string, fallback: number, range: [number, number] = [0, Number.MAX_SAFE_INTEGER]): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < range[0] || value > range[1]) {
    throw new Error(`--${name} must be a number between ${range[0]} and ${range[1]} (got ${String(raw)})`);
  }
  return value;
}

/** ws://host:port → http://host:port (the HTTP API lives on the same port). */
export function httpEndpoint(wsEndpoint: string): string {
  return wsEndpoint.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/$/, '');
}

/** Signs an HS256 bot token (`sub`, `name`, `roles: []`) with the server's JWT_SECRET. */
export async function signBotToken(secret: string, sub: string, name: string, roles: string[] = []): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ name, roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(new TextEncoder().encode(secret));
}

export interface BotIdentity {
  id: string;
  name: string;
  token: string;
}

/**
 * Where bot tokens come from. With the server's secret (`--secret`, `JWT_SECRET`, `--secretFile`,
 * or `./data/jwt-secret`, which `npm start` generates) bots sign their own, as a game's account
 * service would; otherwise each bot asks `POST /api/auth/guest`, which allows 30 tokens at once
 * and then 2 per second per address (the bot waits and retries on 429).
 */
export function identitySource(flags: Record<string, string | true>, wsEndpoint: string, prefix: string): (index: number) => Promise<BotIdentity> {
  const secret = resolveSecret(flags);
  const run = Math.random().toString(36).slice(2, 8);
  if (secret) {
    return async (index) => {
      const id = `${prefix}-${run}-${index}`;
      const name = `${prefix}${index}`.slice(0, 24);
      return { id, name, token: await signBotToken(secret, id, name) };
    };
  }
  const base = httpEndpoint(wsEndpoint);
  return async (index) => {
    const name = `${prefix}${index}`.slice(0, 24);
    for (let attempt = 0; attempt < 600; attempt++) {
      const response = await fetch(`${base}/api/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (response.status === 429) {
        await sleep(500 + Math.random() * 500);
        continue;
      }
      if (!response.ok) throw new Error(`guest token: HTTP ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { token: string; user: { id: string; name: string } };
      return { id: body.user.id, name: body.user.name, token: body.token };
    }
    throw new Error('guest token: still rate-limited after 5 minutes (pass --secret)');
  };
}

function resolveSecret(flags: Record<string, string | true>): string | undefined {
  if (typeof flags.secret === 'string') return flags.secret;
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = typeof flags.secretFile === 'string' ? flags.secretFile : path.resolve('data/jwt-secret');
  try {
    const secret = fs.readFileSync(file, 'utf8').trim();
    return secret.length >= 32 ? secret : undefined;
  } catch {
    if (typeof flags.secretFile === 'string') throw new Error(`cannot read --secretFile ${file}`);
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A think time drawn uniformly from [0.5, 1.5] × `meanMs`, so bots do not act in lockstep. */
export function thinkDelay(meanMs: number, random: () => number = Math.random): number {
  return meanMs * (0.5 + random());
}

/** The TCP socket under a colyseus.js room (Node's `ws`), for counting bytes on the wire. */
export function roomSocket(room: Room): Socket | undefined {
  const transport = (room.connection as unknown as { transport?: { ws?: { _socket?: Socket } } }).transport;
  return transport?.ws?._socket;
}

/** Joins the room a bot plays in: the one given by `--roomId`, else a quick-match room. */
export async function joinBotRoom(options: { endpoint: string; roomId?: string; roomName: string }, token: string, maxPlayers: number): Promise<Room> {
  const client = new Client(options.endpoint);
  client.auth.token = token;
  return options.roomId ? client.joinById(options.roomId) : client.joinOrCreate(options.roomName, { mode: 'quick', maxPlayers });
}
