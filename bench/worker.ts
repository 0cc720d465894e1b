/**
 * A load process of the benchmark (forked by bench/run.ts, never run by hand). It holds a share
 * of the clients of one scenario and answers the orchestrator over IPC:
 *   add {count, start}  → connects `count` more clients       → added {ok, failed, ms, errors}
 *   window-start        → resets the measurement counters     → ready
 *   window-end          → samples and counters of the window  → window {...}
 *   joins {...}         → timed joins at a fixed rate         → joins {samples, failed}
 *   stop                → closes everything and exits          → stopped
 * Every wait is bounded; the process exits on its own after MAX_LIFETIME_MS whatever happens.
 */
import type { Socket } from 'net';
import { monitorEventLoopDelay } from 'perf_hooks';
import { Client, type Room } from 'colyseus.js';
import WebSocket from 'ws';
import { CaboBot } from '../loadtest/caboBot';
import { roomSocket, signBotToken, sleep, thinkDelay } from '../loadtest/common';
import { ArenaTttBot, type TttEvents } from './lib/tictactoeBots';
import type { WorkerConfig, ToWorker, FromWorker, WindowReport } from './lib/protocol';

const MAX_LIFETIME_MS = 12 * 60_000;
const CONNECT_TIMEOUT_MS = 20_000;

const config = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerConfig;
setTimeout(() => {
  console.error(`bench worker ${config.workerId}: lifetime exceeded, exiting`);
  process.exit(3);
}, MAX_LIFETIME_MS).unref();

// colyseus.js prints refused joins and closed connections; counted instead.
for (const method of ['warn', 'info', 'log'] as const) console[method] = () => {};

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

// ---- wire bytes ---------------------------------------------------------------------------

const sockets = new Set<Socket>();
let closedBytes = 0;
function trackSocket(socket: Socket | undefined): void {
  if (!socket || sockets.has(socket)) return;
  sockets.add(socket);
  socket.once('close', () => {
    closedBytes += socket.bytesRead;
    sockets.delete(socket);
  });
}
function bytesReceived(): number {
  let total = closedBytes;
  for (const socket of sockets) total += socket.bytesRead;
  return total;
}

// ---- window counters ----------------------------------------------------------------------

let samples: number[] = [];
let slowBySecond: number[] = [];
/** An acknowledgement slower than this counts as slow (the ramp's p99 target). */
const SLOW_MS = 50;
let acks = 0;
let matches = 0;
let rejected: Record<string, number> = {};
let closed = 0;
let requeues = 0;
let windowStart = { bytes: 0, cpu: process.cpuUsage(), at: performance.now() };
let stopping = false;
let clients = 0;

const events: TttEvents = {
  ack(ms) {
    acks++;
    samples.push(ms);
    if (ms > SLOW_MS) {
      const second = Math.floor((performance.now() - windowStart.at) / 1000);
      slowBySecond[second] = (slowBySecond[second] ?? 0) + 1;
    }
  },
  rejected(code) {
    rejected[code] = (rejected[code] ?? 0) + 1;
  },
  matchOver(counted) {
    if (counted) matches++;
  },
  finished() {},
};

// ---- scenarios ----------------------------------------------------------------------------

type Closer = () => void;
const closers = new Set<Closer>();

async function identity(index: number) {
  const id = `w${config.workerId}-${config.runId}-${index}`;
  return { id, token: await signBotToken(config.secret!, id, `b${index}`.slice(0, 24)) };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms))),
  ]);
}

/** Quick-match joins that lost a race for the last seat (the room started meanwhile): retried. */
let joinRetries = 0;
const RETRYABLE = /GAME_ALREADY_STARTED|ROOM_FULL|already full/;

async function arenaRoom(index: number, join: (client: Client) => Promise<Room>): Promise<{ room: Room; id: string }> {
  const { id, token } = await identity(index);
  for (let attempt = 1; ; attempt++) {
    const client = new Client(config.endpoint);
    client.auth.token = token;
    try {
      const room = await withTimeout(join(client), CONNECT_TIMEOUT_MS, 'join');
      trackSocket(roomSocket(room));
      return { room, id };
    } catch (error) {
      if (attempt >= 5 || !RETRYABLE.test(String((error as Error)?.message))) throw error;
      joinRetries++;
    }
  }
}

