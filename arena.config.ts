/** Rooms, routes, monitor, presence/driver choice: the composition of one Arena process. */
import config from '@colyseus/tools';
import express from 'express';
import { RedisPresence } from '@colyseus/redis-presence';
import { RedisDriver } from '@colyseus/redis-driver';
import type { Settings } from './src/config';
import { createLogger } from './src/logger';
import { createTokenService } from './src/auth/tokens';
import { setArenaContext, type ArenaContext } from './src/context';
import { ArenaLobbyRoom } from './src/rooms/ArenaLobbyRoom';
import { TabletopRoom } from './src/rooms/TabletopRoom';
import { CaboRoom } from './src/rooms/CaboRoom';
import { defineGame } from './src/rooms/registry';
import { authRouter } from './src/http/auth';
import { roomsRouter } from './src/http/rooms';
import { operationsRouter } from './src/http/operations';
import { monitorRouter } from './src/http/monitor';
import { errorHandler, notFound } from './src/http/errors';
import { httpMetrics } from './src/http/httpMetrics';

export function arenaConfig(settings: Settings) {
  const logger = createLogger(settings.logLevel);
  const context: ArenaContext = { settings, logger, tokens: createTokenService(settings.jwtSecret), startedAt: Date.now() };
  setArenaContext(context);

  return config({
    displayLogs: false,
    options: {
      greet: false,
      logger: logger.child({ component: 'colyseus' }),
      publicAddress: settings.publicAddress,
      ...(settings.redisUrl && {
        presence: new RedisPresence(settings.redisUrl),
        driver: new RedisDriver(settings.redisUrl),
      }),
    },

    initializeGameServer(gameServer) {
      gameServer.define('lobby', ArenaLobbyRoom);
      defineGame(gameServer, 'tabletop', TabletopRoom);
      defineGame(gameServer, 'cabo', CaboRoom);
      gameServer.onShutdown(() => logger.info('shutdown complete'));
    },

    initializeExpress(app) {
      app.disable('x-powered-by');
      app.set('trust proxy', 'loopback');
      app.use(httpMetrics);
      app.use(express.json({ limit: '16kb' }));
      app.use(operationsRouter());
      app.use('/api/auth', authRouter());
      app.use('/api', roomsRouter());
      if (settings.monitor) {
        app.use('/colyseus', monitorRouter(settings.monitor));
      } else {
        logger.info('monitor disabled: set MONITOR_PASSWORD to serve it at /colyseus');
      }
      app.use('/api', notFound);
      app.use(errorHandler);
    },
  });
}
