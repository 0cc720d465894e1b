/**
 * What one user (or one client address) may take of a deployment, whichever process they reach:
 * guest sign-ins per address, room creations per minute, open rooms and simultaneous connections
 * per user. Counters live in Redis when `REDIS_URL` is set (shared by every process), else in
 * this process. A refusal is an `ArenaError('RATE_LIMITED')`: HTTP `429`, joins
 * `ServerError(429, "RATE_LIMITED: …")`.
 */
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LocalPresence, matchMaker, type Presence } from '@colyseus/core';
import { ArenaError } from '../protocol/errors';
import { countRefusal } from '../metrics';

/** The configurable limits (README "Limits"). */
export interface LimitSettings {
  /** Guest tokens one client address may mint in a burst… */
  guestSignInBurst: number;
  /** …and per second after it. */
  guestSignInsPerSecond: number;
  /** Rooms one user may create per minute (HTTP and `client.create`/`joinOrCreate` alike). */
  roomCreationsPerMinute: number;
  /** Rooms one user created that are still open for players (waiting, or a session). */
  maxOpenRoomsPerUser: number;
  /** WebSocket connections (rooms and lobby) one user may hold at once. */
  maxConnectionsPerUser: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  guestSignInBurst: 30,
  guestSignInsPerSecond: 2,
  roomCreationsPerMinute: 10,
  maxOpenRoomsPerUser: 5,
  maxConnectionsPerUser: 20,
};

/** A crashed process's bookkeeping lapses after this long. */
const BOOKKEEPING_TTL_SECONDS = 6 * 3600;
/** How long the list of live processes is reused when counting a user's connections. */
const LIVE_PROCESSES_CACHE_MS = 5000;

const openRoomsKey = (userId: string) => `arena:open-rooms:${userId}`;
const connectionsKey = (userId: string) => `arena:connections:${userId}`;

export class UserLimits {
  private readonly guestSignIns: RateLimiterAbstract;
  private readonly creations: RateLimiterAbstract;
  private liveProcesses?: { at: number; ids: Promise<Set<string>> };

  constructor(
    readonly settings: LimitSettings,
    redis?: Redis,
  ) {
    this.guestSignIns = limiter(redis, 'arena:rl:guest', settings.guestSignInBurst, settings.guestSignInBurst / settings.guestSignInsPerSecond);
    this.creations = limiter(redis, 'arena:rl:create', settings.roomCreationsPerMinute, 60);
  }

  /** One guest sign-in from `address`. */
  async guestSignIn(address: string): Promise<void> {
    await consume(this.guestSignIns, address, 'guest_sign_ins', 'too many guest sign-ins from your address');
  }

  /**
   * A user is about to create a room: within their creations per minute, and below their open
   * rooms (codes of rooms that no longer exist, e.g. of a crashed process, are dropped when found).
   */
  async roomCreation(presence: Presence, userId: string): Promise<void> {
    const open = openRoomsKey(userId);
    if ((await presence.scard(open)) >= this.settings.maxOpenRoomsPerUser) {
      for (const code of await presence.smembers(open)) {
        const [room] = await matchMaker.query({ roomId: code });
        if (!room) await presence.srem(open, code);
      }
      if ((await presence.scard(open)) >= this.settings.maxOpenRoomsPerUser) {
        countRefusal('open_rooms');
        throw new ArenaError('RATE_LIMITED', `you already have ${this.settings.maxOpenRoomsPerUser} open rooms; start or close one first`);
      }
    }
    await consume(this.creations, userId, 'room_creations', `at most ${this.settings.roomCreationsPerMinute} rooms per minute`);
  }

  /** A room its creator holds open (waiting for players, or a session that admits them). */
  async roomOpened(presence: Presence, userId: string, code: string): Promise<void> {
    await presence.sadd(openRoomsKey(userId), code);
    await lapseLater(presence, openRoomsKey(userId));
  }

  /** The room's match started or the room closed: it no longer counts as open. */
  async roomNoLongerOpen(presence: Presence, userId: string, code: string): Promise<void> {
    await presence.srem(openRoomsKey(userId), code);
  }

  /**
   * Takes one of the user's connections, or refuses when they hold the maximum on all processes
   * together. Counts are kept per process, so a dead process's count is ignored.
   */
  async connect(presence: Presence, userId: string): Promise<void> {
    const key = connectionsKey(userId);
    const mine = await presence.hincrby(key, matchMaker.processId, 1);
    await lapseLater(presence, key);
    const counts = (await presence.hgetall(key)) ?? {};
    const live = await this.liveProcessIds(presence);
    let total = 0;
    for (const [processId, count] of Object.entries(counts)) {
      if (processId === matchMaker.processId) total += mine;
      else if (live.has(processId)) total += Number(count) || 0;
      else await presence.hdel(key, processId);
    }
    if (total > this.settings.maxConnectionsPerUser) {
      await this.disconnect(presence, userId);
      countRefusal('connections');
      throw new ArenaError('RATE_LIMITED', `at most ${this.settings.maxConnectionsPerUser} connections per user`);
    }
  }

  /** One of the user's connections closed. */
  async disconnect(presence: Presence, userId: string): Promise<void> {
    await presence.hincrby(connectionsKey(userId), matchMaker.processId, -1);
  }

  private liveProcessIds(presence: Presence): Promise<Set<string>> {
    if (presence instanceof LocalPresence) return Promise.resolve(new Set([matchMaker.processId]));
    const now = Date.now();
    if (!this.liveProcesses || now - this.liveProcesses.at > LIVE_PROCESSES_CACHE_MS) {
      const ids = presence.channels('p:*').then((channels) => new Set(channels.map((channel) => channel.slice(2))));
      this.liveProcesses = { at: now, ids };
    }
    return this.liveProcesses.ids;
  }
}

/** Shared bookkeeping of a crashed process lapses; in-memory presence dies with its process anyway. */
async function lapseLater(presence: Presence, key: string): Promise<void> {
  if (!(presence instanceof LocalPresence)) await presence.expire(key, BOOKKEEPING_TTL_SECONDS);
}

/**
 * A fixed-window limiter of `points` per `durationSeconds`: in Redis (shared) when given, falling
 * back to this process's memory while Redis is unreachable, so an outage never blocks sign-ups.
 */
function limiter(redis: Redis | undefined, keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract {
  const duration = Math.max(1, Math.round(durationSeconds));
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory, rejectIfRedisNotReady: true });
}

async function consume(limiter: RateLimiterAbstract, key: string, reason: Parameters<typeof countRefusal>[0], message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    countRefusal(reason);
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new ArenaError('RATE_LIMITED', `${message}; retry in ${seconds} s`);
  }
}
