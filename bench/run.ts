/**
 * `npm run bench`: one run, every server a child process, every client in separate load
 * processes, all on 127.0.0.1, bounded in count and time (< 10 min on 2 cores):
 *   1. Arena Cabo CCU ramp (4-player quick-match rooms, think time 1 s) up to the first step
 *      whose action → ack p99 exceeds 50 ms;
 *   2. join latency: 1,000 quick-match joins and 1,000 joins by code at 100/s;
 *   3. tic-tac-toe, Arena vs boardgame.io (same rules, same bots, same client counts);
 *   4. the physical ceiling: a bare `ws` server relaying messages of Arena's sizes.
 * Prints a table and writes bench/results/<time>.json (+ latest.json, latest.md).
 *
 *   npm run bench [-- --only journal,cabo,join,ttt,bgio,ws] [--steps 1000,2000] [--window 10] [--profile]
 *   npm run bench:smoke      # tiny counts, a few seconds per phase; exits 1 only if a step cannot run
 *   npm run bench -- --only cabo --journal-tmpfs   # what-if: journal without a real fsync (labelled)
 */
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseFlags } from '../loadtest/common';
import { summarize } from './lib/stats';
import { ROOT, Worker, cpuSeconds, openFilesLimit, pinToCpu, rssBytes, sleep, startArena, startBenchServer, type ServerHandle } from './lib/processes';
import type { WindowReport, WorkerConfig } from './lib/protocol';
import { formatReport, worstSecondsShare, type BenchReport, type JoinResult, type StepResult } from './lib/report';
import { journalCost } from './lib/journalCost';

const flags = parseFlags(process.argv.slice(2));
const smoke = flags.smoke === true;
const only = typeof flags.only === 'string' ? new Set(flags.only.split(',')) : undefined;
const enabled = (phase: string) => !only || only.has(phase);

const P99_TARGET_MS = 50;
const THINK_MS = smoke ? 200 : 1000;
const WINDOW_MS = (typeof flags.window === 'string' ? Number(flags.window) : smoke ? 2 : 10) * 1000;
const SETTLE_MS = smoke ? 1500 : 4000;
/** Client counts of the ramps: fine steps where the servers give out, coarse ones for bare ws. */
const CUSTOM_STEPS = typeof flags.steps === 'string' ? flags.steps.split(',').map(Number) : undefined;
const STEPS = CUSTOM_STEPS ?? (smoke ? [8] : [1000, 2000, 3000, 4000, 5000, 7500, 10000, 20000]);
const WS_STEPS = CUSTOM_STEPS ?? (smoke ? [8] : [1000, 2000, 5000, 10000, 20000]);
const JOINS = smoke ? { count: 20, rate: 20 } : { count: 1000, rate: 100 };
const WORKERS = smoke ? 1 : 2;
const CONCURRENCY = smoke ? 1 : 16;
/** Whole-run budget: no new step starts once it would end past this. */
const BUDGET_MS = smoke ? 120_000 : 9 * 60_000 + 15_000;
const began = Date.now();
const runId = crypto.randomBytes(3).toString('hex');
const secret = crypto.randomBytes(32).toString('base64url');
const problems: string[] = [];
const notes: string[] = [];

