/**
 * The process and the services it depends on, at both ends of its life:
 * - at start, Redis and PostgreSQL are probed once, so an unreachable one stops the process at
 *   once with one line naming its variable, before Colyseus retries it noisily for seconds;
 * - at stop, the shutdown is bounded: Colyseus awaits Redis calls that never return while Redis
 *   is unreachable, and a process that ignores SIGTERM is worse than one that exits 1.
 */
import Redis from 'ioredis';
import { Client as PostgresClient } from 'pg';
import { matchMaker } from '@colyseus/core';
import type { Logger } from './logger';

/** How long a probe waits for a connection and for its answer. */
const PROBE_TIMEOUT_MS = 2500;

/** A configured service cannot be used. The message names the variable and the reason, on one line. */
export class ServiceUnavailableError extends Error {}

/** The services of {@link probeServices}: absent ones are not probed. */
export interface ServiceUrls {
  redisUrl?: string;
  databaseUrl?: string;
}

/**
 * Connects once to each configured service and runs one trivial command (`PING`, `select 1`),
 * then disconnects. Rejects with {@link ServiceUnavailableError} naming every service that did not
 * answer within ~2.5 s. Credentials never appear in the message.
 */
export async function probeServices(urls: ServiceUrls): Promise<void> {
  const probes: Array<Promise<string | undefined>> = [];
  if (urls.redisUrl) probes.push(failureOf('REDIS_URL', 'Redis', urls.redisUrl, probeRedis));
  if (urls.databaseUrl) probes.push(failureOf('DATABASE_URL', 'PostgreSQL', urls.databaseUrl, probePostgres));
  const failures = (await Promise.all(probes)).filter((failure): failure is string => failure !== undefined);
  if (failures.length > 0) throw new ServiceUnavailableError(failures.join('; '));
}

async function failureOf(variable: string, service: string, url: string, probe: (url: string) => Promise<void>): Promise<string | undefined> {
  try {
    await probe(url);
    return undefined;
  } catch (error) {
    return `${variable}: cannot use ${service} at ${whereTo(url)} (${reasonOf(error)})`;
  }
}

async function probeRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    enableReadyCheck: false,
    disableClientInfo: true, // its CLIENT SETINFO would wait out a timeout of its own first
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // one attempt: the answer is wanted now
  });
  // The socket's error says why; the rejection of connect() only says "Connection is closed."
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw socketError ?? error;
  } finally {
    redis.disconnect();
  }
}

async function probePostgres(url: string): Promise<void> {
  const client = new PostgresClient({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on('error', () => {}); // a late socket error after the probe failed
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    client.end().catch(() => {}); // not awaited: ending a connection that never opened may not settle
  }
}

/** Host, port and path of a service URL, without its credentials. */
function whereTo(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname === '/' ? '' : pathname}`;
  } catch {
    return 'the configured URL';
  }
}

/** One line: the error's message, or its code, or the messages of the errors it aggregates. */
function reasonOf(error: unknown): string {
  const { message, code, errors } = error as { message?: string; code?: string; errors?: unknown[] };
  if (message) return message.split('\n')[0];
  if (Array.isArray(errors) && errors.length > 0) return [...new Set(errors.map(reasonOf))].join(', ');
  return code ?? String(error);
}

// ------------------------------------------------------------------ shutdown

/** The steps of a shutdown, in order. */
export type ShutdownStep = 'startup' | 'discovery' | 'rooms' | 'storage' | 'lock';

const STEP_DESCRIPTIONS: Record<ShutdownStep, string> = {
  startup: 'starting up (not serving yet)',
  discovery: 'unregistering this process from discovery (Colyseus, presence)',
  rooms: 'disposing rooms and disconnecting clients (Colyseus: matchmaker, presence, driver)',
  storage: 'closing storage',
  lock: 'releasing the DATA_DIR lock',
};
const STEPS = Object.keys(STEP_DESCRIPTIONS) as ShutdownStep[];

/**
 * Bounds the shutdown: from the first SIGTERM or SIGINT, the process has `timeoutMs` to exit by
 * itself. If it has not, one error line names the step it was stuck in and the steps it never
 * reached, and the process exits 1. The steps are reported with {@link ShutdownDeadline.reached}.
 */
export class ShutdownDeadline {
  private step: ShutdownStep = 'startup';
  private armed = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Arms the deadline on the first SIGTERM or SIGINT (Colyseus handles the signal itself). */
  install(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => this.arm());
  }

  /** The shutdown (or the start) got as far as `step`. */
  reached(step: ShutdownStep): void {
    if (STEPS.indexOf(step) > STEPS.indexOf(this.step)) this.step = step;
  }

  /** Starts the countdown (idempotent); the signal handlers call it. */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    // Not unref'd: if the shutdown stalls with nothing else to run, this still reports it.
    setTimeout(() => this.expire(), this.timeoutMs);
  }

  private expire(): void {
    const seconds = this.timeoutMs / 1000;
    const pending = STEP_DESCRIPTIONS[this.step];
    const notDone = STEPS.slice(STEPS.indexOf(this.step) + 1).map((step) => STEP_DESCRIPTIONS[step]);
    const rest = notDone.length > 0 ? `; not done: ${notDone.join(', ')}` : '';
    this.logger.error(
      { pending, notDone, openRooms: matchMaker.stats.local.roomCount, timeoutSeconds: seconds },
      `shutdown did not finish within ${seconds} s, stuck ${pending}${rest}; exiting with code 1`,
    );
    process.exit(1);
  }
}
