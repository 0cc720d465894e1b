/**
 * The embedded SQLite storage, run on a worker thread. better-sqlite3 is synchronous: on the rooms'
 * event loop every fsync (and every wait for another writer's lock) would stall every room of the
 * process at once. Here the loop only posts a request and later receives its answer; the worker
 * (`sqliteWorker.ts`) owns the one connection and runs requests one after another, so a kysely
 * transaction never interleaves with a journal batch.
 *
 * Storage errors cross the thread boundary as data and come back as instances of the same classes
 * (`LeaseLostError`, `InvalidInputError`, …) with the same message and fields.
 */
import path from 'path';
import { Worker } from 'worker_threads';
import { StorageDamagedError } from './sqliteIntegrity';
import {
  DuplicateEventError,
  DuplicateGameError,
  InvalidInputError,
  LeaseLostError,
  RoomNotFoundError,
  StorageError,
  type Storage,
} from './storage';

/** What the worker needs to open the file (see `OpenStorageOptions` in open.ts). */
export interface WorkerOptions {
  dataDir: string;
  busyTimeoutMs?: number;
}

export type StorageMethod = Exclude<keyof Storage, 'backend'>;

export interface StorageRequest {
  id: number;
  method: StorageMethod;
  args: unknown[];
  /** The caller's clock at the request (updatedAt, fencing). */
  now: number;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

export type StorageReply = { id: number; result: unknown } | { id: number; error: SerializedError };
export type WorkerStarted = { ready: true } | { ready: false; error: SerializedError };

const ERROR_CLASSES: Record<string, new (...args: any[]) => Error> = {
  StorageError,
  InvalidInputError,
  DuplicateEventError,
  RoomNotFoundError,
  LeaseLostError,
  DuplicateGameError,
  StorageDamagedError,
};

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (isCloneable(value)) fields[key] = value;
  return { name: error.constructor.name, message: error.message, stack: error.stack, fields };
}

function isCloneable(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value);
}

/** The error again, as an instance of its class (plain `Error` for classes storage does not define). */
export function reviveError(serialized: SerializedError): Error {
  const Class = ERROR_CLASSES[serialized.name] ?? Error;
  const error = Object.create(Class.prototype) as Error;
  Object.assign(error, serialized.fields);
  Object.defineProperty(error, 'message', { value: serialized.message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: serialized.stack, writable: true, configurable: true });
  return error;
}

/** Starts the worker; resolves once the file is checked, migrated and open (or rejects with why not). */
export async function openSqliteWorker(options: WorkerOptions & { now?: () => number }): Promise<Storage> {
  const { now = Date.now, dataDir, busyTimeoutMs } = options; // a clock cannot cross threads: each request carries `now`
  const workerData: WorkerOptions = { dataDir, busyTimeoutMs };
  const worker = new Worker(workerFile(), { workerData, execArgv: workerExecArgv() });
  // Only this function's listeners may go: removeAllListeners() would take Node's own from the worker.
  const started = await new Promise<WorkerStarted>((resolve, reject) => {
    const exited = (code: number) => reject(new Error(`SQLite storage worker exited (code ${code}) before it opened`));
    worker.once('message', (message: WorkerStarted) => {
      worker.off('error', reject).off('exit', exited);
      resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', exited);
  });
  if (!started.ready) {
    await worker.terminate();
    throw reviveError(started.error);
  }
  return new WorkerStorage(worker, now);
}

/** The worker's module beside this one: compiled JavaScript in production, TypeScript under tsx. */
function workerFile(): string {
  return path.join(__dirname, `sqliteWorker${path.extname(__filename)}`);
}

function workerExecArgv(): string[] {
  if (path.extname(__filename) !== '.ts') return [];
  return ['--require', require.resolve('tsx/cjs')]; // tests and tools run the sources through tsx
}

class WorkerStorage implements Storage {
  readonly backend = 'sqlite' as const;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private stopped?: Error;
  private closing?: Promise<void>;

  constructor(
    private readonly worker: Worker,
    private readonly now: () => number,
  ) {
    worker.unref(); // only a request in flight keeps the process alive
    worker.on('message', (reply: StorageReply) => this.answered(reply));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`SQLite storage worker exited (code ${code})`)));
  }

  saveLiveRoom = this.method('saveLiveRoom');
  appendEvent = this.method('appendEvent');
  commitJournal = this.method('commitJournal');
  loadLiveRoom = this.method('loadLiveRoom');
  listLiveRooms = this.method('listLiveRooms');
  deleteLiveRoom = this.method('deleteLiveRoom');
  renewLeases = this.method('renewLeases');
  claimExpiredRooms = this.method('claimExpiredRooms');
  releaseRoom = this.method('releaseRoom');
  archiveGame = this.method('archiveGame');
  getGame = this.method('getGame');
  listGamesOfUser = this.method('listGamesOfUser');

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.stopped) await this.call('close', []);
      this.stopped ??= new Error('storage is closed');
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private method<M extends Exclude<StorageMethod, 'close'>>(name: M): Storage[M] {
    return ((...args: unknown[]) => this.call(name, args)) as Storage[M];
  }

  private call(method: StorageMethod, args: unknown[]): Promise<any> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const request: StorageRequest = { id, method, args, now: this.now() };
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage(request);
      } catch (error) {
        // A function or a class instance in a payload: JSON would not keep it either.
        return reject(new InvalidInputError(`${method} arguments`, `are not JSON-serialisable (${(error as Error).message})`));
      }
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
    });
  }

  private answered(reply: StorageReply): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) call.reject(reviveError(reply.error));
    else call.resolve(reply.result);
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const call of this.pending.values()) call.reject(reason);
    this.pending.clear();
  }
}
