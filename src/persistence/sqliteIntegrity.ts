/**
 * Damage checks of the embedded SQLite database, so that a damaged file stops the server instead
 * of silently serving with committed actions missing.
 *
 * - The main file: `PRAGMA quick_check` once it is open ({@link checkDatabase}).
 * - The write-ahead log, before it is opened ({@link checkWriteAheadLog}). SQLite itself replays
 *   the WAL's valid frames and silently ignores the rest: a deleted, truncated or corrupted WAL
 *   loses every commit not yet copied ("backfilled") into the main file. The open marker
 *   (`-open`, written at open, removed at a clean close) says whether the last run crashed; only
 *   then is there a WAL to check. The WAL index (`-shm`, kept current by every commit; it
 *   survives a crash of the process, not a reboot) then says what the WAL must hold: the last
 *   committed frame (`mxFrame`), the WAL's salts and how many frames are backfilled
 *   (`nBackfill`). Without a trustworthy index, the marker alone requires a WAL with a valid
 *   header (the weaker witness: another program that opened and closed the database since the
 *   crash removes the WAL too, which the message mentions).
 *
 * A crash leaves a torn, uncommitted last frame; that is normal and never refused: only
 * committed frames are required. Formats: https://www.sqlite.org/fileformat2.html#walformat and
 * https://www.sqlite.org/walformat.html (the WAL index header).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import type BetterSqlite3 from 'better-sqlite3';

/** The database cannot be used without losing data. The message names the file and what to do. */
export class StorageDamagedError extends Error {}

/** The database file and its companions. */
export interface SqliteFiles {
  database: string;
  /** Write-ahead log. */
  wal: string;
  /** WAL index (shared memory). */
  index: string;
  /** Present while a connection of Arena has the database open, and after a crash. */
  marker: string;
}

/** The companion files of `database`. */
export function sqliteFiles(database: string): SqliteFiles {
  return { database, wal: `${database}-wal`, index: `${database}-shm`, marker: `${database}-open` };
}

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
/** WAL magic; the low bit set means big-endian checksum words. */
const WAL_MAGIC = 0x377f0682;
const WAL_VERSION = 3007000;
/** The WAL index header: two copies of a 48-byte header, then the checkpoint info (nBackfill first). */
const INDEX_HEADER_BYTES = 48;
const INDEX_BYTES = 136;

/**
 * Refuses (with {@link StorageDamagedError}) a database whose WAL has lost committed frames that
 * are not in the main file yet. Call before opening the database: opening replays and resets it.
 */
export function checkWriteAheadLog(database: string): void {
  const files = sqliteFiles(database);
  const marker = readIfPresent(files.marker);
  if (marker === undefined) return; // the last run closed the database cleanly: no WAL to check
  // The index lives in memory-mapped pages that only the OS writes back: after a reboot (power
  // loss, kernel crash) it may be older than the WAL, so it counts within the same boot only.
  const sameBoot = bootOf(marker) === currentBoot();
  const index = sameBoot ? readIndexHeader(files.index) : undefined;
  if (index) return checkAgainstIndex(files, index);
  // Within the same boot, an index that is there but unreadable may be mid-update: no evidence.
  if (sameBoot && fs.existsSync(files.index)) return;
  checkAgainstMarker(files, marker);
}

/** Runs `PRAGMA quick_check` on an open database; refuses when it finds damage. */
export function checkDatabase(database: BetterSqlite3.Database, file: string): void {
  const problems = (database.pragma('quick_check') as Array<{ quick_check: string }>)
    .map((row) => row.quick_check.replace(/\*\*\* in database \w+ \*\*\*/g, '').replace(/\s+/g, ' ').trim())
    .filter((result) => result !== 'ok');
  if (problems.length === 0) return;
  const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
  throw new StorageDamagedError(`SQLite database ${file} is damaged (PRAGMA quick_check: ${shown}); restore it from a backup`);
}

/** SQLite's own error codes for a file that is not a sound database. */
export function isDamageError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/** Marks the database open (a clean close removes the marker again), with the boot it was opened in. */
export function writeOpenMarker(files: SqliteFiles): void {
  const marker = { pid: process.pid, boot: currentBoot(), openedAt: new Date().toISOString() };
  fs.writeFileSync(files.marker, `${JSON.stringify(marker)}\n`);
}