function log(message: string): void {
  const seconds = ((Date.now() - began) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${seconds}s] ${message}\n`);
}

function remainingMs(): number {
  return BUDGET_MS - (Date.now() - began);
}

/**
 * `--journal-tmpfs` (never the default): Arena's data directory on tmpfs, where fsync costs
 * nothing — a what-if run that shows what the journal's fsync costs. The report says so on top.
 */
const JOURNAL_TMPFS = flags['journal-tmpfs'] === true;

function tempDir(): string {
  return fs.mkdtempSync(path.join(JOURNAL_TMPFS ? '/dev/shm' : os.tmpdir(), 'arena-bench-'));
}

/**
 * `--pin` (opt-in): each server under test gets CPU 0 (all its threads) and the load processes
 * and this one CPU 1, like a server and its clients on separate machines. Measured on the 2-core
 * machine it did not help (the server's GC and libuv threads then compete with its main thread),
 * so by default the OS schedules everything over both CPUs.
 */
const PIN = os.cpus().length >= 2 && flags.pin === true;
if (PIN) pinToCpu(process.pid, 1);

function pinServer(server: ServerHandle): ServerHandle {
  if (PIN && !pinToCpu(server.pid, 0)) notes.push('could not pin the server to CPU 0 (taskset failed)');
  return server;
}

function workersFor(kind: WorkerConfig['kind'], endpoint: string, extra: Partial<WorkerConfig> = {}, count = WORKERS): Worker[] {
  const workers = Array.from({ length: count }, (_, workerId) => new Worker({
    kind,
    workerId,
    runId: `${runId}${kind}`,
    endpoint,
    secret,
    thinkMs: THINK_MS,
    roomSize: kind === 'ttt' || kind === 'bgio' ? 2 : 4,
    concurrency: CONCURRENCY,
    ...extra,
  }));
  if (PIN) for (const worker of workers) pinToCpu(worker.pid, 1);
  return workers;
}

/** Splits `total` into `parts` counts that are multiples of `unit` where possible. */
function split(total: number, parts: number, unit: number): number[] {
  const units = Math.floor(total / unit);
  const counts = Array.from({ length: parts }, (_, i) => (Math.floor(units / parts) + (i < units % parts ? 1 : 0)) * unit);
  counts[parts - 1] += total - units * unit;
  return counts;
}

interface RampOptions {
  label: string;
  server: ServerHandle;
  workers: Worker[];
  steps: number[];
  roomSize: number;
  /** This phase may not start a step after this many ms from now. */
  budgetMs: number;
  /** Joins per second expected while ramping (to tell whether a step fits the budget). */
  joinRate: number;
}

/** Adds clients step by step; measures each step over a window; stops at the first missed step. */
async function ramp({ label, server, workers, steps, roomSize, budgetMs, joinRate }: RampOptions): Promise<StepResult[]> {
  const phaseEnd = Date.now() + Math.min(budgetMs, remainingMs());
  const results: StepResult[] = [];
  const baseline = rssBytes(server.pid);
  const fdLimit = openFilesLimit(server.pid);
  let connected = 0;
  let next = 0;
  for (const step of steps) {
    const estimateMs = SETTLE_MS + WINDOW_MS + ((step - connected) / joinRate) * 1000;
    if (step + 200 > fdLimit) {
      notes.push(`${label}: ${step.toLocaleString()} clients not attempted: the server process may open ${fdLimit} files (hard limit of this machine, \`ulimit -Hn\`), one per socket`);
      break;
    }
    if (Date.now() + estimateMs > phaseEnd) {
      notes.push(`${label}: ${step.toLocaleString()} clients not attempted: the phase's share of the 10-minute budget is spent`);
      break;
    }
    log(`${label}: ramping to ${step} clients`);
    try {
      const result = await measureStep(step);
      results.push(result);
      if (!result.holds) break;
    } catch (error) {
      // Keep the steps measured so far; this step is reported as not run.
      const message = String((error as Error)?.message ?? error).split('\n')[0];
      problems.push(`${label} at ${step} clients: ${message}`);
      log(`${label} ${step}: FAILED ${message}`);
      break;
    }
  }
  return results;

  async function measureStep(step: number): Promise<StepResult> {
    const started = Date.now();
    const counts = split(step - connected, workers.length, roomSize);
    const added = await Promise.all(
      workers.map((worker, i) => {
        const start = next;
        next += counts[i];
        return worker.request({ type: 'add', count: counts[i], start }, 'added', 60_000 + counts[i] * 50);
      }),
    );
    const ok = added.reduce((sum, a) => sum + a.ok, 0);
    const failed = added.reduce((sum, a) => sum + a.failed, 0);
    connected += ok;
    const connectSeconds = (Date.now() - started) / 1000;
    const joinErrors = Object.assign({}, ...added.map((a) => a.errors)) as Record<string, number>;
    await sleep(SETTLE_MS);

    await server.lag(); // resets the server's histogram
    const cpu0 = cpuSeconds(server.pid);
    const loadCpu0 = workers.map((w) => cpuSeconds(w.pid));
    const t0 = Date.now();
    await Promise.all(workers.map((w) => w.request({ type: 'window-start' }, 'ready', 10_000)));
    await sleep(WINDOW_MS);
    const windows = await Promise.all(workers.map((w) => w.request({ type: 'window-end' }, 'window', 30_000)));
    const seconds = (Date.now() - t0) / 1000;
    const serverCpu = ((cpuSeconds(server.pid) - cpu0) / seconds) * 100;
    const loadCpu = workers.reduce((sum, w, i) => sum + ((cpuSeconds(w.pid) - loadCpu0[i]) / seconds) * 100, 0);
    const lag = await server.lag();
    const rss = rssBytes(server.pid);
    const result = stepResult(step, connected, failed, connectSeconds, windows, seconds, { serverCpu, loadCpu, lag, rss, baseline, roomSize });
    result.joinErrors = joinErrors;
    log(
      `${label} ${step}: p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.actionsPerSecond.toFixed(0)} actions/s, ` +
        `server CPU ${serverCpu.toFixed(0)}%, load CPU ${loadCpu.toFixed(0)}%, lag p99 ${lag.p99Ms.toFixed(1)} / max ${lag.maxMs.toFixed(0)} ms` +
        `, load lag max ${result.loadLagMaxMs?.toFixed(0)} ms` +
        `, slow by second [${result.slowBySecond.join(' ')}]` +
        (failed ? `, ${failed} joins failed (${Object.keys(joinErrors).slice(0, 2).join('; ')})` : ''),
    );
    return result;
  }
}

