/**
 * Entry point: validated settings → the data directory locked → services reachable → one Arena
 * process listening on PORT, whose shutdown is bounded. What stops it from starting is one line
 * on stderr: exit 78 for the operator's setup (a setting, a data directory in use, a service
 * unreachable), exit 1 for damaged storage.
 */
import { ConfigError, loadSettings } from './config';
import { listen } from '@colyseus/tools';
import { arenaConfig } from '../arena.config';
import type { Services } from './services';
import type { Logger } from './logger';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './persistence/dataDirLock';
import { StorageDamagedError } from './persistence/sqliteIntegrity';
import { ServiceUnavailableError, ShutdownDeadline, probeServices } from './startup';

/** sysexits.h EX_CONFIG: the operator's configuration is at fault. */
const EX_CONFIG = 78;

async function main(): Promise<void> {
  const settings = loadSettings();
  // Before storage opens: a data directory with a live owner must not be touched at all.
  let logger: Logger | undefined;
  const lock = await lockDataDir(settings.dataDir, {
    staleMs: settings.dataDirLockStaleSeconds * 1000,
    onCompromised: (error) => leaveDataDir(error, logger),
  });
  await probeServices(settings);

  const config = arenaConfig(settings);
  logger = config.services.logger;
  const deadline = new ShutdownDeadline(settings.shutdownTimeoutSeconds * 1000, logger);
  deadline.install();
  const server = await listen(config, settings.port);
  deadline.reached('discovery');
  server.onBeforeShutdown(() => deadline.reached('rooms'));
  releaseLockAfterStorage(config.services, lock, deadline);

  logger.info({
    url: `http://localhost:${settings.port}`,
    presence: settings.redisUrl ? 'redis' : 'local',
    dataDir: settings.dataDir,
    generatedJwtSecret: settings.jwtSecretGenerated,
  }, `Arena listening on http://localhost:${settings.port}`);
  if (settings.redisUrl && !settings.publicAddress) {
    logger.warn('REDIS_URL is set without PUBLIC_ADDRESS: joins routed to this process from others will fail');
  }
}

/**
 * arena.config's shutdown callback closes the storage; once it is closed the data is safe and
 * the data directory is given up (proper-lockfile also removes the lock when the process exits).
 */
function releaseLockAfterStorage(services: Services, lock: DataDirLock, deadline: ShutdownDeadline): void {
  const { storage, logger } = services;
  const close = storage.close.bind(storage);
  storage.close = async () => {
    deadline.reached('storage');
    await close();
    deadline.reached('lock');
    await lock.release().catch((error) => logger.warn({ err: error }, 'could not release the DATA_DIR lock'));
  };
}

/** The lock was lost (taken over while this process stalled, or removed): stop serving from it. */
function leaveDataDir(error: Error, logger?: Logger): void {
  const message = `DATA_DIR lock lost (${error.message}): another process may own the data directory now; shutting down`;
  if (logger) logger.error(message);
  else console.error(message); // the lock was lost before the logger existed
  process.kill(process.pid, 'SIGTERM');
}

/** Exit code and one-line message for what stops the process on purpose, else undefined. */
function refusal(error: unknown): number | undefined {
  if (error instanceof ConfigError || error instanceof DataDirInUseError || error instanceof ServiceUnavailableError) return EX_CONFIG;
  if (error instanceof StorageDamagedError) return 1;
  return undefined;
}

main().catch((error) => {
  const exitCode = refusal(error);
  console.error(exitCode === undefined ? error : (error as Error).message);
  process.exit(exitCode ?? 1);
});
