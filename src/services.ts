/**
 * The services of one Arena process, made once by `arenaConfig` and handed to whatever needs
 * them: game rooms receive them through `defineGame`, HTTP routers and the cluster as an
 * argument. No module keeps process-wide state of its own, so what a part uses is in its signature.
 */
import type { Settings } from './config';
import type { Logger } from './logger';
import type { TokenService } from './auth/tokens';
import type { Storage } from './persistence/storage';
import type { ArchiveSink } from './persistence/archive';
import type { JournalWriter } from './persistence/journalWriter';
import type { UserLimits } from './limits/userLimits';
import type { Lease } from './cluster/lease';
import type { GameRegistry } from './matchmaking/registry';
import type { InFlight } from './util/inFlight';

export interface Services {
  settings: Settings;
  logger: Logger;
  tokens: TokenService;
  /** Live rooms and the archive (SQLite or PostgreSQL); opened before any room is defined. */
  storage: Storage;
  /** Group commit of every room's journal writes, fenced on this process (opened with storage). */
  journal: JournalWriter;
  /**
   * This process's stable identity as owner of live rooms: PUBLIC_ADDRESS, else host:port. A
   * restarted process gets its own rooms back at once; others wait for the lease to lapse.
   */
  instanceId: string;
  /** Epoch ms when this process started serving. */
  startedAt: number;
  /** Per-user and per-address limits (shared through Redis when it is configured). */
  limits: UserLimits;
  /** Whether this process may still act for its rooms (see src/cluster/lease.ts). */
  lease: Lease;
  /** Where finished matches and closed sessions go to be stored. */
  archive: ArchiveSink;
  /** The games this process serves. */
  games: GameRegistry;
  /** Writes a shutdown waits for before it closes the storage (closing rooms, archive entries). */
  pendingWrites: InFlight;
}
