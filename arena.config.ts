/** Rooms, routes, monitor, presence/driver choice: the composition of one Arena process. */
import os from 'os';
import type http from 'http';
import type { Server } from '@colyseus/core';
import config from '@colyseus/tools';
import express from 'express';
import { RedisPresence } from '@colyseus/redis-presence';
import { RedisDriver } from '@colyseus/redis-driver';
import type { Settings } from './src/config';
import { createLogger, disableSecretDebugOutput } from './src/logger';
import { createTokenService } from './src/auth/tokens';
import Redis from 'ioredis';
import { UserLimits } from './src/limits/userLimits';
import { setArenaContext, type ArenaContext } from './src/context';
import { ArenaLobbyRoom } from './src/rooms/ArenaLobbyRoom';
import { TabletopRoom } from './src/rooms/TabletopRoom';
import { CaboRoom } from './src/rooms/CaboRoom';
import { TicTacToeRoom } from './src/rooms/TicTacToeRoom';
import { defineGame } from './src/rooms/registry';
import { caboArchive } from './src/games/cabo/archive';
import { tabletopArchive } from './src/games/tabletop/archive';
import { tictactoeArchive } from './src/games/tictactoe/archive';
import { restoreLiveRooms } from './src/rooms/restore';
import { startCluster } from './src/rooms/cluster';
import { archive } from './src/rooms/archive';
import { openStorage } from './src/persistence/open';
import type { Storage } from './src/persistence/storage';
import { authRouter } from './src/http/auth';
import { roomsRouter } from './src/http/rooms';
import { gamesRouter } from './src/http/games';
import { operationsRouter } from './src/http/operations';
import { monitorRouter } from './src/http/monitor';
import { errorHandler, notFound, responseDeadline } from './src/http/errors';
import { matchmakeRouter } from './src/http/matchmake';
import { bodyLimit } from './src/http/bodyLimit';
import { httpMetrics } from './src/http/httpMetrics';
import { apiCors, removeBlanketCors } from './src/http/cors';
import { webClient } from './src/web/serve';

export function arenaConfig(settings: Settings) {
  disableSecretDebugOutput();
  const logger = createLogger(settings.logLevel);
  const limitsRedis = settings.redisUrl ? new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  limitsRedis?.on('error', (error) => logger.warn({ err: error }, 'Redis (limits) connection error'));
  const context: ArenaContext = {
    settings,
    logger,
    tokens: createTokenService(settings.jwtSecret),
    storage: undefined as unknown as Storage, // opened in initializeGameServer, before any room exists
    instanceId: settings.publicAddress ?? `${os.hostname()}:${settings.port}`,
    startedAt: Date.now(),
    limits: new UserLimits(settings.limits, limitsRedis),
  };
  setArenaContext(context);
  let stopHeartbeat = () => {};
  let stopArchiving = () => {};
  let expressApp: express.Express | undefined;

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

    async initializeGameServer(gameServer) {
      serveAllRequestsWith(gameServer, expressApp!);
      context.storage = await openStorage({
        dataDir: settings.dataDir,
        databaseUrl: settings.databaseUrl,
        schema: settings.databaseSchema,
        onPoolError: (error) => logger.warn({ err: error }, 'PostgreSQL connection error'),
      });
      stopArchiving = archive.onRecord((record) => {
        context.storage.archiveGame(record).catch((error) => logger.error({ err: error, room: record.code }, 'archiving failed'));
      });
      gameServer.define('lobby', ArenaLobbyRoom);
      defineGame(gameServer, 'tabletop', TabletopRoom, tabletopArchive);
      defineGame(gameServer, 'cabo', CaboRoom, caboArchive);
      defineGame(gameServer, 'tictactoe', TicTacToeRoom, tictactoeArchive);
      gameServer.onShutdown(async () => {
        stopHeartbeat();
        stopArchiving();
        limitsRedis?.disconnect();
        await context.storage.close();
        logger.info('shutdown complete');
      });
    },

    async beforeListen() {
      stopHeartbeat = await startCluster();
      const restored = await restoreLiveRooms();
      if (restored.length > 0) logger.info({ rooms: restored }, 'restored live rooms');
    },

    initializeExpress(app) {
      expressApp = app;
      removeBlanketCors(app);
      app.disable('x-powered-by');
      app.set('trust proxy', settings.trustProxy);
      app.use(httpMetrics);
      app.use(['/api', '/matchmake', '/colyseus/api', '/healthz', '/metrics'], responseDeadline); // not downloads of the web client
      app.use(bodyLimit);
      app.use(matchmakeRouter());
      app.use(express.json({ limit: '16kb' }));
      app.use(operationsRouter());
      app.use('/api', apiCors);
      app.use('/api/auth', authRouter());
      app.use('/api', roomsRouter());
      app.use('/api', gamesRouter());
      if (settings.monitor) {
        app.use('/colyseus', monitorRouter(settings.monitor));
      } else {
        logger.info('monitor disabled: set MONITOR_PASSWORD to serve it at /colyseus');
      }
      app.use('/api', notFound);
      app.use(webClient()); // the browser client at / (build/web, see src/web/build.ts)
      app.use(errorHandler);
    },
  });
}

/** Slow or stalled uploads are cut off after this long (Node's own request timeout). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Colyseus hooks the HTTP server's `request` event and hands every URL containing "/matchmake"
 * to its own handler, ahead of the app. Arena serves those routes itself (src/http/matchmake.ts),
 * so the hook is taken out and every request goes to the express app.
 */
function serveAllRequestsWith(gameServer: Server, app: express.Express): void {
  const server = (gameServer as unknown as { transport: { server?: http.Server } }).transport.server;
  if (!server) throw new Error('the WebSocket transport has no HTTP server');
  server.removeAllListeners('request');
  server.on('request', app);
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = 10_000;
}
