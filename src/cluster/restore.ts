/**
 * Rebuilding rooms from their journals, after a (re)start or an adoption: every live room this
 * process owns is created again under its code (see `GameRoom.restore`), in this process, which
 * holds its lease.
 */
import { matchMaker } from '@colyseus/core';
import type { Services } from '../services';

/** Room option (set by the server only) that rebuilds a room from its live record. */
export const RESTORE_OPTION = 'restoreCode';

/** Restores the live rooms this process owns (after taking over released or orphaned ones). */
export async function restoreLiveRooms(services: Services): Promise<string[]> {
  const { storage, instanceId, lease } = services;
  const now = Date.now();
  // One process per SQLite file: every stored room is ours. With PostgreSQL: our own, plus the
  // released (graceful shutdown) or orphaned (lease lapsed) ones.
  const takeAll = storage.backend === 'sqlite' ? Number.MAX_SAFE_INTEGER : now;
  await storage.claimExpiredRooms(instanceId, takeAll, now + lease.ms, 10_000);
  const restored: string[] = [];
  for (const room of await storage.listLiveRooms({ owner: instanceId })) {
    if (await restoreRoom(services, room.code, room.game)) restored.push(room.code);
  }
  return restored;
}

/** Rebuilds one owned room in this process; false (logged) if it cannot. */
export async function restoreRoom(services: Services, code: string, game?: string): Promise<boolean> {
  const { storage, logger, games } = services;
  const name = game ?? (await storage.loadLiveRoom(code))?.game;
  if (!games.has(name)) {
    logger.warn({ room: code, game: name }, 'live room of an unknown game left in storage');
    return false;
  }
  try {
    await matchMaker.handleCreateRoom(name, { [RESTORE_OPTION]: code });
    return true;
  } catch (error) {
    logger.error({ err: error, room: code }, 'restoring a live room failed');
    return false;
  }
}
