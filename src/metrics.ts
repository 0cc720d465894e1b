/** Prometheus metrics (prom-client). One registry per process, scraped at `GET /metrics`. */
import client from 'prom-client';
import { matchMaker } from '@colyseus/core';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'arena_process_' });

/** Rooms and clients of this process, by room name, read from the matchmaker on each scrape. */
new client.Gauge({
  name: 'arena_rooms',
  help: 'Rooms hosted by this process, by room name',
  labelNames: ['room'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const room of await localRooms()) this.inc({ room: room.name });
  },
});

new client.Gauge({
  name: 'arena_clients',
  help: 'Clients connected to rooms of this process, by room name',
  labelNames: ['room'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const room of await localRooms()) this.inc({ room: room.name }, room.clients);
  },
});

/** One matchmaker query per scrape, shared by the gauges above (prom-client collects them concurrently). */
let scrapeQuery: Promise<Array<{ name: string; clients: number }>> | undefined;

function localRooms() {
  if (matchMaker.state !== matchMaker.MatchMakerState.READY) return Promise.resolve([]);
  scrapeQuery ??= matchMaker.query({ processId: matchMaker.processId }).finally(() => {
    setImmediate(() => (scrapeQuery = undefined));
  });
  return scrapeQuery;
}

export const messagesReceived = new client.Counter({
  name: 'arena_messages_received_total',
  help: 'Client messages received by rooms, by room name and message type',
  labelNames: ['room', 'type'] as const,
  registers: [registry],
});

export const errorsSent = new client.Counter({
  name: 'arena_errors_sent_total',
  help: 'Errors sent to clients (room `error` messages, join rejections, HTTP errors), by code',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const messageDuration = new client.Histogram({
  name: 'arena_message_duration_seconds',
  help: 'Time to validate and handle one client message in a room',
  labelNames: ['room', 'type'] as const,
  buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  registers: [registry],
});

export const httpDuration = new client.Histogram({
  name: 'arena_http_request_duration_seconds',
  help: 'HTTP API latency by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

/** Why Arena refused or cut off a client: one label value per limit (README "Limits"). */
export type RefusalReason =
  | 'unauthenticated' | 'body_too_large' | 'bad_request' | 'request_timeout'
  | 'guest_sign_ins' | 'room_creations' | 'open_rooms' | 'connections'
  | 'reservations' | 'quick_joins' | 'reconnections' | 'messages' | 'flood' | 'invalid_frame' | 'slow_consumer';

const refusals = new client.Counter({
  name: 'arena_refusals_total',
  help: 'Requests, joins, messages and connections refused or cut off by a limit, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export function countRefusal(reason: RefusalReason): void {
  refusals.inc({ reason });
}
