/**
 * Abuse measurements: three ways one client can hurt an Arena server, measured against real
 * server processes started from one or two checkouts.
 *
 *   npx tsx bench/abuse.ts [--server-dir <path>] [--compare <before-dir>] [--reps 3,2,1]
 *                          [--only 1,2,3] [--ping-ms 50] [--json <file>]
 *
 * --server-dir  root of the Arena checkout to start (default: the checkout this file lives in)
 * --compare     also start <before-dir>; runs alternate before/after per repetition and the
 *               report is a table with both columns (before = --compare, after = --server-dir)
 * --reps        repetitions of scenarios 1, 2, 3 (default 3,2,1); one number applies to all
 * --only        run only these scenarios
 * --ping-ms     bystander ping interval in scenario 1 (default 50)
 * --json        also write every raw figure to this file
 *
 * 1. Junk-frame flood vs. a bystander's ping latency (cabo room: host, bystander, attacker).
 * 2. Lobby flood (tiny `filter` messages, attacker not reading) vs. server memory (RSS).
 * 3. What one guest token can do per minute: rooms over HTTP, rooms over colyseus.js, sockets.
 *
 * Every run gets a fresh server process (own temp DATA_DIR, LOG_LEVEL=warn), which is killed
 * afterwards; every wait is bounded; the whole script stops itself after 25 minutes.
 */
import { fork, type ChildProcess } from 'child_process';
import fs from 'fs';
import path from 'path';
import { Client, type Room } from 'colyseus.js';
import type WebSocket from 'ws';
import type { Socket } from 'net';
import {
  checkServerDir,
  cpuMeter,
  guestToken,
  httpRefusal,
  joinRefusal,
  killEverything,
  percentile,
  request,
  round,
  rssMb,
  sleep,
  startServer,
  stopChild,
  track,
  tsxCjs,
  withTimeout,
  type Server,
} from './abuse/lib';
import type { AttackerConfig, FromAttacker, ToAttacker } from './abuse/attacker';

const ROOT = path.resolve(__dirname, '..');
const ATTACKER = path.join(__dirname, 'abuse/attacker.ts');

// ---- command line ------------------------------------------------------------------------------

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

const known = new Set(['--server-dir', '--compare', '--reps', '--only', '--ping-ms', '--json']);
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--') && !known.has(arg)) {
    process.stderr.write(`abuse: unknown option ${arg}\n`);
    process.exit(64);
  }
}

const AFTER_DIR = checkServerDir(argValue('--server-dir') ?? ROOT);
const compareArg = argValue('--compare');
const BEFORE_DIR = compareArg === undefined ? undefined : checkServerDir(compareArg);
const repsArg = (argValue('--reps') ?? '3,2,1').split(',').map(Number);
if (repsArg.some((n) => !Number.isInteger(n) || n < 1 || n > 10)) throw new Error('--reps: integers 1–10');
const REPS = [repsArg[0], repsArg[1] ?? repsArg[0], repsArg[2] ?? repsArg[0]];
const ONLY = new Set((argValue('--only') ?? '1,2,3').split(',').map((s) => s.trim()));
const PING_MS = Number(argValue('--ping-ms') ?? 50);
const JSON_OUT = argValue('--json');

type Side = 'before' | 'after';
const SIDES: Array<{ side: Side; dir: string }> = BEFORE_DIR
  ? [
      { side: 'before', dir: BEFORE_DIR },
      { side: 'after', dir: AFTER_DIR },
    ]
  : [{ side: 'after', dir: AFTER_DIR }];

// Scenario parameters (printed with the report).
const PHASE_MS = 8000; // scenario 1: baseline and each attack
const FRAME_BYTES = 4000; // under Colyseus' 4 kB maxPayload
const ATTACKER_MAX_BUFFERED = 1024 * 1024;
const LOBBY_ROOMS = 50;
const LOBBY_MESSAGES = 56_000;
/**
 * The `filter` payload of scenario 2. Colyseus' LobbyRoom answers `filter {}` with an EMPTY list
 * (`{}.name !== room.name` excludes every room), so `{}` would not make answers large; a filter
 * on the game name answers with every public cabo room, which is what the scenario needs.
 */