function stepResult(
  step: number,
  connected: number,
  failed: number,
  connectSeconds: number,
  windows: WindowReport[],
  seconds: number,
  m: { serverCpu: number; loadCpu: number; lag: { p99Ms: number; maxMs: number }; rss: number; baseline: number; roomSize: number },
): StepResult {
  const latency = summarize(windows.flatMap((w) => w.samples));
  const acks = windows.reduce((sum, w) => sum + w.acks, 0);
  const bytes = windows.reduce((sum, w) => sum + w.bytes, 0);
  const matches = windows.reduce((sum, w) => sum + w.matches, 0);
  const slowBySecond: number[] = [];
  for (const w of windows) (w.slowBySecond ?? []).forEach((n, i) => (slowBySecond[i] = (slowBySecond[i] ?? 0) + n));
  const rejected: Record<string, number> = {};
  for (const w of windows) for (const [code, n] of Object.entries(w.rejected)) rejected[code] = (rejected[code] ?? 0) + n;
  const allConnected = connected >= step * 0.99;
  const ran = acks > 0;
  const holds = allConnected && ran && latency.p99 <= P99_TARGET_MS;
  const reason = !allConnected
    ? `only ${connected} of ${step} clients connected`
    : !ran
      ? 'no action was acknowledged'
      : latency.p99 > P99_TARGET_MS
        ? `p99 ${latency.p99.toFixed(2)} ms > ${P99_TARGET_MS} ms`
        : '';
  return {
    clients: step,
    connected,
    failedJoins: failed,
    connectSeconds,
    acks,
    actionsPerSecond: acks / seconds,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    maxMs: latency.max,
    matchesPerMinute: (matches * 60) / seconds,
    serverLagP99Ms: m.lag.p99Ms,
    serverLagMaxMs: m.lag.maxMs,
    serverCpuPercent: m.serverCpu,
    loadCpuPercent: m.loadCpu,
    loadLagP99Ms: Math.max(...windows.map((w) => w.lagP99Ms)),
    loadLagMaxMs: Math.max(...windows.map((w) => w.lagMaxMs)),
    serverRssMB: m.rss / 2 ** 20,
    rssPerClientKB: (m.rss - m.baseline) / 1024 / Math.max(1, connected),
    bytesPerAction: acks ? bytes / acks : NaN,
    bytesPerClientPerAction: acks ? bytes / acks / m.roomSize : NaN,
    rejected,
    slowBySecond,
    slowInWorst3s: worstSecondsShare(slowBySecond),
    closed: windows.reduce((sum, w) => sum + w.closed, 0),
    holds,
    reason,
  };
}

/** Runs one phase with its own server and workers; any failure is recorded, never thrown. */
async function phase<T>(name: string, body: () => Promise<T>): Promise<T | undefined> {
  if (!enabled(name)) return undefined;
  log(`— ${name} —`);
  try {
    return await body();
  } catch (error) {
    const message = `${name}: ${String((error as Error)?.message ?? error).split('\n').slice(0, 6).join('\n')}`;
    problems.push(message);
    log(`FAILED ${message}`);
    return undefined;
  }
}

