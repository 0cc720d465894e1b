/**
 * boardgame.io server for the benchmark: `boardgame.io/server` (koa + socket.io transport, its
 * default in-memory storage) serving the tic-tac-toe Game on PORT, 127.0.0.1 only. Event-loop
 * delay is exposed like Arena's: `GET /bench/lag` answers the p99 (seconds) since the last call.
 */
import http from 'http';
import { monitorEventLoopDelay } from 'perf_hooks';
import { Server, Origins } from 'boardgame.io/server';
import { TicTacToeGame } from '../games/tictactoe.bgio';

const port = Number(process.env.PORT);
const lagPort = Number(process.env.LAG_PORT);
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

const server = Server({ games: [TicTacToeGame], origins: [Origins.LOCALHOST, /.*/] });

async function main() {
  // koa-socket-2 gives the app its own http server; bind it to 127.0.0.1 like every bench server.
  const app = server.app as unknown as { listen: (...args: unknown[]) => unknown };
  const listen = app.listen.bind(app);
  app.listen = (listenPort: unknown, callback: unknown) => listen(listenPort, '127.0.0.1', callback);
  await server.run({ port, callback: () => {} });
  // boardgame.io 0.50.2 + koa-socket-2 build the HTTP handler (app.callback()) before run() adds
  // the Lobby API routes, and koa-compose 4.2 copies the middleware list: out of the box every
  // Lobby API call answers 404. Route plain HTTP to a handler built now; socket.io keeps its own.
  const httpServer = (server.app as unknown as { server: http.Server }).server;
  const [socketIoHandler] = httpServer.listeners('request') as Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>;
  const koaHandler = server.app.callback();
  httpServer.removeAllListeners('request');
  httpServer.on('request', (request, response) => {
    if (request.url?.startsWith('/socket.io')) socketIoHandler.call(httpServer, request, response);
    else void koaHandler(request, response);
  });
  http
    .createServer((request, response) => {
      const p99 = lag.percentile(99) / 1e9;
      const max = lag.max / 1e9;
      lag.reset();
      response.setHeader('content-type', 'text/plain');
      response.end(`bench_eventloop_lag_p99_seconds ${p99}\nbench_eventloop_lag_max_seconds ${max}\n`);
    })
    .listen(lagPort, '127.0.0.1', () => process.send?.({ type: 'listening' }));
}

void main();
process.on('SIGTERM', () => process.exit(0));
