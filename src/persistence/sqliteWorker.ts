/**
 * The storage worker thread (see `workerStorage.ts`): opens the SQLite file (integrity checks,
 * migrations), then runs every request in arrival order on its one connection. A request's `now`
 * is the caller's clock, so updatedAt and fencing see the time of the rooms' process.
 */
import { parentPort, workerData } from 'worker_threads';
import { openSqliteHere } from './open';
import { serializeError, type StorageReply, type StorageRequest, type WorkerOptions, type WorkerStarted } from './workerStorage';

const port = parentPort!;
let clock = Date.now();
let queue: Promise<void> = Promise.resolve();

const opening = openSqliteHere({ ...(workerData as WorkerOptions), now: () => clock });
opening.then(
  () => port.postMessage({ ready: true } satisfies WorkerStarted),
  (error) => port.postMessage({ ready: false, error: serializeError(error) } satisfies WorkerStarted),
);

port.on('message', (request: StorageRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle({ id, method, args, now }: StorageRequest): Promise<void> {
  let reply: StorageReply;
  try {
    const storage = await opening;
    clock = now;
    const result = await (storage[method] as (...values: unknown[]) => Promise<unknown>).apply(storage, args);
    reply = { id, result };
  } catch (error) {
    reply = { id, error: serializeError(error) };
  }
  port.postMessage(reply);
}