/** Marks the database closed cleanly: everything committed is in the main file. */
export function removeOpenMarker(files: SqliteFiles): void {
  fs.rmSync(files.marker, { force: true });
  syncDirectory(path.dirname(files.marker)); // a marker back after a power loss would look like a crash
}

function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not every platform syncs a directory (Windows): best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

let bootId: string | undefined;

/** Identifies the running boot of this machine: Linux's boot id, elsewhere the minute it booted. */
function currentBoot(): string {
  if (bootId !== undefined) return bootId;
  try {
    bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    bootId = `booted-minute-${Math.round(Date.now() / 60_000 - os.uptime() / 60)}`;
  }
  return bootId;
}

function bootOf(marker: Buffer): string | undefined {
  try {
    const { boot } = JSON.parse(marker.toString('utf8')) as { boot?: unknown };
    return typeof boot === 'string' ? boot : undefined;
  } catch {
    return undefined; // torn by a crash while it was written
  }
}

// ------------------------------------------------------------------ the two witnesses

interface IndexHeader {
  /** The header bytes, to tell whether another connection changed it meanwhile. */
  raw: Buffer;
  /** Last committed frame. */
  mxFrame: number;
  /** Frames already copied into the main file. */
  nBackfill: number;
  /** Salts of the WAL generation the index describes (as in the WAL header). */
  salts: Buffer;
}

function checkAgainstIndex(files: SqliteFiles, index: IndexHeader): void {
  const atRisk = index.mxFrame - index.nBackfill;
  if (atRisk <= 0) return; // everything committed is in the main file already
  const problem = walProblem(files.wal, index);
  if (problem === undefined) return;
  // Another connection may have the database open and be moving the WAL on: judge a still picture only.
  if (!readIndexHeader(files.index)?.raw.equals(index.raw)) return;
  throw new StorageDamagedError(
    `SQLite write-ahead log ${files.wal} ${problem}, but its index ${files.index} records ${atRisk} committed ` +
      `frame(s) not yet in ${files.database}: committed actions would be lost. Restore these files from a backup; ` +
      `to start without those actions, delete ${files.index} and ${files.marker}`,
  );
}

function checkAgainstMarker(files: SqliteFiles, marker: Buffer): void {
  const problem = walProblem(files.wal);
  if (problem === undefined) return;
  // A clean close removes the marker before SQLite deletes the WAL: only a marker still there counts.
  if (!readIfPresent(files.marker)?.equals(marker)) return;
  throw new StorageDamagedError(
    `SQLite write-ahead log ${files.wal} ${problem}, but the last run did not close ${files.database} cleanly ` +
      `(${files.marker} is there) and no WAL index tells what it held: committed actions would be lost. ` +
      'Restore these files from a backup; if another program (e.g. the sqlite3 shell) has opened and closed the ' +
      `database since, or to start without those actions, delete ${files.marker}`,
  );
}

// ------------------------------------------------------------------ WAL

interface WalHeader {
  bigEndian: boolean;
  pageSize: number;
  salts: Buffer;
  checksum: [number, number];
}

/**
 * What is wrong with the WAL, or undefined when it is usable. With `expected`, it must belong to
 * that generation (salts) and hold valid frames up to `mxFrame`.
 */
