/**
 * Junk-frame attacker of bench/abuse.ts scenario 1, in its own process so that its send loop does
 * not share an event loop with the bystander whose latency is measured.
 *
 * Config in ABUSE_ATTACKER (JSON: AttackerConfig). It joins the room with colyseus.js (a real,
 * joined WebSocket), reports `joined`, waits for `go`, then writes junk binary frames on the raw
 * `ws` socket as fast as the socket accepts them (keeping ws.bufferedAmount under
 * `maxBufferedBytes`, so nothing piles up in this process) until `durationMs` pass or the server
 * closes the connection, and reports `result`.
 */
import { Client, type Room } from 'colyseus.js';
import type WebSocket from 'ws';
import type { Socket } from 'net';

export interface AttackerConfig {
  ws: string;
  token: string;
  code: string;
  /** `unknown-code`: first byte 0xEE (no such protocol code); `bad-msgpack`: ROOM_DATA (13), a type, then bytes msgpack cannot decode. */
  mode: 'unknown-code' | 'bad-msgpack';
  frameBytes: number;
  maxBufferedBytes: number;
}

export type ToAttacker = { type: 'go'; durationMs: number } | { type: 'exit' };

export type FromAttacker =
  | { type: 'joined'; sessionId: string }
  | { type: 'failed'; error: string }
  | {
      type: 'result';
      framesSent: number;
      /** Bytes that left this process (TCP payload written to the kernel) during the attack. */
      bytesSent: number;
      /** Seconds the attack ran (until `durationMs` or the disconnection). */
      activeSeconds: number;
      /** Close code and seconds after the start of the attack, when the server closed the socket. */
      closed?: { code: number; reason: string; atSeconds: number };
      /** CPU % of this process (100 = one core) from the start of the attack to its end. */
      cpuPercent: number;
    };

const config = JSON.parse(process.env.ABUSE_ATTACKER ?? '{}') as AttackerConfig;
const send = (message: FromAttacker) => process.send?.(message);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Never outlive the parent, never run for long.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), 120_000).unref();

function junkFrame(): Buffer {
  const frame = Buffer.alloc(config.frameBytes, 0xc1);
  if (config.mode === 'unknown-code') {
    frame.fill(0x5a);
    frame[0] = 0xee;
  } else {
    // 13 = ROOM_DATA, then the message type "junk" (msgpack fixstr), then 0xC1 ("never used"):
    // msgpackr reads one value and throws "Data read, but end of buffer not reached".
    frame[0] = 13;
    frame[1] = 0xa4;
    frame.write('junk', 2, 'latin1');
  }
  return frame;
}

async function main(): Promise<void> {
  const client = new Client(config.ws);
  client.auth.token = config.token;
  let room: Room;
  try {
    room = await Promise.race([
      client.joinById(config.code, {}),
      sleep(15_000).then(() => Promise.reject(new Error('join timed out (15 s)'))),
    ]);
  } catch (error) {
    send({ type: 'failed', error: String((error as Error)?.message ?? error) });
    return;
  }
  room.onMessage('*', () => {});
  const ws = (room.connection as unknown as { transport: { ws: WebSocket } }).transport.ws;
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let closed: { code: number; reason: string; at: number } | undefined;
  ws.on('close', (code, reason) => {
    closed ??= { code, reason: reason.toString().slice(0, 100), at: performance.now() };
  });
  ws.on('error', () => {});

  const go = new Promise<ToAttacker>((resolve) => process.on('message', (message: ToAttacker) => resolve(message)));
  send({ type: 'joined', sessionId: room.sessionId });
  const order = await go;
  if (order.type !== 'go') process.exit(0);

  const frame = junkFrame();
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const end = started + order.durationMs;
  const writtenAtStart = socket.bytesWritten - socket.writableLength;
  let framesSent = 0;
  while (!closed && performance.now() < end && ws.readyState === ws.OPEN) {
    let batch = 0;
    while (ws.bufferedAmount < config.maxBufferedBytes && batch < 256 && ws.readyState === ws.OPEN) {
      ws.send(frame, { binary: true });
      framesSent++;
      batch++;
    }
    if (ws.bufferedAmount >= config.maxBufferedBytes) {
      // Wait for the kernel to take more (or 20 ms), so the loop yields and the close is seen.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 20);
        function done() {
          clearTimeout(timer);
          socket.off('drain', done);
          resolve();
        }
        socket.once('drain', done);
      });
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  const stoppedAt = closed ? Math.min(closed.at, performance.now()) : performance.now();
  const bytesSent = socket.bytesWritten - socket.writableLength - writtenAtStart;
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = (performance.now() - started) / 1000;
  // A disconnection that comes right after the end still counts (the close frame may be in flight).
  for (let i = 0; i < 10 && !closed; i++) await sleep(20);
  send({
    type: 'result',
    framesSent,
    bytesSent,
    activeSeconds: (stoppedAt - started) / 1000,
    closed: closed && { code: closed.code, reason: closed.reason, atSeconds: (closed.at - started) / 1000 },
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / Math.max(elapsed, 0.001)) * 100,
  });
  if (!closed) ws.terminate();
  await sleep(100);
  process.exit(0);
}

main().catch((error) => {
  send({ type: 'failed', error: String(error?.stack ?? error) });
  setTimeout(() => process.exit(1), 100);
});
