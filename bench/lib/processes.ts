/** Child processes of the benchmark: servers under test and load workers, each bounded in time. */
import { spawn, fork, execFileSync, type ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';
import { cpuTicksFromStat, rssFromStatus } from './stats';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol';

export const ROOT = path.resolve(__dirname, '../..');
const TSX = ['--import', 'tsx'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Binds every thread of `pid` to CPU `cpu` (Linux `taskset`); false when that is not possible. */
export function pinToCpu(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  return cpuTicksFromStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLK_TCK;
}

export function rssBytes(pid: number): number {
  return rssFromStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Soft limit of open files of a process (what bounds its sockets). */
export function openFilesLimit(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft && /^\d+$/.test(soft) ? Number(soft) : Infinity;
}

export interface ServerHandle {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  /** Event-loop delay p99 and max (ms) since the previous call (the server resets it on each read). */
  lag(): Promise<{ p99Ms: number; maxMs: number }>;
  stop(): Promise<void>;
  output(): string;
}

function capture(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    // BENCH_SERVER_LOG: every server's output appended to that file (e.g. with --trace-gc).
    if (process.env.BENCH_SERVER_LOG) fs.appendFileSync(process.env.BENCH_SERVER_LOG, chunk);
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${output().slice(-2000)}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms:\n${output().slice(-2000)}`);
}

async function metricText(url: string): Promise<string> {
  const response = await fetch(url);
  return response.text();
}

export async function startArena(options: { secret: string; dataDir: string; profileDir?: string }): Promise<ServerHandle> {
  const port = await freePort();
  // BENCH_ARENA_NODE_ARGS: extra Node flags for the server under test (e.g. --trace-gc).
  const extra = (process.env.BENCH_ARENA_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The compiled server, as production runs it (built first if the sources are newer).
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'ignore' });
  const args = [...extra, ...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir, '--enable-source-maps'] : []), path.join(ROOT, 'dist/src/index.js')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      JWT_SECRET: options.secret,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = capture(child);
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${base}/healthz`)).status === 200, 30_000, 'Arena', child, output);
  const { prometheusValue } = await import('./stats');
  return {
    name: 'arena',
    child,
    pid: child.pid!,
    port,
    output,
    async lag() {
      const text = await metricText(`${base}/metrics`);
      const ms = (name: string) => (prometheusValue(text, name) ?? NaN) * 1000;
      return { p99Ms: ms('arena_process_nodejs_eventloop_lag_p99_seconds'), maxMs: ms('arena_process_nodejs_eventloop_lag_max_seconds') };
    },
    stop: () => stopChild(child, 15_000),
  };
}

/** boardgame.io or the bare ws server (bench/servers/*.ts), with `GET /bench/lag`. */
export async function startBenchServer(kind: 'bgio' | 'ws', env: Record<string, string> = {}): Promise<ServerHandle> {
  const port = await freePort();
  const lagPort = kind === 'bgio' ? await freePort() : port;
  const child = fork(path.join(ROOT, `bench/servers/${kind}.ts`), [], {
    cwd: ROOT,
    execArgv: TSX,
    env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'), NODE_ENV: 'production', PORT: String(port), LAG_PORT: String(lagPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = capture(child);
  let listening = false;
  child.on('message', (message: { type?: string }) => {
    if (message?.type === 'listening') listening = true;
  });
  await until(async () => listening, 30_000, kind, child, output);
  const { prometheusValue } = await import('./stats');
  return {
    name: kind,
    child,
    pid: child.pid!,
    port,
    output,
    async lag() {
      const text = await metricText(`http://127.0.0.1:${lagPort}/bench/lag`);
      const ms = (name: string) => (prometheusValue(text, name) ?? NaN) * 1000;
      return { p99Ms: ms('bench_eventloop_lag_p99_seconds'), maxMs: ms('bench_eventloop_lag_max_seconds') };
    },
    stop: () => stopChild(child, 5000),
  };
}

/** A load process (bench/worker.ts) answering one request at a time. */
export class Worker {
  readonly child: ChildProcess;
  private waiting: Array<{ resolve: (message: FromWorker) => void; reject: (error: Error) => void }> = [];
  private ready: Promise<void>;
  private output: () => string;

  constructor(readonly config: WorkerConfig) {
    this.child = fork(path.join(ROOT, 'bench/worker.ts'), [], {
      cwd: ROOT,
      execArgv: ['--max-old-space-size=4096', ...TSX],
      env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'), BENCH_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.output = capture(this.child);
    let first: () => void;
    this.ready = new Promise<void>((resolve) => (first = resolve));
    let started = false;
    this.child.on('message', (message: FromWorker) => {
      if (!started) {
        started = true;
        return first();
      }
      this.waiting.shift()?.resolve(message);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`worker ${config.workerId} exited (${code}):\n${this.output().slice(-2000)}`));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  async request<T extends FromWorker['type']>(message: ToWorker, expect: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
    await Promise.race([this.ready, sleep(30_000).then(() => Promise.reject(new Error('worker did not start within 30 s')))]);
    if (this.child.exitCode !== null) throw new Error(`worker ${this.config.workerId} is not running:\n${this.output().slice(-2000)}`);
    const reply = new Promise<FromWorker>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.send(message);
    });
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      reply,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`worker ${this.config.workerId}: no answer to ${message.type} within ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (answer.type === 'failed') throw new Error(`worker ${this.config.workerId}: ${answer.error}`);
    if (answer.type !== expect) throw new Error(`worker ${this.config.workerId}: expected ${expect}, got ${answer.type}`);
    return answer as Extract<FromWorker, { type: T }>;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.request({ type: 'stop' }, 'stopped', 10_000).catch(() => {});
    await stopChild(this.child, 3000);
  }
}