function walProblem(wal: string, expected?: IndexHeader): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(wal, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'is missing';
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return 'is empty';
    const header = readWalHeader(fd);
    if (typeof header === 'string') return header;
    if (!expected) return undefined;
    if (!header.salts.equals(expected.salts)) return 'is not the one its index describes (other salts)';
    const valid = validFrames(fd, header, expected.mxFrame);
    if (valid < expected.mxFrame) {
      const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
      const end = WAL_HEADER_BYTES + expected.mxFrame * frameBytes;
      return size < end ? `is cut short (${size} bytes, committed frames end at ${end})` : `is damaged at frame ${valid + 1}`;
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function readWalHeader(fd: number): WalHeader | string {
  const bytes = Buffer.alloc(WAL_HEADER_BYTES);
  if (fs.readSync(fd, bytes, 0, WAL_HEADER_BYTES, 0) < WAL_HEADER_BYTES) return 'is shorter than its header';
  const magic = bytes.readUInt32BE(0);
  const pageSize = bytes.readUInt32BE(8);
  const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
  if ((magic & ~1) >>> 0 !== WAL_MAGIC || bytes.readUInt32BE(4) !== WAL_VERSION || !validPageSize) {
    return 'has no valid header';
  }
  const bigEndian = (magic & 1) === 1;
  const checksum = walChecksum(bytes.subarray(0, 24), [0, 0], bigEndian);
  if (checksum[0] !== bytes.readUInt32BE(24) || checksum[1] !== bytes.readUInt32BE(28)) return 'has a damaged header';
  return { bigEndian, pageSize, salts: Buffer.from(bytes.subarray(16, 24)), checksum };
}

/** How many frames from the first on are valid (SQLite's own rule: salts, page number, running checksum), up to `limit`. */
function validFrames(fd: number, header: WalHeader, limit: number): number {
  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  const frame = Buffer.alloc(frameBytes);
  let checksum = header.checksum;
  for (let index = 0; index < limit; index++) {
    if (fs.readSync(fd, frame, 0, frameBytes, WAL_HEADER_BYTES + index * frameBytes) < frameBytes) return index;
    if (!frame.subarray(8, 16).equals(header.salts) || frame.readUInt32BE(0) === 0) return index;
    checksum = walChecksum(frame.subarray(0, 8), checksum, header.bigEndian);
    checksum = walChecksum(frame.subarray(FRAME_HEADER_BYTES), checksum, header.bigEndian);
    if (checksum[0] !== frame.readUInt32BE(16) || checksum[1] !== frame.readUInt32BE(20)) return index;
  }
  return limit;
}

/** SQLite's WAL checksum over 32-bit words (`bytes.length` is a multiple of 8), continuing from `start`. */
function walChecksum(bytes: Buffer, start: [number, number], bigEndian: boolean): [number, number] {
  let [s1, s2] = start;
  for (let offset = 0; offset < bytes.length; offset += 8) {
    const first = bigEndian ? bytes.readUInt32BE(offset) : bytes.readUInt32LE(offset);
    const second = bigEndian ? bytes.readUInt32BE(offset + 4) : bytes.readUInt32LE(offset + 4);
    s1 = (s1 + first + s2) >>> 0;
    s2 = (s2 + second + s1) >>> 0;
  }
  return [s1, s2];
}

// ------------------------------------------------------------------ WAL index

/** The WAL index header when it is complete and consistent (both copies equal, checksum right). */
function readIndexHeader(file: string): IndexHeader | undefined {
  const raw = readIfPresent(file, INDEX_BYTES);
  if (!raw || raw.length < INDEX_BYTES) return undefined;
  if (!raw.subarray(0, INDEX_HEADER_BYTES).equals(raw.subarray(INDEX_HEADER_BYTES, 2 * INDEX_HEADER_BYTES))) return undefined;
  const bigEndian = os.endianness() === 'BE'; // the index is in the machine's byte order
  const word = (offset: number) => (bigEndian ? raw.readUInt32BE(offset) : raw.readUInt32LE(offset));
  const initialized = raw[12] === 1;
  const checksum = walChecksum(raw.subarray(0, 40), [0, 0], bigEndian);
  if (word(0) !== WAL_VERSION || !initialized || checksum[0] !== word(40) || checksum[1] !== word(44)) return undefined;
  return { raw, mxFrame: word(16), nBackfill: word(2 * INDEX_HEADER_BYTES), salts: raw.subarray(32, 40) };
}

function readIfPresent(file: string, length?: number): Buffer | undefined {
  try {
    if (length === undefined) return fs.readFileSync(file);
    const fd = fs.openSync(file, 'r');
    try {
      const bytes = Buffer.alloc(length);
      return bytes.subarray(0, fs.readSync(fd, bytes, 0, length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
