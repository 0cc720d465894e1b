/** Entry point: validated settings → one Arena process listening on PORT. */
import { ConfigError, loadSettings, type Settings } from './config';
import { listen } from '@colyseus/tools';
import { arenaConfig } from '../arena.config';
import { arena } from './context';

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  await listen(arenaConfig(settings), settings.port);
  const { logger } = arena();
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
