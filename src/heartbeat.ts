/**
 * The WebSocket heartbeat, spread over its interval. Colyseus' transport pings every client in
 * one loop every 3 s: with thousands of clients that is thousands of socket writes at once, then
 * thousands of pongs, a stall of tens of milliseconds every third second in which every room's
 * moves wait (measured: the slow acknowledgements of a 3,000-client Cabo run fell into every
 * third second and nowhere else). Here each client is still pinged once per interval and dropped
 * after the same number of unanswered pings, but a few at a time, every tick.
 */
import type { WebSocket, WebSocketServer } from 'ws';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type http from 'http';

/** Each client is pinged once per this interval (Colyseus' default). */
export const PING_INTERVAL_MS = 3000;
/** A client that left this many pings unanswered is dropped (Colyseus' default). */
export const PING_MAX_MISSED = 2;
/** How often a slice of the clients is pinged. */
const TICK_MS = 100;
/** `WebSocket.OPEN`. */
const OPEN = 1;

/** What the heartbeat needs of a socket; Colyseus' transport resets `pingCount` on every pong. */
export interface PingedSocket {
  pingCount?: number;
  readyState: number;
  ping(data?: unknown, mask?: boolean, callback?: (error?: Error) => void): void;
  terminate(): void;
}

export interface HeartbeatTimers {
  setInterval(work: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
}

export class SpreadHeartbeat {
  /** The clients of this round (taken when it starts) and the next one's position. */
  private round: PingedSocket[] = [];
  private tickOfRound = 0;
  private timer?: unknown;
  private readonly ticksPerRound: number;

  constructor(
    private readonly clients: Set<PingedSocket>,
    private readonly timers: HeartbeatTimers = { setInterval: (work, ms) => setInterval(work, ms).unref(), clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout) },
    intervalMs = PING_INTERVAL_MS,
    private readonly maxMissed = PING_MAX_MISSED,
    private readonly tickMs = TICK_MS,
  ) {
    this.ticksPerRound = Math.max(1, Math.round(intervalMs / tickMs));
  }

  start(): void {
    this.timer ??= this.timers.setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Pings this tick's share of the round: each client once per interval, a client joining meanwhile from the next round. */
  tick(): void {
    if (this.tickOfRound === 0) this.round = [...this.clients];
    const { round, tickOfRound, ticksPerRound } = this;
    const from = Math.floor((round.length * tickOfRound) / ticksPerRound);
    const to = Math.floor((round.length * (tickOfRound + 1)) / ticksPerRound);
    for (let i = from; i < to; i++) this.beat(round[i]);
    this.tickOfRound = (tickOfRound + 1) % ticksPerRound;
  }

  private beat(client: PingedSocket): void {
    if (client.readyState !== OPEN) return; // closing or closed since the round began
    if ((client.pingCount ?? 0) >= this.maxMissed) return client.terminate();
    client.pingCount = (client.pingCount ?? 0) + 1;
    client.ping(undefined, undefined, () => {}); // an error means the socket is closing anyway
  }
}

/** Colyseus' WebSocket transport with its all-at-once ping replaced by the spread heartbeat. */
export function spreadHeartbeatTransport(options: { server: http.Server }): WebSocketTransport {
  const transport = new WebSocketTransport({ ...options, pingInterval: 0 });
  const wss = (transport as unknown as { wss: WebSocketServer }).wss;
  const heartbeat = new SpreadHeartbeat(wss.clients as Set<WebSocket> as Set<PingedSocket>);
  options.server.on('listening', () => heartbeat.start());
  options.server.on('close', () => heartbeat.stop());
  return transport;
}
