/**
 * Process-wide services. Colyseus instantiates rooms itself, so rooms and routers reach the
 * settings, logger and token service through here instead of through room options (which clients
 * could influence).
 */
import type { Settings } from './config';
import type { Logger } from './logger';
import type { TokenService } from './auth/tokens';
import type { Storage } from './persistence/storage';
import type { UserLimits } from './limits/userLimits';

export interface ArenaContext {
  settings: Settings;
  logger: Logger;
  tokens: TokenService;
  /** Live rooms and the archive (SQLite or PostgreSQL); opened before rooms are defined. */
  storage: Storage;
  /**
   * This process's stable identity as owner of live rooms: PUBLIC_ADDRESS, else host:port. A
   * restarted process gets its own rooms back at once; others wait for the lease to lapse.
   */
  instanceId: string;
  /** Epoch ms when this process started serving. */
  startedAt: number;
  /** Per-user and per-address limits (shared through Redis when it is configured). */
  limits: UserLimits;
}

let current: ArenaContext | undefined;

export function setArenaContext(context: ArenaContext): void {
  current = context;
}

export function arena(): ArenaContext {
  if (!current) throw new Error('Arena context used before arenaConfig() created it');
  return current;
}
