import type { ArenaProcess } from './process';

/**
 * How a start ended: the exit code (or signal), or `'serving'` once `/healthz` answers 200. A
 * refusal test then fails at once, naming what happened, when the server starts anyway.
 */
export function startOutcome(server: ArenaProcess): Promise<number | string> {
  const serving = server.waitUntilHealthy().then(() => 'serving', () => server.exited);
  return Promise.race([server.exited, serving]);
}

/** The non-empty lines the process printed. */
export function outputLines(server: ArenaProcess): string[] {
  return server.output().split('\n').filter((line) => line.trim() !== '');
}