const LOBBY_FILTER = { name: 'cabo' };
const LOBBY_WINDOW_MS = 15_000; // RSS sampled this long after the flood starts (also read at 10 s)
const LOBBY_MARK_MS = 10_000;
const CREATE_WINDOW_MS = 10_000;
const CREATE_CONCURRENCY = 4;
const MAX_SOCKETS = 400;

const began = Date.now();
const log = (text: string) => process.stderr.write(`[abuse ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

// ---- results -------------------------------------------------------------------------------------

type Value = number | string;
interface Row {
  scenario: string;
  metric: string;
  digits: number;
  values: Record<Side, Value[]>;
}
const rows: Row[] = [];

function record(side: Side, scenario: string, metric: string, value: Value, digits = 1): void {
  let row = rows.find((r) => r.scenario === scenario && r.metric === metric);
  if (!row) {
    row = { scenario, metric, digits, values: { before: [], after: [] } };
    rows.push(row);
  }
  row.values[side].push(value);
}

function formatNumber(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatCell(values: Value[], digits: number): string {
  if (values.length === 0) return '–';
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const texts = values.filter((v) => typeof v !== 'number' || !Number.isFinite(v)).map(String);
  const parts: string[] = [];
  if (numbers.length > 0) {
    const sorted = [...numbers].sort((a, b) => a - b);
    const lo = formatNumber(sorted[0], digits);
    const hi = formatNumber(sorted[sorted.length - 1], digits);
    if (lo === hi) parts.push(numbers.length > 1 ? `${lo} (×${numbers.length})` : lo);
    else parts.push(`${formatNumber(percentile(sorted, 50), digits)} (${lo}–${hi})`);
  }
  const unique = [...new Set(texts)];
  for (const text of unique) {
    const count = texts.filter((t) => t === text).length;
    parts.push(values.length > 1 && count > 1 ? `${text} (×${count})` : text);
  }
  return parts.join('; ');
}

function table(): string {
  const header = BEFORE_DIR
    ? ['scenario', 'metric', `before (${BEFORE_DIR})`, `after (${AFTER_DIR})`]
    : ['scenario', 'metric', AFTER_DIR];
  const lines = rows.map((row) =>
    BEFORE_DIR
      ? [row.scenario, row.metric, formatCell(row.values.before, row.digits), formatCell(row.values.after, row.digits)]
      : [row.scenario, row.metric, formatCell(row.values.after, row.digits)],
  );
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.map(escape).join(' | ')} |`).join('\n');
}

// ---- a run: one fresh server, bounded in time, everything it started cleaned up ------------------

interface Run {
  server: Server;
  side: Side;
  rep: number;
  /** Called (in reverse order) when the run ends, however it ends. */
  defer(cleanup: () => unknown): void;
}

