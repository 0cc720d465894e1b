/**
 * Environment → typed, validated settings. The only module that reads `process.env`.
 *
 * `@colyseus/tools` loads `/etc/environment` (with override) and `.env` files as a side effect of
 * being imported. Arena's settings come from the environment the operator passed, so the
 * environment is snapshotted before that import and restored right after it: files can neither
 * override a variable nor add one behind the operator's back.
 */
import fs from 'fs';
import path from 'path';
import crypto from 'crypto';
import net from 'net';
import { z } from 'zod';
import { DEFAULT_LIMITS, type LimitSettings } from './limits/userLimits';

const operatorEnvironment = { ...process.env };
withConsoleMuted(() => require('@colyseus/tools'));
restoreEnvironment(operatorEnvironment);

function withConsoleMuted(load: () => unknown): void {
  const { info } = console;
  console.info = () => {}; // tools and dotenv announce files whose effect is undone below
  process.env.DOTENV_CONFIG_QUIET = 'true';
  try {
    load();
  } finally {
    console.info = info;
  }
}

function restoreEnvironment(snapshot: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) {
    if (!(key in snapshot)) delete process.env[key];
  }
  Object.assign(process.env, snapshot);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

/**
 * A whole number in `[min, max]` written in decimal digits only. `Number()` would also read
 * `0x1F90`, `1e3`, `+80`, ` 80` or `12.0`; an operator who wrote those meant something else.
 */
const decimalInteger = (min: number, max: number, fallback: number) => {
  const range = `must be between ${min} and ${max}`;
  return z.preprocess(
    emptyAsUndefined,
    z.string()
      .regex(/^[0-9]+$/, `must be a whole number in decimal digits (${min}-${max})`)
      .transform(Number)
      .pipe(z.number().min(min, range).max(max, range))
      .default(String(fallback)),
  );
};

const environmentSchema = z.object({
  PORT: decimalInteger(1, 65535, 2567),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  JWT_SECRET: optional(z.string().min(32, 'must be at least 32 characters (256 bits for HS256)')),
  MONITOR_PASSWORD: optional(z.string().min(8, 'must be at least 8 characters')),
  MONITOR_USER: z.preprocess(emptyAsUndefined, z.string().min(1).default('admin')),
  REDIS_URL: optional(z.string().url().refine((url) => /^rediss?:/.test(url), 'must be a redis:// or rediss:// URL')),
  DATABASE_URL: optional(z.string().url().refine((url) => /^postgres(ql)?:/.test(url), 'must be a postgres:// URL')),
  DATABASE_SCHEMA: z.preprocess(emptyAsUndefined, z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('public')),
  PUBLIC_ADDRESS: optional(z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?(\/[\w./-]*)?$/, 'must look like host[:port][/path]')),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(LOG_LEVELS).default('info')),
  LEASE_SECONDS: decimalInteger(3, 300, 30),
  SHUTDOWN_TIMEOUT_SECONDS: decimalInteger(1, 300, 10),
  DATA_DIR_LOCK_STALE_SECONDS: decimalInteger(2, 300, 10),
  TRUST_PROXY: optional(z.string().transform((value, ctx) => parseTrustProxy(value, ctx))),
  MAX_OPEN_ROOMS_PER_USER: decimalInteger(1, 10_000, DEFAULT_LIMITS.maxOpenRoomsPerUser),
  ROOM_CREATIONS_PER_MINUTE: decimalInteger(1, 100_000, DEFAULT_LIMITS.roomCreationsPerMinute),
  MAX_CONNECTIONS_PER_USER: decimalInteger(1, 10_000, DEFAULT_LIMITS.maxConnectionsPerUser),
});