async function withServerAndWorkers<T>(server: ServerHandle, workers: Worker[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
  }
}

function heldAt(steps: StepResult[] | undefined): number {
  return Math.max(0, ...(steps ?? []).filter((s) => s.holds).map((s) => s.clients));
}

async function main(): Promise<void> {
  const dataDirs: string[] = [];
  const newDataDir = () => {
    const dir = tempDir();
    dataDirs.push(dir);
    return dir;
  };
  const profileDir = flags.profile ? path.join(ROOT, 'bench/results/profiles') : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const report: BenchReport = {
    startedAt: new Date(began).toISOString(),
    smoke,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    settings: { journalOnTmpfs: JOURNAL_TMPFS, pinned: PIN, thinkMs: THINK_MS, windowSeconds: WINDOW_MS / 1000, settleSeconds: SETTLE_MS / 1000, p99TargetMs: P99_TARGET_MS, loadProcesses: WORKERS, steps: STEPS },
    phases: {},
    notes,
    problems,
  };

  try {
    // 0. What one journal append (an accepted action) costs, with and without a real fsync
    report.journal = await phase('journal', async () => {
      const results = await journalCost(smoke ? 50 : 1000);
      for (const r of results) {
        log(`journal append on ${r.where}, ${r.rooms} room(s) at once: mean ${r.meanUs.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs, ${r.appendsPerSecond.toFixed(0)}/s, ${r.appendsPerCommit.toFixed(1)} per commit`);
      }
      return results;
    });

    // 1. Arena Cabo ramp
    report.phases.cabo = await phase('cabo', async () => {
      const server = pinServer(await startArena({ secret, dataDir: newDataDir(), profileDir }));
      const workers = workersFor('cabo', `ws://127.0.0.1:${server.port}`);
      return withServerAndWorkers(server, workers, () =>
        ramp({ label: 'Arena Cabo', server, workers, steps: STEPS, roomSize: 4, budgetMs: smoke ? 60_000 : 200_000, joinRate: 100 }),
      );
    });

    // 2. Join latency (a fresh server: no leftovers of the ramp)
    report.phases.joins = await phase('join', async () => {
      const server = pinServer(await startArena({ secret, dataDir: newDataDir(), profileDir }));
      const workers = workersFor('join', `ws://127.0.0.1:${server.port}`, {}, 1);
      return withServerAndWorkers(server, workers, async () => {
        const results: JoinResult[] = [];
        for (const mode of ['quick', 'code'] as const) {
          log(`joins: ${JOINS.count} ${mode === 'quick' ? 'quick-match' : 'by-code'} joins at ${JOINS.rate}/s`);
          const timeout = (JOINS.count / JOINS.rate) * 1000 + 60_000;
          const cpu0 = cpuSeconds(server.pid);
          const t0 = Date.now();
          const reply = await workers[0].request({ type: 'joins', mode, count: JOINS.count, ratePerSecond: JOINS.rate, start: mode === 'quick' ? 0 : 100_000 }, 'joins', timeout);
          const latency = summarize(reply.samples);
          results.push({
            mode,
            joins: JOINS.count,
            ratePerSecond: JOINS.rate,
            ok: reply.samples.length,
            failed: reply.failed,
            p50Ms: latency.p50,
            p99Ms: latency.p99,
            maxMs: latency.max,
            serverCpuPercent: ((cpuSeconds(server.pid) - cpu0) / ((Date.now() - t0) / 1000)) * 100,
            errors: reply.errors,
          });
          log(`joins ${mode}: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, ${reply.failed} failed ${JSON.stringify(reply.errors)}`);
          if (reply.samples.length === 0) throw new Error(`no ${mode} join succeeded: ${JSON.stringify(reply.errors)}`);
        }
        return results;
      });
    });

    // 3. Tic-tac-toe: Arena, then boardgame.io, same steps
    const tttSteps = STEPS;
    report.phases.tictactoe = await phase('ttt', async () => {
      const server = pinServer(await startArena({ secret, dataDir: newDataDir() }));
      const workers = workersFor('ttt', `ws://127.0.0.1:${server.port}`);
      return withServerAndWorkers(server, workers, () =>
        ramp({ label: 'Arena tic-tac-toe', server, workers, steps: tttSteps, roomSize: 2, budgetMs: smoke ? 30_000 : 150_000, joinRate: 100 }),
      );
    });
    report.phases.boardgameio = await phase('bgio', async () => {
      const server = pinServer(await startBenchServer('bgio'));
      const workers = workersFor('bgio', `http://127.0.0.1:${server.port}`);
      return withServerAndWorkers(server, workers, () =>
        ramp({ label: 'boardgame.io tic-tac-toe', server, workers, steps: tttSteps, roomSize: 2, budgetMs: smoke ? 30_000 : 130_000, joinRate: 400 }),
      );
    });

    // 4. Bare ws relaying Arena Cabo's message sizes
    report.phases.ws = await phase('ws', async () => {
      const cabo = report.phases.cabo?.find((s) => Number.isFinite(s.bytesPerClientPerAction));
      // Patch bytes per client per action from the Cabo run (minus the 2-byte frame header).
      const downBytes = Math.max(8, Math.round((cabo?.bytesPerClientPerAction ?? 80) - 2));
      const upBytes = 32; // a Cabo action: type + msgpack payload with rid (`draw {source, rid}` ≈ 30 B)
      report.settings.wsMessageBytes = { up: upBytes, down: downBytes };
      const server = pinServer(await startBenchServer('ws', { ROOM_SIZE: '4', DOWN_BYTES: String(downBytes) }));
      const workers = workersFor('ws', `ws://127.0.0.1:${server.port}`, { upBytes });
      return withServerAndWorkers(server, workers, () =>
        ramp({ label: 'bare ws', server, workers, steps: WS_STEPS, roomSize: 4, budgetMs: smoke ? 30_000 : 90_000, joinRate: 2000 }),
      );
    });
  } finally {
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  report.finishedAt = new Date().toISOString();
  report.durationSeconds = (Date.now() - began) / 1000;
  report.summary = {
    caboHeldClients: heldAt(report.phases.cabo),
    tictactoeHeldClients: heldAt(report.phases.tictactoe),
    boardgameioHeldClients: heldAt(report.phases.boardgameio),
    wsHeldClients: heldAt(report.phases.ws),
  };

  const resultsDir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const name = `${smoke ? 'smoke-' : ''}${report.startedAt.replace(/[:.]/g, '-')}`;
  const text = formatReport(report);
  fs.writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(report, null, 2));
  // latest.* only for complete default runs (not --only, --steps or what-if runs)
  const partial = only !== undefined || CUSTOM_STEPS !== undefined || JOURNAL_TMPFS;
  const latest = smoke ? 'smoke-latest' : partial ? 'partial-latest' : 'latest';
  fs.writeFileSync(path.join(resultsDir, `${latest}.json`), JSON.stringify(report, null, 2));
  fs.writeFileSync(path.join(resultsDir, `${latest}.md`), text);
  process.stdout.write(`\n${text}\n`);
  log(`results: bench/results/${name}.json (${report.durationSeconds.toFixed(0)} s)`);

  // Exit status: a step that could not run fails the run; timing thresholds never do.
  const ranSomething = Object.values(report.phases).some((p) => p && (p as unknown[]).length > 0);
  if (problems.length > 0 || !ranSomething) {
    process.stderr.write(`bench: ${problems.length} phase(s) failed to run:\n${problems.join('\n')}\n`);
    process.exitCode = 1;
  }
  if (smoke) {
    const broken = ['cabo', 'tictactoe', 'boardgameio', 'ws'].flatMap((key) => {
      const steps = (report.phases as Record<string, StepResult[] | undefined>)[key];
      if (!steps) return [];
      return steps.filter((s) => s.connected < s.clients || s.acks === 0).map((s) => `${key}: ${s.reason}`);
    });
    if (broken.length > 0) {
      process.stderr.write(`bench:smoke: steps that did not run:\n${broken.join('\n')}\n`);
      process.exitCode = 1;
    }
  }
}

const hardStop = setTimeout(() => {
  process.stderr.write('bench: exceeded its hard time limit (11 min)\n');
  process.exit(2);
}, 11 * 60_000);
hardStop.unref();

main()
  .catch((error) => {
    process.stderr.write(`bench: ${String(error?.stack ?? error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 200));
