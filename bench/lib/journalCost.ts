/**
 * What Arena's journal costs per accepted action: `Storage.appendEvent` through the real storage
 * layer (kysely + better-sqlite3, WAL, synchronous=FULL), timed on a data directory on disk (as
 * the bench servers use) and on tmpfs (/dev/shm, where fsync costs nothing). The difference is
 * the fsync, reported separately; the servers under test always journal to disk.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { openStorage } from '../../src/persistence/open';
import { summarize } from './stats';

export interface JournalCost {
  where: string;
  appends: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

async function measure(base: string, where: string, appends: number): Promise<JournalCost> {
  const dir = fs.mkdtempSync(path.join(base, 'arena-journal-'));
  const storage = await openStorage({ dataDir: dir });
  try {
    const code = 'BENCH2';
    await storage.saveLiveRoom({ code, game: 'cabo', snapshot: { version: 1 }, owner: 'bench', leaseUntil: Date.now() + 60_000 });
    const samples: number[] = [];
    for (let seq = 1; seq <= appends; seq++) {
      const event = { playerId: `w0-bench-${seq % 4}`, action: { type: 'draw', source: 'deck' } };
      const t0 = performance.now();
      await storage.appendEvent(code, seq, event, Date.now());
      samples.push((performance.now() - t0) * 1000);
    }
    const s = summarize(samples);
    return { where, appends, meanUs: s.mean, p50Us: s.p50, p99Us: s.p99 };
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function journalCost(appends: number): Promise<JournalCost[]> {
  const results = [await measure(os.tmpdir(), `disk (${os.tmpdir()})`, appends)];
  if (fs.existsSync('/dev/shm')) results.push(await measure('/dev/shm', 'tmpfs (/dev/shm), no real fsync', appends));
  return results;
}
