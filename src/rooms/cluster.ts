/**
 * What keeps several processes honest about rooms (SPEC §8, scale):
 * - a lease heartbeat: this process renews its rooms' leases; a room whose lease this process
 *   can no longer vouch for refuses to journal (so it never runs in two places at once);
 * - adoption (PostgreSQL): rooms whose lease lapsed (their process died) are claimed atomically
 *   by exactly one survivor and restored there under the same code;
 * - a sweeper: listings of a dead process's rooms are removed from Redis and from lobbies.
 */
import { matchMaker } from '@colyseus/core';
import { arena } from '../context';
import { restoreRoom } from './restore';

/** A process holds its rooms' leases this long past its last heartbeat (LEASE_SECONDS, 30). */
export function leaseMs(): number {
  return arena().settings.leaseSeconds * 1000;
}
/** Dead processes' listings are swept this often. */
export const SWEEP_EVERY_MS = 5_000;

let leaseHeldUntil = 0;

/** Whether this process may still act for its rooms (its last renewal is recent enough). */
export function leaseHeld(now = Date.now()): boolean {
  // A room stops journaling a sixth of the lease before it could lapse, whatever the clocks say.
  return now < leaseHeldUntil - leaseMs() / 6;
}

/** Starts the heartbeat, adoption and sweeping; returns a function that stops them all. */
export async function startCluster(): Promise<() => void> {
  await renew();
  // Renewed every third of the lease; orphans looked for as often (at most every 5 s).
  const timers = [setInterval(() => void renew(), leaseMs() / 3)];
  if (arena().storage.backend === 'postgres') timers.push(setInterval(() => void adoptOrphans(), Math.min(5_000, leaseMs() / 3)));
  if (arena().settings.redisUrl) timers.push(setInterval(() => void sweepDeadProcesses(), SWEEP_EVERY_MS));
  timers.forEach((timer) => timer.unref());
  return () => timers.forEach((timer) => clearInterval(timer));
}

async function renew(): Promise<void> {
  const { storage, instanceId, logger } = arena();
  const until = Date.now() + leaseMs();
  try {
    await storage.renewLeases(instanceId, until);
    leaseHeldUntil = until;
  } catch (error) {
    logger.error({ err: error }, 'renewing room leases failed');
  }
}

/** Claims rooms whose owner stopped renewing, and restores them here. */
export async function adoptOrphans(): Promise<string[]> {
  const { storage, instanceId, logger } = arena();
  if (matchMaker.state !== matchMaker.MatchMakerState.READY) return [];
  const now = Date.now();
  const claimed = await storage.claimExpiredRooms(instanceId, now, now + leaseMs()).catch((error) => {
    logger.error({ err: error }, 'claiming orphaned rooms failed');
    return [] as string[];
  });
  for (const code of claimed) {
    logger.warn({ room: code }, 'adopting a room whose process stopped');
    await restoreRoom(code);
  }
  return claimed;
}

/**
 * Removes the listings of processes that stopped answering (crashed, killed): their rooms vanish
 * from `GET /api/rooms`, quick match and every lobby within about SWEEP_EVERY_MS + 2 s.
 */
export async function sweepDeadProcesses(): Promise<void> {
  const { logger } = arena();
  if (matchMaker.state !== matchMaker.MatchMakerState.READY) return;
  try {
    const rooms = await matchMaker.query({});
    const others = new Set(rooms.map((room) => room.processId).filter((id) => id !== matchMaker.processId));
    const listening = new Set((await matchMaker.presence.channels('p:*')).map((channel) => channel.slice(2)));
    for (const processId of others) {
      if (listening.has(processId) || (await matchMaker.healthCheckProcessId(processId))) continue;
      const gone = rooms.filter((room) => room.processId === processId);
      for (const room of gone) matchMaker.presence.publish('$lobby', `${room.roomId},1`);
      logger.warn({ processId, rooms: gone.map((room) => room.roomId) }, 'removed the listings of a process that stopped');
    }
  } catch (error) {
    logger.error({ err: error }, 'sweeping dead processes failed');
  }
}
