/**
 * A data directory belongs to one process (SPEC §11): its SQLite file, its live rooms and its
 * generated secret. The owner holds `<DATA_DIR>/arena.lock` (proper-lockfile: an atomic `mkdir`
 * whose mtime the owner refreshes every second). A lock not refreshed for the stale time is
 * abandoned (its process was killed) and the next process takes it over.
 */
import path from 'path';
import lockfile from 'proper-lockfile';

/** Name of the lock (a directory) inside the data directory. */
export const LOCK_NAME = 'arena.lock';

/** How often a starting process looks again at a lock held by someone else. */
const RETRY_MS = 250;
/**
 * How often the owner refreshes its lock (proper-lockfile's minimum). Not derived from the stale
 * time: a newcomer judges staleness by its own setting, which may be shorter than the owner's.
 */
const REFRESH_MS = 1000;
/** proper-lockfile dates a new lock up to a second ahead (it probes the file system's mtime precision). */
const MTIME_AHEAD_MS = 1000;

/** The data directory is held by another live process. The message names `DATA_DIR` and the path. */
export class DataDirInUseError extends Error {}

/** The lock this process holds on its data directory. */
export interface DataDirLock {
  /** Path of the lock directory. */
  path: string;
  /** Gives the data directory up (idempotent). */
  release(): Promise<void>;
}

/** Options of {@link lockDataDir}. */
export interface LockDataDirOptions {
  /** After how long without a refresh a lock counts as abandoned (at least 2000 ms). */
  staleMs: number;
  /**
   * Called when the lock could not be kept: another process took it over (this one stalled for
   * longer than the stale time) or its directory vanished. The data directory is no longer ours.
   */
  onCompromised(error: Error): void;
}

/**
 * Takes the data directory (which must exist). A lock that is held is watched until it lapses:
 * a killed process's lock does within `staleMs` (+ 1 s), so a restart right after a crash waits
 * at most that long; a live owner keeps it fresh, and after that long this rejects with
 * {@link DataDirInUseError}.
 */
export async function lockDataDir(dataDir: string, options: LockDataDirOptions): Promise<DataDirLock> {
  const lockPath = path.join(dataDir, LOCK_NAME);
  // Monotonic, so that a wall-clock jump cannot cut the wait short.
  const giveUpAt = performance.now() + options.staleMs + MTIME_AHEAD_MS + RETRY_MS;
  for (;;) {
    try {
      const release = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        stale: options.staleMs,
        update: REFRESH_MS,
        onCompromised: options.onCompromised,
      });
      return { path: lockPath, release: once(release) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (performance.now() >= giveUpAt) {
        throw new DataDirInUseError(
          `DATA_DIR: ${dataDir} is in use by another Arena process (it keeps ${lockPath} fresh); ` +
            'a data directory belongs to one process: stop that process or give this one its own DATA_DIR',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

function once(release: () => Promise<void>): () => Promise<void> {
  let released: Promise<void> | undefined;
  return () => (released ??= release());
}
