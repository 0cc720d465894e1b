/**
 * What Arena's journal costs per accepted action, through the real path a room uses: RoomJournal
 * → JournalWriter (group commit) → storage (SQLite on its worker thread: WAL, synchronous=FULL),
 * on a data directory on disk (as the bench servers use) and on tmpfs (/dev/shm, where fsync costs
 * nothing; the difference is the fsync). Two shapes:
 * - one room appending alone: each append waits for its own commit (the latency floor);
 * - 200 rooms appending at once, each its next action as soon as the last is durable: group
 *   commit puts many rooms' appends into one transaction (appends per commit, appends/s).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { openStorage } from '../../src/persistence/open';
import { JournalWriter } from '../../src/persistence/journalWriter';
import { RoomJournal } from '../../src/persistence/roomJournal';
import { Lease } from '../../src/cluster/lease';
import { createLogger } from '../../src/logger';
import type { Storage } from '../../src/persistence/storage';
import { summarize } from './stats';

export interface JournalCost {
  where: string;
  rooms: number;
  appends: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  appendsPerSecond: number;
  appendsPerCommit: number;
}

const OWNER = 'bench';
const LEASE_MS = 60_000;

async function measure(base: string, where: string, rooms: number, appendsPerRoom: number): Promise<JournalCost> {
  const dir = fs.mkdtempSync(path.join(base, 'arena-journal-'));
  const storage = await openStorage({ dataDir: dir });
  let commits = 0;
  const commit = storage.commitJournal.bind(storage);
  storage.commitJournal = (batch) => (commits++, commit(batch));
  try {
    const writer = new JournalWriter(storage, OWNER);
    const lease = new Lease(LEASE_MS);
    lease.renewed(Date.now() + LEASE_MS);
    const journals = await Promise.all(Array.from({ length: rooms }, (_, index) => openJournal(storage, writer, lease, index)));
    commits = 0;
    const samples: number[] = [];
    const started = performance.now();
    await Promise.all(
      journals.map(async (journal, room) => {
        for (let seq = 1; seq <= appendsPerRoom; seq++) {
          const t0 = performance.now();
          await journal.append({ playerId: `w0-bench-${room}-${seq % 4}`, action: { type: 'draw', source: 'deck' }, at: Date.now() });
          samples.push((performance.now() - t0) * 1000);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const s = summarize(samples);
    return { where, rooms, appends: samples.length, meanUs: s.mean, p50Us: s.p50, p99Us: s.p99, appendsPerSecond: samples.length / seconds, appendsPerCommit: samples.length / commits };
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function openJournal(storage: Storage, writer: JournalWriter, lease: Lease, index: number): Promise<RoomJournal> {
  const code = `B${String(index).padStart(5, '0')}`;
  const journal = new RoomJournal({
    storage, writer, lease, logger: createLogger('silent'), owner: OWNER, code, game: 'cabo',
    snapshot: () => ({ version: 1 }), onLost: () => { throw new Error(`bench room ${code} lost`); },
  });
  await journal.saveNow();
  return journal;
}

export async function journalCost(appends: number): Promise<JournalCost[]> {
  const places: Array<[string, string]> = [[os.tmpdir(), `disk (${os.tmpdir()})`]];
  if (fs.existsSync('/dev/shm')) places.push(['/dev/shm', 'tmpfs (/dev/shm), no real fsync']);
  const results: JournalCost[] = [];
  for (const [base, where] of places) {
    results.push(await measure(base, where, 1, appends));
    results.push(await measure(base, where, 200, Math.max(5, Math.round(appends / 20))));
  }
  return results;
}
