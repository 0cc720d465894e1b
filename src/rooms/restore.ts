/**
 * After a (re)start: every live room this process owns is rebuilt under its code from its
 * journal (see GameRoom.restore). Rooms are always rebuilt in this process, which holds the lease.
 */
import { matchMaker } from '@colyseus/core';
import { arena } from '../context';
import { leaseMs } from './cluster';
import { RESTORE_OPTION } from './GameRoom';
import { isGame } from './registry';

/** Restores the live rooms this process owns (after taking over released or orphaned ones). */
export async function restoreLiveRooms(): Promise<string[]> {
  const { storage, instanceId } = arena();
  const now = Date.now();
  // One process per SQLite file: every stored room is ours. With PostgreSQL: our own, plus the
  // released (graceful shutdown) or orphaned (lease lapsed) ones.
  const takeAll = storage.backend === 'sqlite' ? Number.MAX_SAFE_INTEGER : now;
  await storage.claimExpiredRooms(instanceId, takeAll, now + leaseMs(), 10_000);
  const restored: string[] = [];
  for (const room of await storage.listLiveRooms({ owner: instanceId })) {
    if (await restoreRoom(room.code, room.game)) restored.push(room.code);
  }
  return restored;
}

/** Rebuilds one owned room in this process; false (logged) if it cannot. */
export async function restoreRoom(code: string, game?: string): Promise<boolean> {
  const { storage, logger } = arena();
  const name = game ?? (await storage.loadLiveRoom(code))?.game;
  if (!isGame(name)) {
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
