/** Runs Arena as a real child process (`node --require tsx/cjs src/index.ts`), as `npm start` does. */
import { spawn, type ChildProcess } from 'child_process';
import path from 'path';
import { freePort } from './arena';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = path.join(ROOT, 'src/index.ts');

export interface ArenaProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Polls `/healthz` until it answers 200. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export function startArenaProcess(env: Record<string, string>, options: { cwd?: string } = {}): ArenaProcess {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), ENTRY], {
    cwd: options.cwd ?? ROOT,
    // tsx finds tsconfig.json (decorator settings) relative to the cwd; tests may run elsewhere.
    env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const baseUrl = `http://127.0.0.1:${env.PORT}`;

  async function waitUntilHealthy(timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    exited.then(() => (done = true));
    while (Date.now() < deadline && !done) {
      try {
        if ((await fetch(`${baseUrl}/healthz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Arena did not become healthy at ${baseUrl}:\n${output}`);
  }

  return {
    child,
    baseUrl,
    output: () => output,
    exited,
    waitUntilHealthy,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The environment of a server a test will `kill -9` and start again on the same data: a fresh
 * port and DATA_DIR, the backend's database if any, and a short DATA_DIR lock lapse so that the
 * restart takes the directory over within ~3 s.
 */
export async function startCrashableServer(dataDir: string, selection: { databaseUrl?: string; databaseSchema?: string }): Promise<{ server: ArenaProcess; env: Record<string, string>; url: string }> {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATA_DIR_LOCK_STALE_SECONDS: '2' };
  if (selection.databaseUrl) Object.assign(env, { DATABASE_URL: selection.databaseUrl, DATABASE_SCHEMA: selection.databaseSchema! });
  const server = startArenaProcess(env);
  await server.waitUntilHealthy();
  return { server, env, url: `ws://127.0.0.1:${port}` };
}