async function connectCabo(index: number): Promise<void> {
  const { room, id } = await arenaRoom(index, (client) => client.joinOrCreate('cabo', { mode: 'quick', maxPlayers: config.roomSize }));
  const bot: CaboBot = new CaboBot(room, id, { thinkMs: config.thinkMs }, {
    ack: (ms) => events.ack(ms),
    rejected: (code) => events.rejected(code),
    matchOver: (host) => events.matchOver(host),
    finished: (reason) => {
      closers.delete(close);
      if (stopping) return;
      if (reason === 'closed') closed++;
      requeues++;
      void bot.leave().then(() => requeue(() => connectCabo(index)));
    },
  });
  const close = () => void bot.leave();
  closers.add(close);
}

async function connectArenaTtt(index: number): Promise<void> {
  const { room, id } = await arenaRoom(index, (client) => client.joinOrCreate('tictactoe', { mode: 'quick' }));
  const bot: ArenaTttBot = new ArenaTttBot(room, id, config.thinkMs, {
    ...events,
    finished: (reason) => {
      closers.delete(close);
      if (stopping) return;
      if (reason === 'closed') closed++;
      requeues++;
      bot.stop();
      void room
        .leave(true)
        .catch(() => {})
        .then(() => requeue(() => connectArenaTtt(index)));
    },
  });
  const close = () => {
    bot.stop();
    void room.leave(true).catch(() => {});
  };
  closers.add(close);
}

async function connectBgioPair(index: number): Promise<void> {
  const { BgioPair } = await import('./lib/bgioBots');
  const pair = await withTimeout(
    BgioPair.open(config.endpoint, index, config.thinkMs, { ...events, finished: () => void (stopping || closed++) }, trackSocket),
    CONNECT_TIMEOUT_MS,
    'bgio match',
  );
  closers.add(() => pair.close());
}

/** A bare-ws client: acts when the server says it is its turn, times the broadcast of its move. */
async function connectWs(_index: number): Promise<void> {
  const socket = new WebSocket(config.endpoint, { perMessageDeflate: false });
  const up = Buffer.alloc(Math.max(1, config.upBytes ?? 20));
  up[0] = 1;
  let seat = -1;
  let sentAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const planIfMine = (turn: number) => {
    if (turn !== seat || timer || stopping) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (socket.readyState !== WebSocket.OPEN) return;
      sentAt = performance.now();
      socket.send(up);
    }, thinkDelay(config.thinkMs));
  };
  // Listening before `open` resolves: the welcome may arrive in the same chunk as the handshake.
  socket.on('message', (data: Buffer) => {
    const kind = data[0];
    if (kind === 0) seat = data[1];
    else if (kind === 1) planIfMine(data[2]);
    else if (kind === 2) {
      if (data[1] === seat && sentAt > 0) {
        events.ack(performance.now() - sentAt);
        sentAt = 0;
      }
      planIfMine(data[2]);
    }
  });
  socket.on('close', () => {
    if (timer) clearTimeout(timer);
    if (!stopping) closed++;
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    }),
    CONNECT_TIMEOUT_MS,
    'ws connect',
  );
  trackSocket((socket as unknown as { _socket: Socket })._socket);
  closers.add(() => socket.terminate());
}

async function requeue(connect: () => Promise<void>): Promise<void> {
  for (let attempt = 0; attempt < 3 && !stopping; attempt++) {
    await sleep(200 + Math.random() * config.thinkMs);
    try {
      return await connect();
    } catch {
      events.rejected('REQUEUE_FAILED');
    }
  }
}

const connectors: Record<WorkerConfig['kind'], (index: number) => Promise<void>> = {
  cabo: connectCabo,
  ttt: connectArenaTtt,
  bgio: connectBgioPair,
  ws: connectWs,
  join: async () => {},
};

