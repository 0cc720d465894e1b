/**
 * Process-wide services. Colyseus instantiates rooms itself, so rooms and routers reach the
 * settings, logger and token service through here instead of through room options (which clients
 * could influence).
 */
import type { Settings } from './config';
import type { Logger } from './logger';
import type { TokenService } from './auth/tokens';

export interface ArenaContext {
  settings: Settings;
  logger: Logger;
  tokens: TokenService;
  /** Epoch ms when this process started serving. */
  startedAt: number;
}

let current: ArenaContext | undefined;

export function setArenaContext(context: ArenaContext): void {
  current = context;
}

export function arena(): ArenaContext {
  if (!current) throw new Error('Arena context used before arenaConfig() created it');
  return current;
}