/** Names express knows for address ranges, besides addresses and CIDR blocks. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY`: a number of proxy hops in front of Arena, or the addresses (IPs, CIDR blocks,
 * `loopback`, `linklocal`, `uniquelocal`) of the proxies whose `X-Forwarded-For` is believed.
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  if (/^[0-9]+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const invalid = entries.find((entry) => !PROXY_RANGES.has(entry) && net.isIP(entry.split('/')[0]) === 0);
  if (entries.length === 0 || invalid !== undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a hop count or a comma-separated list of proxy addresses (${invalid ?? value} is neither)` });
    return z.NEVER;
  }
  return entries;
}

/** Typed settings of one Arena process. */
export interface Settings {
  port: number;
  /** Directory for the SQLite file and the generated JWT secret. */
  dataDir: string;
  jwtSecret: string;
  /** Whether `jwtSecret` was generated and kept in `dataDir` (not passed in). */
  jwtSecretGenerated: boolean;
  /** Basic-auth credentials of the monitor; the monitor is not mounted without them. */
  monitor?: { user: string; password: string };
  redisUrl?: string;
  databaseUrl?: string;
  /** PostgreSQL schema holding Arena's tables (created if missing). */
  databaseSchema: string;
  publicAddress?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** How long a process's claim on its live rooms outlasts its last heartbeat (PostgreSQL adoption). */
  leaseSeconds: number;
  /** Which proxies' `X-Forwarded-For` gives the client address (limits, logs); none by default. */
  trustProxy: TrustProxy;
  /** Per-user and per-address limits. */
  limits: LimitSettings;
}

/** Express' `trust proxy`: `false` (none), a hop count, or proxy addresses. */
export type TrustProxy = false | number | string[];

/** Settings of the process around {@link Settings}: read by the entry point only (`src/index.ts`). */
export interface ProcessSettings extends Settings {
  /** How long a shutdown (SIGTERM/SIGINT) may take before the process gives up and exits 1. */
  shutdownTimeoutSeconds: number;
  /**
   * After how long without a refresh the `DATA_DIR` lock of a process counts as abandoned (its
   * owner refreshes it every second); bounds how long a restart after a crash waits for it.
   */
  dataDirLockStaleSeconds: number;
}

/** A setting that cannot be used; the message names the variable. */
export class ConfigError extends Error {}

/** Reads and validates settings; creates `DATA_DIR` and the JWT secret file when needed. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): ProcessSettings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const dataDir = path.resolve(vars.DATA_DIR);
  ensureDataDir(dataDir);
  const secret = vars.JWT_SECRET ?? readOrCreateSecret(dataDir);
  return {
    port: vars.PORT,
    dataDir,
    jwtSecret: secret,
    jwtSecretGenerated: vars.JWT_SECRET === undefined,
    monitor: vars.MONITOR_PASSWORD ? { user: vars.MONITOR_USER, password: vars.MONITOR_PASSWORD } : undefined,
    redisUrl: vars.REDIS_URL,
    databaseUrl: vars.DATABASE_URL,
    databaseSchema: vars.DATABASE_SCHEMA,
    publicAddress: vars.PUBLIC_ADDRESS,
    logLevel: vars.LOG_LEVEL,
    leaseSeconds: vars.LEASE_SECONDS,
    trustProxy: vars.TRUST_PROXY ?? false,
    limits: {
      ...DEFAULT_LIMITS,
      maxOpenRoomsPerUser: vars.MAX_OPEN_ROOMS_PER_USER,
      roomCreationsPerMinute: vars.ROOM_CREATIONS_PER_MINUTE,
      maxConnectionsPerUser: vars.MAX_CONNECTIONS_PER_USER,
    },
    shutdownTimeoutSeconds: vars.SHUTDOWN_TIMEOUT_SECONDS,
    dataDirLockStaleSeconds: vars.DATA_DIR_LOCK_STALE_SECONDS,
  };
}

function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (error) {
    throw new ConfigError(`DATA_DIR: cannot write to ${dataDir} (${(error as Error).message})`);
  }
}

const SECRET_FILE = 'jwt-secret';

/** A generated secret survives restarts so issued tokens stay valid. */
function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, SECRET_FILE);
  if (fs.existsSync(file)) {
    const stored = fs.readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return stored;
    throw new ConfigError(`JWT_SECRET: the generated secret in ${file} is corrupt; delete it or set JWT_SECRET`);
  }
  try {
    fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing DATA_DIR won the race; its secret is the one to use.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readOrCreateSecret(dataDir);
}
