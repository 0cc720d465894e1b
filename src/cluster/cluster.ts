/**
 * What keeps several processes honest about rooms (SPEC §8, scale):
 * - a lease heartbeat: this process renews its rooms' leases; a room whose lease this process
 *   can no longer vouch for refuses to journal (so it never runs in two places at once);
 * - adoption (PostgreSQL): rooms whose lease lapsed (their process died) are claimed atomically
 *   by exactly one survivor and restored there under the same code;
 * - a sweeper: listings of a dead process's rooms are removed from Redis and from lobbies.
 */
import { matchMaker } from '@colyseus/core';
import type { Services } from '../services';
import { restoreRoom } from './restore';

/** Dead processes' listings are swept this often. */
export const SWEEP_EVERY_MS = 5_000;

/** Starts the heartbeat, adoption and sweeping; returns a function that stops them all. */
export async function startCluster(services: Services): Promise<() => void> {
  const { lease, storage, settings } = services;
  await renew(services);
  // Renewed every third of the lease; orphans looked for as often (at most every 5 s).
  const timers = [setInterval(() => void renew(services), lease.ms / 3)];
  if (storage.backend === 'postgres') timers.push(setInterval(() => void adoptOrphans(services), Math.min(5_000, lease.ms / 3)));
  if (settings.redisUrl) timers.push(setInterval(() => void sweepDeadProcesses(services), SWEEP_EVERY_MS));
  timers.forEach((timer) => timer.unref());
  return () => timers.forEach((timer) => clearInterval(timer));
}

/** Renews this process's leases; rooms storage no longer records as ours were adopted: they close here. */
async function renew({ storage, journal, instanceId, logger, lease }: Services): Promise<void> {
  const startedAt = Date.now();
  const until = startedAt + lease.ms;
  try {
    const renewed = await storage.renewLeases(instanceId, until);
    lease.renewed(until);
    const lost = journal.leasesRenewed(renewed, startedAt);
    if (lost.length > 0) logger.warn({ rooms: lost }, 'rooms adopted by another process while this one stalled: closed here');
  } catch (error) {
    logger.error({ err: error }, 'renewing room leases failed');
  }
}

/** Claims rooms whose owner stopped renewing, and restores them here. */
export async function adoptOrphans(services: Services): Promise<string[]> {
  const { storage, instanceId, logger, lease } = services;
  if (matchMaker.state !== matchMaker.MatchMakerState.READY) return [];
  const now = Date.now();
  const claimed = await storage.claimExpiredRooms(instanceId, now, now + lease.ms).catch((error) => {
    logger.error({ err: error }, 'claiming orphaned rooms failed');
    return [] as string[];
  });
  for (const code of claimed) {
    logger.warn({ room: code }, 'adopting a room whose process stopped');
    await restoreRoom(services, code);
  }
  return claimed;
}

/**
 * Removes the listings of processes that stopped answering (crashed, killed): their rooms vanish
 * from `GET /api/rooms`, quick match and every lobby within about SWEEP_EVERY_MS + 2 s.
 */
export async function sweepDeadProcesses({ logger }: Services): Promise<void> {
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