async function run(side: Side, dir: string, rep: number, label: string, budgetMs: number, work: (run: Run) => Promise<void>): Promise<void> {
  const cleanups: Array<() => unknown> = [];
  let server: Server | undefined;
  const startedAt = Date.now();
  const name = `${label} [${BEFORE_DIR ? side : 'run'} #${rep + 1}]`;
  try {
    server = await startServer(dir);
    log(`${name} server pid ${server.pid} on :${server.port} (${dir})`);
    const context: Run = { server, side, rep, defer: (cleanup) => cleanups.push(cleanup) };
    await withTimeout(work(context), budgetMs, `${label} (${side} #${rep + 1})`);
    const errors = loggedErrors(server.output());
    if (errors.count > 0) {
      log(`${name} the server logged ${errors.count} error(s), first: ${errors.first}`);
      record(side, label, 'server logged errors (count, first)', `${errors.count}: ${errors.first}`);
    }
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split('\n')[0].slice(0, 160);
    log(`${name} FAILED: ${message}`);
    record(side, label, 'run failed', message);
    if (server) process.stderr.write(`--- server output (last 1500 chars) ---\n${server.output().slice(-1500)}\n---\n`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await withTimeout(Promise.resolve().then(cleanup), 5000, 'cleanup');
      } catch {
        // best effort
      }
    }
    await server?.stop();
    log(`${name} done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }
}

/** Lines of pino level ≥ 50 (error, fatal) in the server's output. */
function loggedErrors(output: string): { count: number; first: string } {
  let count = 0;
  let first = '';
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 50) continue;
      count++;
      first ||= `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`.split('\n')[0].trim().slice(0, 160);
    } catch {
      // not a log line
    }
  }
  return { count, first };
}

function client(server: Server, token: string): Client {
  const c = new Client(server.ws);
  c.auth.token = token;
  return c;
}

function rawSocket(room: Room): WebSocket {
  return (room.connection as unknown as { transport: { ws: WebSocket } }).transport.ws;
}

function leaveQuietly(room: Room): Promise<unknown> {
  return withTimeout(room.leave(true), 3000, 'leave').catch(() => rawSocket(room)?.terminate());
}

// ---- scenario 1: junk frames vs. a bystander's ping --------------------------------------------

const S1 = '1 junk frames';

interface PingStats {
  sent: number;
  pongs: number;
  rateLimited: number;
  otherErrors: number;
  rtts: number[];
}

const now = () => performance.timeOrigin + performance.now();

/** The bystander: `ping {t}` every PING_MS, round trip to `pong`. */
class Pinger {
  private current?: { stats: PingStats; from: number; until: number };
  left?: number;

  constructor(room: Room) {
    room.onMessage('pong', (message: { t?: unknown }) => {
      const phase = this.current;
      if (!phase || typeof message?.t !== 'number' || message.t < phase.from || message.t > phase.until) return;
      phase.stats.pongs++;
      phase.stats.rtts.push(now() - message.t);
    });
    room.onMessage('error', (message: { code?: unknown }) => {
      if (!this.current) return;
      if (message?.code === 'RATE_LIMITED') this.current.stats.rateLimited++;
      else this.current.stats.otherErrors++;
    });
    room.onMessage('*', () => {});
    room.onLeave((code) => (this.left ??= code));
    this.room = room;
  }

  private readonly room: Room;

  async measure(durationMs: number): Promise<PingStats> {
    const stats: PingStats = { sent: 0, pongs: 0, rateLimited: 0, otherErrors: 0, rtts: [] };
    const phase = { stats, from: now(), until: Infinity };
    this.current = phase;
    const timer = setInterval(() => {
      if (this.left !== undefined) return;
      stats.sent++;
      this.room.send('ping', { t: now() });
    }, PING_MS);
    await sleep(durationMs);
    clearInterval(timer);
    phase.until = now();
    // Late pongs of this phase still count (they are the slow ones); give them 1.5 s.
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline && stats.pongs + stats.rateLimited + stats.otherErrors < stats.sent) await sleep(20);
    this.current = undefined;
    return stats;
  }
}

function recordPing(side: Side, prefix: string, stats: PingStats): void {
  record(side, S1, `${prefix}: bystander ping p50 ms`, round(percentile(stats.rtts, 50), 2), 2);
  record(side, S1, `${prefix}: bystander ping p99 ms`, round(percentile(stats.rtts, 99), 2), 2);
  record(side, S1, `${prefix}: bystander ping max ms`, round(percentile(stats.rtts, 100), 2), 2);
  record(side, S1, `${prefix}: pings sent / pongs / RATE_LIMITED / unanswered`, `${stats.sent} / ${stats.pongs} / ${stats.rateLimited} / ${stats.sent - stats.pongs - stats.rateLimited - stats.otherErrors}`);
}

interface Attacker {
  child: ChildProcess;
  go(durationMs: number): void;
  result(timeoutMs: number): Promise<Extract<FromAttacker, { type: 'result' }>>;
}

async function startAttacker(server: Server, token: string, code: string, mode: AttackerConfig['mode']): Promise<Attacker> {
  const config: AttackerConfig = { ws: server.ws, token, code, mode, frameBytes: FRAME_BYTES, maxBufferedBytes: ATTACKER_MAX_BUFFERED };
  const child = track(
    fork(ATTACKER, [], {
      cwd: ROOT,
      execArgv: ['--require', tsxCjs(ROOT)],
      env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'), ABUSE_ATTACKER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const inbox: FromAttacker[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (message: FromAttacker) => {
    inbox.push(message);
    waiters.splice(0).forEach((wake) => wake());
  });
  child.on('exit', () => waiters.splice(0).forEach((wake) => wake()));
  const next = async (timeoutMs: number): Promise<FromAttacker> => {
    const deadline = Date.now() + timeoutMs;
    while (inbox.length === 0) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`attacker exited (${child.exitCode ?? child.signalCode}): ${output.slice(-500)}`);
      if (Date.now() > deadline) throw new Error(`attacker: no message within ${timeoutMs} ms: ${output.slice(-500)}`);
      await Promise.race([new Promise<void>((wake) => waiters.push(wake)), sleep(Math.max(1, deadline - Date.now()))]);
    }
    return inbox.shift()!;
  };
  const first = await next(30_000);
  if (first.type !== 'joined') {
    await stopChild(child, 1000);
    throw new Error(`attacker could not join: ${first.type === 'failed' ? first.error : first.type}`);
  }
  return {
    child,
    go: (durationMs) => child.send({ type: 'go', durationMs } satisfies ToAttacker),
    async result(timeoutMs) {
      const message = await next(timeoutMs);
      if (message.type !== 'result') throw new Error(`attacker: ${message.type === 'failed' ? message.error : message.type}`);
      return message;
    },
  };
}

async function scenarioJunk({ server, side, rep, defer }: Run): Promise<void> {
  const tag = `${rep}`;
  const hostToken = await guestToken(server, `host-${tag}`);
  const bystanderToken = await guestToken(server, `bystander-${tag}`);
  const host = await withTimeout(client(server, hostToken).create('cabo', {}), 15_000, 'host create cabo');
  host.onMessage('*', () => {});
  defer(() => leaveQuietly(host));
  const code = host.roomId;
  const bystanderRoom = await withTimeout(client(server, bystanderToken).joinById(code, {}), 15_000, 'bystander joinById');
  defer(() => leaveQuietly(bystanderRoom));
  const bystander = new Pinger(bystanderRoom);
  await sleep(500);

  const serverCpu = cpuMeter(server.pid);
  const baseline = await bystander.measure(PHASE_MS);
  record(side, S1, 'baseline: server CPU %', round(serverCpu(), 0), 0);
  recordPing(side, 'baseline', baseline);
  log(`  baseline: p50 ${percentile(baseline.rtts, 50).toFixed(2)} p99 ${percentile(baseline.rtts, 99).toFixed(2)} max ${percentile(baseline.rtts, 100).toFixed(2)} ms (${baseline.pongs} pongs, ${baseline.rateLimited} RATE_LIMITED)`);

  const variants: Array<{ mode: AttackerConfig['mode']; label: string }> = [
    { mode: 'unknown-code', label: '0xEE frames' },
    { mode: 'bad-msgpack', label: 'ROOM_DATA+bad msgpack' },
  ];
  for (const { mode, label } of variants) {
    await sleep(1000);
    const token = await guestToken(server, `attacker-${mode}-${tag}`);
    const attacker = await startAttacker(server, token, code, mode);
    defer(() => stopChild(attacker.child, 1000));
    await sleep(500);
    const cpu = cpuMeter(server.pid);
    const measuring = bystander.measure(PHASE_MS);
    attacker.go(PHASE_MS);
    const [stats, result] = await Promise.all([measuring, attacker.result(PHASE_MS + 15_000)]);
    record(side, S1, `${label}: server CPU %`, round(cpu(), 0), 0);
    recordPing(side, label, stats);
    // Rates over a connection that lasted a few ms only measure the kernel's socket buffers.
    const long = result.activeSeconds >= 1;
    const mbPerSecond = result.bytesSent / 1e6 / Math.max(result.activeSeconds, 0.001);
    record(side, S1, `${label}: attacker CPU % (while connected)`, long ? round(result.cpuPercent, 0) : '– (connected < 1 s)', 0);
    record(side, S1, `${label}: attacker sent MB/s (while connected)`, long ? round(mbPerSecond, 1) : '– (connected < 1 s)');
    record(side, S1, `${label}: attacker sent MB in total`, round(result.bytesSent / 1e6, 1));
    const closed = result.closed ? `yes: ${result.closed.code} after ${result.closed.atSeconds.toFixed(2)} s` : `no (${(PHASE_MS / 1000).toFixed(0)} s)`;
    record(side, S1, `${label}: attacker disconnected`, closed);
    if (bystander.left !== undefined) record(side, S1, `${label}: bystander disconnected`, `yes: ${bystander.left}`);
    log(`  ${label}: p50 ${percentile(stats.rtts, 50).toFixed(2)} p99 ${percentile(stats.rtts, 99).toFixed(2)} max ${percentile(stats.rtts, 100).toFixed(2)} ms; attacker ${mbPerSecond.toFixed(1)} MB/s, disconnected: ${closed}`);
    await stopChild(attacker.child, 2000);
  }
}

// ---- scenario 2: lobby flood vs. server memory -------------------------------------------------

const S2 = '2 lobby flood';

async function healthzClients(server: Server): Promise<number> {
  const answer = await request(`${server.http}/healthz`, { timeoutMs: 2000 });
  return typeof answer.body?.clients === 'number' ? answer.body.clients : NaN;
}

async function scenarioLobby({ server, side, rep, defer }: Run): Promise<void> {
  const attackerToken = await guestToken(server, `lobby-attacker-${rep}`);

  // ~50 public rooms, so that every lobby answer is large; a new user whenever one is refused.
  let created = 0;
  let users = 0;
  let refusal: string | undefined;
  const createDeadline = Date.now() + 20_000;
  while (created < LOBBY_ROOMS && users < 25 && Date.now() < createDeadline) {
    const token = await guestToken(server, `lobby-host-${rep}-${users++}`);
    while (created < LOBBY_ROOMS && Date.now() < createDeadline) {
      const answer = await request(`${server.http}/api/rooms`, { token, body: { game: 'cabo' } });
      if (answer.status === 201) created++;
      else {
        const r = httpRefusal(answer);
        refusal ??= `${r.status} ${r.code} "${r.message.slice(0, 80)}"`;
        break;
      }
    }
  }
  record(side, S2, 'public rooms created (users needed)', `${created} (${users}${refusal ? `; refused: ${refusal}` : ''})`);

  const lobby = await withTimeout(client(server, attackerToken).joinOrCreate('lobby', {}), 15_000, 'lobby joinOrCreate');
  let listed = -1;
  lobby.onMessage('rooms', (list: unknown[]) => (listed = Array.isArray(list) ? list.length : -1));
  lobby.onMessage('+', () => {});
  lobby.onMessage('-', () => {});
  lobby.onMessage('*', () => {});
  const ws = rawSocket(lobby);
  const socket = (ws as unknown as { _socket: Socket })._socket;
  defer(() => ws.terminate());
  const state: { closed?: { code: number; at: number } } = {};
  ws.on('close', (code) => (state.closed ??= { code, at: performance.now() }));
  ws.on('error', () => {});

  // Size of one answer, measured on the wire.
  let answerBytes = 0;
  const measureSize = (data: Buffer | ArrayBuffer | Buffer[]) => {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
    answerBytes = Math.max(answerBytes, size);
  };
  ws.on('message', measureSize);
  listed = -1;
  lobby.send('filter', LOBBY_FILTER);
  const sizeDeadline = Date.now() + 5000;
  while ((listed < 0 || answerBytes === 0) && Date.now() < sizeDeadline) await sleep(20);
  ws.off('message', measureSize);
  record(side, S2, `rooms in one lobby answer (filter ${JSON.stringify(LOBBY_FILTER)})`, listed, 0);
  record(side, S2, 'bytes of one lobby answer', answerBytes, 0);
  await sleep(1000);

  const rssBefore = rssMb(server.pid);
  const cpu = cpuMeter(server.pid);
  socket.pause(); // the attacker stops reading: every answer piles up in the server
  const started = performance.now();
  const samples: Array<{ rss: number; at: number }> = [];
  let rssAtMark = NaN;
  const sampler = setInterval(() => {
    const rss = rssMb(server.pid);
    const at = (performance.now() - started) / 1000;
    samples.push({ rss, at });
    if (Number.isNaN(rssAtMark) && at * 1000 >= LOBBY_MARK_MS) rssAtMark = rss;
  }, 100);
  defer(() => clearInterval(sampler));
  // The server's own view: /healthz `clients` (the attacker is the only client of this server).
  let droppedAt: number | undefined;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const clients = await healthzClients(server).catch(() => NaN);
      if (clients === 0 && droppedAt === undefined) droppedAt = (performance.now() - started) / 1000;
      await sleep(250);
    }
  })();
  defer(() => (polling = false));

  let sent = 0;
  const sendDeadline = started + LOBBY_WINDOW_MS;
  while (sent < LOBBY_MESSAGES && ws.readyState === ws.OPEN && performance.now() < sendDeadline) {
    for (let i = 0; i < 1000 && sent < LOBBY_MESSAGES && ws.readyState === ws.OPEN; i++) {
      lobby.send('filter', LOBBY_FILTER);
      sent++;
    }
    if (ws.bufferedAmount > ATTACKER_MAX_BUFFERED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 10);
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
  const sendSeconds = (performance.now() - started) / 1000;
  log(`  sent ${sent} filter messages in ${sendSeconds.toFixed(2)} s`);
  while (performance.now() - started < LOBBY_WINDOW_MS) await sleep(100);
  clearInterval(sampler);
  const rssAtEnd = rssMb(server.pid);
  const peakRss = Math.max(rssBefore, ...samples.map((sample) => sample.rss));
  // When the growth levelled off: the first sample with 95 % of the growth.
  const levelledAt = samples.find((sample) => sample.rss - rssBefore >= 0.95 * (peakRss - rssBefore))?.at ?? 0;
  const serverCpu = cpu();
  polling = false;
  await withTimeout(poller, 3000, 'healthz poller').catch(() => {});

  // Read again (without colyseus.js decoding the backlog) to learn whether and how the server closed.
  (ws as unknown as { onmessage: unknown }).onmessage = null;
  ws.removeAllListeners('message');
  let answersRead = 0;
  let bytesRead = 0;
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    if (state.closed) return;
    answersRead++;
    bytesRead += Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
  });
  socket.resume();
  const closeDeadline = Date.now() + 8000;
  while (!state.closed && Date.now() < closeDeadline) await sleep(50);
  const clientsAfter = await healthzClients(server).catch(() => NaN);
  const closed = state.closed;
  if (!closed) ws.terminate();
  await sleep(3000);
  const rssAfter = rssMb(server.pid);

  record(side, S2, 'filter messages sent (seconds to send)', `${sent} (${sendSeconds.toFixed(1)} s)`);
  record(side, S2, 'server RSS before MB', round(rssBefore, 0), 0);
  record(side, S2, `server RSS at ${LOBBY_MARK_MS / 1000} s MB`, round(rssAtMark, 0), 0);
  record(side, S2, `server RSS peak MB (first ${LOBBY_WINDOW_MS / 1000} s)`, round(peakRss, 0), 0);
  record(side, S2, 'server RSS growth reached 95 % of its peak after s', round(levelledAt, 1));
  record(side, S2, `server RSS at ${LOBBY_WINDOW_MS / 1000} s MB`, round(rssAtEnd, 0), 0);
  record(side, S2, 'server RSS 3 s after the attacker is gone MB', round(rssAfter, 0), 0);
  record(side, S2, 'server CPU % during the window', round(serverCpu, 0), 0);
  record(side, S2, 'server released the attacker socket (healthz clients → 0)', droppedAt === undefined ? `no (within ${LOBBY_WINDOW_MS / 1000} s)` : `yes, after ≈${droppedAt.toFixed(1)} s`);
  record(side, S2, 'attacker close code (read after the window)', closed ? String(closed.code) : `none (still open; server clients=${clientsAfter})`);
  record(side, S2, 'messages that reached the attacker before the close (MB)', `${answersRead} (${(bytesRead / 1e6).toFixed(1)} MB)`);
  log(`  RSS before ${rssBefore.toFixed(0)} MB, peak ${peakRss.toFixed(0)} MB (95 % at ${levelledAt.toFixed(1)} s), at end ${rssAtEnd.toFixed(0)} MB, after ${rssAfter.toFixed(0)} MB; dropped: ${droppedAt?.toFixed(1) ?? 'no'}; close ${closed?.code ?? 'none'}`);
}

// ---- scenario 3: what one token can do -----------------------------------------------------------

const S3 = '3 per-token limits';

interface Tally {
  accepted: number;
  refused: Map<string, number>;
  first?: { status: string; message: string; at: number };
}

function tallyRefusal(tally: Tally, status: string, message: string, started: number): void {
  tally.refused.set(status, (tally.refused.get(status) ?? 0) + 1);
  tally.first ??= { status, message, at: (performance.now() - started) / 1000 };
}

function recordTally(side: Side, prefix: string, tally: Tally, seconds: number): void {
  record(side, S3, `${prefix}: accepted in ${seconds.toFixed(0)} s`, tally.accepted, 0);
  record(side, S3, `${prefix}: accepted per minute (extrapolated)`, round((tally.accepted / seconds) * 60, 0), 0);
  const refused = [...tally.refused].map(([status, n]) => `${n}× ${status}`).join(', ');
  record(side, S3, `${prefix}: refusals`, refused || 'none');
  record(side, S3, `${prefix}: first refusal`, tally.first ? `${tally.first.status} "${tally.first.message}" after ${tally.first.at.toFixed(2)} s` : 'none');
  log(`  ${prefix}: ${tally.accepted} accepted, refusals: ${refused || 'none'}; first: ${tally.first ? `${tally.first.status} ${tally.first.message}` : 'none'}`);
}

async function scenarioHttpCreates({ server, side, rep }: Run): Promise<void> {
  const token = await guestToken(server, `http-creator-${rep}`);
  const tally: Tally = { accepted: 0, refused: new Map() };
  const started = performance.now();
  const end = started + CREATE_WINDOW_MS;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (performance.now() < end) {
        try {
          const answer = await request(`${server.http}/api/rooms`, { token, body: { game: 'cabo' } });
          if (answer.status === 201) tally.accepted++;
          else {
            const r = httpRefusal(answer);
            tallyRefusal(tally, `${r.status} ${r.code}`.trim(), r.message, started);
          }
        } catch (error) {
          tallyRefusal(tally, 'network', String((error as Error)?.message ?? error).slice(0, 120), started);
          await sleep(50);
        }
      }
    }),
  );
  recordTally(side, 'POST /api/rooms', tally, (performance.now() - started) / 1000);
}

async function scenarioWsCreates({ server, side, rep }: Run): Promise<void> {
  const token = await guestToken(server, `ws-creator-${rep}`);
  const c = client(server, token);
  const tally: Tally = { accepted: 0, refused: new Map() };
  const closeCodes = new Map<number, number>();
  const started = performance.now();
  const end = started + CREATE_WINDOW_MS;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (performance.now() < end) {
        try {
          const room = await withTimeout(c.create('cabo', {}), 10_000, 'client.create');
          tally.accepted++;
          room.onMessage('*', () => {});
          room.onLeave((code) => {
            if (code !== 4000) closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
          });
          await leaveQuietly(room); // leave right after: only the creation rate counts, not held sockets
        } catch (error) {
          const r = joinRefusal(error);
          tallyRefusal(tally, r.status, r.message, started);
          if (r.status === 'timeout' || r.status === 'error') await sleep(50);
        }
      }
    }),
  );
  recordTally(side, 'client.create("cabo")', tally, (performance.now() - started) / 1000);
  if (closeCodes.size > 0) record(side, S3, 'client.create("cabo"): closed by the server', [...closeCodes].map(([code, n]) => `${n}× ${code}`).join(', '));
}

async function scenarioSockets({ server, side, rep, defer }: Run): Promise<void> {
  const token = await guestToken(server, `sockets-${rep}`);
  const c = client(server, token);
  const rooms: Room[] = [];
  defer(() => Promise.all(rooms.map((room) => rawSocket(room)?.terminate())));
  const closeCodes = new Map<number, number>();
  let refusal: string | undefined;
  const started = performance.now();
  while (rooms.length < MAX_SOCKETS && performance.now() - started < 30_000) {
    try {
      const room = await withTimeout(c.joinOrCreate('lobby', {}), 10_000, 'lobby joinOrCreate');
      room.onMessage('*', () => {});
      room.onLeave((code) => closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1));
      rooms.push(room);
    } catch (error) {
      const r = joinRefusal(error);
      refusal = `${r.status} "${r.message}"`;
      break;
    }
  }
  await sleep(1000);
  const open = rooms.filter((room) => rawSocket(room)?.readyState === 1).length;
  record(side, S3, `lobby sockets opened with one token (stops at first refusal or ${MAX_SOCKETS})`, rooms.length, 0);
  record(side, S3, 'lobby sockets of that token still open 1 s later', open, 0);
  record(side, S3, 'lobby sockets: first refusal', refusal ?? `none (${MAX_SOCKETS} tried)`);
  if (closeCodes.size > 0) record(side, S3, 'lobby sockets closed by the server', [...closeCodes].map(([code, n]) => `${n}× ${code}`).join(', '));
  log(`  sockets: ${rooms.length} opened, ${open} still open; refusal: ${refusal ?? 'none'}`);
}

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`after: ${AFTER_DIR}${BEFORE_DIR ? `; before: ${BEFORE_DIR}` : ''}; reps ${REPS.join(',')}; scenarios ${[...ONLY].join(',')}`);
  const interleaved = async (label: string, reps: number, budgetMs: number, work: (run: Run) => Promise<void>) => {
    for (let rep = 0; rep < reps; rep++) {
      // Alternate which side goes first, so that drift on a noisy machine hits both.
      const order = rep % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const { side, dir } of order) await run(side, dir, rep, label, budgetMs, work);
    }
  };
  if (ONLY.has('1')) await interleaved(S1, REPS[0], 90_000, scenarioJunk);
  if (ONLY.has('2')) await interleaved(S2, REPS[1], 90_000, scenarioLobby);
  if (ONLY.has('3')) {
    await interleaved(`${S3}`, REPS[2], 40_000, scenarioHttpCreates);
    await interleaved(`${S3}`, REPS[2], 40_000, scenarioWsCreates);
    await interleaved(`${S3}`, REPS[2], 60_000, scenarioSockets);
  }

  const seconds = (Date.now() - began) / 1000;
  const settings = [
    `Scenario 1: ${PHASE_MS / 1000} s per phase, bystander ping every ${PING_MS} ms (Arena's limit is 10 messages/s, burst 20: the surplus is answered RATE_LIMITED, only pongs are timed), attacker in its own process writing ${FRAME_BYTES}-byte binary frames with ws.bufferedAmount < ${ATTACKER_MAX_BUFFERED / 1024} kB, no reconnection after a disconnect.`,
    `Scenario 2: ${LOBBY_ROOMS} public cabo rooms via POST /api/rooms, attacker's socket paused (ws._socket.pause()), ${LOBBY_MESSAGES.toLocaleString('en-US')} \`filter ${JSON.stringify(LOBBY_FILTER)}\` messages, VmRSS sampled every 100 ms for ${LOBBY_WINDOW_MS / 1000} s; then the attacker reads again (answers counted, not decoded) to see the close code. Colyseus' own keep-alive (ping every 3 s, socket terminated after 2 missed pongs) drops a client that does not read after 6–9 s in every version: the healthz time mostly shows that.`,
    `Scenario 3: ${CREATE_WINDOW_MS / 1000} s per creation path, ${CREATE_CONCURRENCY} requests in flight, one token each; client.create rooms are left right away; sockets: sequential lobby joins with one token.`,
    `With ≈100 pongs per phase the nearest-rank p99 is the slowest pong, so p99 = max in scenario 1.`,
    `Values: one per run; several runs print median (min–max). Every run used a fresh server process. Total ${seconds.toFixed(0)} s.`,
  ];
  const text = `\n${table()}\n\n${settings.map((line) => `- ${line}`).join('\n')}\n`;
  process.stdout.write(text);
  if (JSON_OUT) {
    fs.writeFileSync(JSON_OUT, JSON.stringify({ after: AFTER_DIR, before: BEFORE_DIR, reps: REPS, pingMs: PING_MS, seconds, rows }, null, 2));
    log(`raw figures: ${JSON_OUT}`);
  }
}

process.on('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    killEverything();
    process.exit(130);
  });
}
process.on('unhandledRejection', (error) => log(`unhandled rejection (ignored): ${String((error as Error)?.message ?? error).slice(0, 200)}`));

const hardStop = setTimeout(() => {
  log('exceeded the hard time limit (25 min)');
  killEverything();
  process.exit(2);
}, 25 * 60_000);
hardStop.unref();

main()
  .catch((error) => {
    process.stderr.write(`abuse: ${String(error?.stack ?? error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killEverything();
    setTimeout(() => process.exit(), 200);
  });
