/**
 * The physical ceiling: a bare `ws` server with no framework, no validation, no storage. Clients
 * are grouped into rooms of ROOM_SIZE in connection order; the player whose turn it is sends a
 * message of the size Arena's actions have, and the server broadcasts a message of the size of
 * Arena's patch to the whole room and passes the turn. `GET /bench/lag` answers the event-loop
 * delay p99 (seconds) since the last call.
 *
 * Wire format (binary): server → client `[kind, seat, turn, ...padding]`, kind 0 = welcome
 * (seat = the client's seat), 1 = start (turn = first seat), 2 = update (seat = the actor who
 * just moved, turn = the next seat). Client → server: `[1, ...padding]`.
 */
import http from 'http';
import { monitorEventLoopDelay } from 'perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT);
const roomSize = Number(process.env.ROOM_SIZE ?? 4);
const downBytes = Math.max(3, Number(process.env.DOWN_BYTES ?? 60));

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

interface Room {
  members: WebSocket[];
  turn: number;
}

const httpServer = http.createServer((request, response) => {
  if (request.url === '/bench/lag') {
    const p99 = lag.percentile(99) / 1e9;
    const max = lag.max / 1e9;
    lag.reset();
    response.end(`bench_eventloop_lag_p99_seconds ${p99}\nbench_eventloop_lag_max_seconds ${max}\n`);
    return;
  }
  response.statusCode = 404;
  response.end();
});
const wss = new WebSocketServer({ server: httpServer, maxPayload: 4096 });
let filling: Room = { members: [], turn: 0 };

function frame(kind: number, seat: number, turn: number): Buffer {
  const buffer = Buffer.alloc(downBytes);
  buffer[0] = kind;
  buffer[1] = seat;
  buffer[2] = turn;
  return buffer;
}

wss.on('connection', (socket) => {
  const room = filling;
  const seat = room.members.length;
  room.members.push(socket);
  socket.send(frame(0, seat, 0));
  if (room.members.length === roomSize) {
    filling = { members: [], turn: 0 };
    const start = frame(1, 0, 0);
    for (const member of room.members) member.send(start);
  }
  socket.on('message', () => {
    if (room.members[room.turn] !== socket) return; // not its turn: ignored
    room.turn = (room.turn + 1) % room.members.length;
    const update = frame(2, seat, room.turn);
    for (const member of room.members) if (member.readyState === 1) member.send(update);
  });
  socket.on('close', () => {
    const index = room.members.indexOf(socket);
    if (index >= 0 && room === filling) room.members.splice(index, 1);
  });
});

httpServer.listen(port, '127.0.0.1', () => process.send?.({ type: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