/** Connects clients start..start+count-1 with bounded concurrency. */
async function add(count: number, start: number): Promise<FromWorker> {
  const began = performance.now();
  const perUnit = config.kind === 'bgio' ? 2 : 1; // a bgio "unit" is a pair of clients
  const units = Math.ceil(count / perUnit);
  let next = 0;
  let ok = 0;
  let failed = 0;
  const errors: Record<string, number> = {};
  const lane = async () => {
    while (next < units && !stopping) {
      const unit = next++;
      try {
        await connectors[config.kind](start + unit * perUnit);
        ok += perUnit;
      } catch (error) {
        failed += perUnit;
        const key = String((error as Error)?.message ?? error).slice(0, 80);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };
  const retriesBefore = joinRetries;
  await Promise.all(Array.from({ length: Math.min(units, config.concurrency) }, lane));
  clients += ok;
  if (joinRetries > retriesBefore) errors['retried quick-match join (room started meanwhile)'] = joinRetries - retriesBefore;
  return { type: 'added', ok, failed, ms: performance.now() - began, errors };
}

// ---- join latency -------------------------------------------------------------------------

async function timedJoins(mode: 'quick' | 'code', count: number, ratePerSecond: number, start: number): Promise<FromWorker> {
  const rooms: Room[] = [];
  const joinSamples: number[] = [];
  let failed = 0;
  const errors: Record<string, number> = {};
  // By code: rooms created first (not timed), each admitting `perRoom` more players.
  const perRoom = 5;
  const codes: string[] = [];
  if (mode === 'code') {
    const hosts = Math.ceil(count / perRoom);
    for (let i = 0; i < hosts; i++) {
      const { room } = await arenaRoom(start + count + i, (client) => client.create('cabo', { maxPlayers: perRoom + 1, private: true }));
      room.onMessage('*', () => {});
      rooms.push(room);
      codes.push(room.roomId);
    }
  }
  const tokens = await Promise.all(Array.from({ length: count }, (_, i) => identity(start + i)));
  const began = performance.now();
  const joins: Promise<void>[] = [];
  for (let i = 0; i < count && !stopping; i++) {
    const due = began + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t0 = performance.now();
    const join = async (): Promise<Room> => {
      // A quick-match join that lost the race for a room's last seat is retried, as a client
      // would; the time until the join succeeds is what is measured.
      for (let attempt = 1; ; attempt++) {
        const client = new Client(config.endpoint);
        client.auth.token = tokens[i].token;
        try {
          return await (mode === 'quick'
            ? client.joinOrCreate('cabo', { mode: 'quick', maxPlayers: config.roomSize })
            : client.joinById(codes[Math.floor(i / perRoom)]));
        } catch (error) {
          if (attempt >= 5 || !RETRYABLE.test(String((error as Error)?.message))) throw error;
          errors['retried (room started meanwhile)'] = (errors['retried (room started meanwhile)'] ?? 0) + 1;
        }
      }
    };
    joins.push(
      withTimeout(join(), CONNECT_TIMEOUT_MS, 'join')
        .then((room) => {
          joinSamples.push(performance.now() - t0);
          room.onMessage('*', () => {});
          rooms.push(room);
        })
        .catch((error) => {
          failed++;
          const key = String((error as Error)?.message ?? error).slice(0, 80);
          errors[key] = (errors[key] ?? 0) + 1;
        }),
    );
  }
  await Promise.all(joins);
  const elapsed = performance.now() - began;
  await Promise.race([Promise.all(rooms.map((room) => room.leave(true).catch(() => {}))), sleep(5000)]);
  const slow = joinSamples.filter((ms) => ms > 100).length;
  if (slow) errors[`joins slower than 100 ms`] = slow;
  return { type: 'joins', samples: joinSamples, failed, errors, seconds: elapsed / 1000 };
}

// ---- IPC ----------------------------------------------------------------------------------

function reply(message: FromWorker): void {
  process.send?.(message);
}

function windowReport(): WindowReport {
  const seconds = (performance.now() - windowStart.at) / 1000;
  const cpu = process.cpuUsage(windowStart.cpu);
  return {
    type: 'window',
    samples,
    slowBySecond: Array.from({ length: Math.ceil(seconds) }, (_, i) => slowBySecond[i] ?? 0),
    acks,
    matches,
    rejected,
    closed,
    requeues,
    clients,
    bytes: bytesReceived() - windowStart.bytes,
    seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
    rssBytes: process.memoryUsage().rss,
  };
}

process.on('message', async (message: ToWorker) => {
  try {
    switch (message.type) {
      case 'add':
        return reply(await add(message.count, message.start));
      case 'window-start':
        samples = [];
        slowBySecond = [];
        acks = matches = closed = requeues = 0;
        rejected = {};
        lag.reset();
        windowStart = { bytes: bytesReceived(), cpu: process.cpuUsage(), at: performance.now() };
        return reply({ type: 'ready' });
      case 'window-end':
        return reply(windowReport());
      case 'joins':
        return reply(await timedJoins(message.mode, message.count, message.ratePerSecond, message.start));
      case 'stop':
        stopping = true;
        for (const close of closers) close();
        await sleep(300);
        reply({ type: 'stopped' });
        setTimeout(() => process.exit(0), 100);
        return;
    }
  } catch (error) {
    reply({ type: 'failed', error: String((error as Error)?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
