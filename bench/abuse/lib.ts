/**
 * Helpers of bench/abuse.ts: an Arena server started from any checkout as a child process,
 * guest tokens, bounded waits, /proc readings. Every wait here has a timeout.
 */
import { spawn, execFileSync, type ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { cpuTicksFromStat, rssFromStatus } from '../lib/stats';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TimeoutError extends Error {}

/** `promise`, or a TimeoutError after `ms` (the promise itself keeps running; its outcome is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => {}); // a late rejection after the timeout must not become unhandled
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function freePort(): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    }),
    5000,
    'free port',
  );
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) used by `pid` so far; NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    return cpuTicksFromStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** VmRSS of `pid` in MB; NaN when it is gone. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    return rssFromStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8')) / (1024 * 1024);
  } catch {
    return NaN;
  }
}

/** CPU % (100 = one core) of `pid` from now until the returned function is called. */
export function cpuMeter(pid: number | undefined): () => number {
  const started = cpuSeconds(pid);
  const at = performance.now();
  return () => ((cpuSeconds(pid) - started) / ((performance.now() - at) / 1000)) * 100;
}

// ---- children and temp dirs: all killed / removed on exit, whatever happens ----------------

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
  tempDirs.delete(dir);
}

/** Synchronous last resort (process 'exit'): SIGKILL every child still running, remove temp dirs. */
export function killEverything(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(3000)]);
  }
}

/** tsx's CommonJS hook, preferably from the server checkout's own node_modules. */
export function tsxCjs(dir: string): string {
  try {
    return require.resolve('tsx/cjs', { paths: [dir] });
  } catch {
    return require.resolve('tsx/cjs');
  }
}

// ---- the server under test ---------------------------------------------------------------

export interface Server {
  dir: string;
  pid: number;
  port: number;
  http: string;
  ws: string;
  output(): string;
  stop(): Promise<void>;
}

export function checkServerDir(dir: string): string {
  const resolved = path.resolve(dir);
  for (const file of ['src/index.ts', 'tsconfig.json']) {
    if (!fs.existsSync(path.join(resolved, file))) throw new Error(`${resolved} is not an Arena checkout: ${file} is missing`);
  }
  return resolved;
}

/** `node --require tsx/cjs <dir>/src/index.ts` (as test/support/process.ts), healthy within 40 s. */
export async function startServer(dir: string): Promise<Server> {
  const port = await freePort();
  const dataDir = makeTempDir('arena-abuse-');
  const child = track(
    spawn(process.execPath, ['--require', tsxCjs(dir), path.join(dir, 'src/index.ts')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: path.join(dir, 'tsconfig.json'),
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const http = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, 4000);
    removeTempDir(dataDir);
  };
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`server in ${dir} exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-2000)}`);
    }
    try {
      const response = await fetch(`${http}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server in ${dir} did not answer /healthz 200 within 40 s:\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }
  return { dir, pid: child.pid!, port, http, ws: `ws://127.0.0.1:${port}`, output: () => output, stop };
}

/** Runs `work` against a fresh server, which is stopped (and its data dir removed) afterwards. */
export async function withServer<T>(dir: string, work: (server: Server) => Promise<T>): Promise<T> {
  const server = await startServer(dir);
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

// ---- HTTP ------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  body: any;
}

export async function request(url: string, options: { method?: string; token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

/** A guest token; waits out `429 RATE_LIMITED` (2 tokens/s per address after a burst of 30), at most 15 s. */
export async function guestToken(server: Server, name: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await request(`${server.http}/api/auth/guest`, { body: { name } });
    if (answer.status === 201 && typeof answer.body?.token === 'string') return answer.body.token;
    if (answer.status !== 429 || Date.now() > deadline) {
      throw new Error(`POST /api/auth/guest ${name}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
    await sleep(600);
  }
}

/** `{status, code, message}` of an HTTP error answer. */
export function httpRefusal(answer: HttpAnswer): { status: number; code: string; message: string } {
  const error = answer.body?.error;
  return {
    status: answer.status,
    code: typeof error?.code === 'string' ? error.code : '',
    message: typeof error?.message === 'string' ? error.message : String(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)).slice(0, 200),
  };
}

/** `{status, message}` of a colyseus.js rejection (ServerError / MatchMakeError / anything). */
export function joinRefusal(error: unknown): { status: string; message: string } {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  if (error instanceof TimeoutError) return { status: 'timeout', message: error.message };
  return {
    status: e?.code !== undefined ? String(e.code) : String(e?.name ?? 'error'),
    message: typeof e?.message === 'string' ? e.message.slice(0, 200) : String(error).slice(0, 200),
  };
}

// ---- numbers ---------------------------------------------------------------------------------

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
