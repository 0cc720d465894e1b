/** Rooms, routes, monitor, presence/driver choice: the composition of one Arena process. */
import os from 'os';
import type http from 'http';
import { LocalPresence, type Presence, type Server } from '@colyseus/core';
import config from '@colyseus/tools';
import express from 'express';
import Redis from 'ioredis';
import { RedisPresence } from '@colyseus/redis-presence';
import type { Settings } from './src/config';
import type { Services } from './src/services';
import { createLogger, disableSecretDebugOutput } from './src/logger';
import { createTokenService } from './src/auth/tokens';
import { UserLimits } from './src/limits/userLimits';
import { Lease } from './src/cluster/lease';
import { startCluster } from './src/cluster/cluster';
import { restoreLiveRooms } from './src/cluster/restore';
import { ArchiveSink } from './src/persistence/archive';
import { openStorage } from './src/persistence/open';
import type { Storage } from './src/persistence/storage';
import { JournalWriter } from './src/persistence/journalWriter';
import { GameRegistry, withServices, type GameDefinition } from './src/matchmaking/registry';
import { ArenaRedisDriver } from './src/matchmaking/redisDriver';
import { ArenaLobbyRoom } from './src/rooms/ArenaLobbyRoom';
import { cabo } from './src/rooms/CaboRoom';
import { tabletop } from './src/rooms/TabletopRoom';
import { tictactoe } from './src/rooms/TicTacToeRoom';
import { connectFour } from './src/rooms/ConnectFourRoom';
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
import { InFlight } from './src/util/inFlight';
import { spreadHeartbeatTransport } from './src/heartbeat';

/** The games this server offers: one line each. */
export const GAMES: GameDefinition[] = [cabo, tabletop, tictactoe, connectFour];

/** Slow or stalled uploads are cut off after this long (Node's own request timeout). */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * An idle keep-alive connection stays open this long. Longer than Node's client agents keep a free
 * socket (5 s, colyseus.js on Node included): were it equal, a request sent on a reused socket
 * could meet the server's close and fail with "socket hang up".
 */
const KEEP_ALIVE_TIMEOUT_MS = 15_000;

export function arenaConfig(settings: Settings, games: GameDefinition[] = GAMES) {
  disableSecretDebugOutput();
  const logger = createLogger(settings.logLevel);
  const limitsRedis = settings.redisUrl ? new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  limitsRedis?.on('error', (error) => logger.warn({ err: error }, 'Redis (limits) connection error'));
  const services: Services = {
    settings,
    logger,
    tokens: createTokenService(settings.jwtSecret),
    storage: undefined as unknown as Storage, // opened in initializeGameServer, before any room exists
    journal: undefined as unknown as JournalWriter, // likewise
    instanceId: settings.publicAddress ?? `${os.hostname()}:${settings.port}`,
    startedAt: Date.now(),
    limits: new UserLimits(settings.limits, limitsRedis),
    lease: new Lease(settings.leaseSeconds * 1000),
    archive: new ArchiveSink(),
    games: new GameRegistry(),
    pendingWrites: new InFlight(),
  };
  let stopCluster = () => {};
  let stopArchiving = () => {};
  let expressApp: express.Express | undefined;

  return {
    services,
    ...config({
      displayLogs: false,
      initializeTransport: spreadHeartbeatTransport,
      options: {
        greet: false,
        logger: logger.child({ component: 'colyseus' }),
        publicAddress: settings.publicAddress,
        presence: presenceFor(settings.redisUrl),
        ...(settings.redisUrl && { driver: new ArenaRedisDriver(settings.redisUrl) }),
      },

      async initializeGameServer(gameServer) {
        serveAllRequestsWith(gameServer, expressApp!);
        services.storage = await openStorage({
          dataDir: settings.dataDir,
          databaseUrl: settings.databaseUrl,
          schema: settings.databaseSchema,
          onPoolError: (error) => logger.warn({ err: error }, 'PostgreSQL connection error'),
        });
        services.journal = new JournalWriter(services.storage, services.instanceId);
        stopArchiving = services.archive.onRecord((record) => {
          services.pendingWrites.track(services.storage.archiveGame(record)).catch((error) => logger.error({ err: error, room: record.code }, 'archiving failed'));
        });
        gameServer.define('lobby', withServices(ArenaLobbyRoom, services));
        for (const game of games) services.games.define(gameServer, game, services);
        gameServer.onShutdown(async () => {
          stopCluster();
          stopArchiving();
          limitsRedis?.disconnect();
          await services.pendingWrites.settled();
          await services.storage.close();
          logger.info('shutdown complete');
        });
      },

      async beforeListen() {
        stopCluster = await startCluster(services);
        const restored = await restoreLiveRooms(services);
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
        app.use(matchmakeRouter(services.tokens));
        app.use(express.json({ limit: '16kb' }));
        app.use(operationsRouter(services));
        app.use('/api', apiCors);
        app.use('/api/auth', authRouter(services));
        app.use('/api', roomsRouter(services));
        app.use('/api', gamesRouter(services));
        if (settings.monitor) {
          app.use('/colyseus', monitorRouter(settings.monitor));
        } else {
          logger.info('monitor disabled: set MONITOR_PASSWORD to serve it at /colyseus');
        }
        app.use('/api', notFound);
        app.use(webClient()); // the browser client at / (dist/web, see src/web/build.ts)
        app.use(errorHandler(logger));
      },
    }),
  };
}

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
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
}

/**
 * Colyseus' presence. Concurrent quick-match joiners that find no room each wait on one channel
 * per filter, so a burst adds more than EventEmitter's default 10 listeners: not a leak.
 */
function presenceFor(redisUrl: string | undefined): Presence {
  const presence = redisUrl ? new RedisPresence(redisUrl) : new LocalPresence();
  (presence as unknown as { subscriptions: import('events').EventEmitter }).subscriptions.setMaxListeners(0);
  return presence;
}
