/**
 * Opens the storage of one Arena process (SPEC §8): PostgreSQL when a `postgres://` URL is given,
 * else the embedded SQLite file `<dataDir>/arena.sqlite`, checked for damage first
 * (`sqliteIntegrity.ts`). Migrations run before it is returned.
 */
import fs from 'fs';
import path from 'path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { KyselyStorage } from './kyselyStorage';
import { Database, migrateToLatest } from './migrations';
import { SchemaPostgresDialect } from './postgresDialect';
import {
  StorageDamagedError,
  checkDatabase,
  checkWriteAheadLog,
  isDamageError,
  removeOpenMarker,
  sqliteFiles,
  writeOpenMarker,
  type SqliteFiles,
} from './sqliteIntegrity';
import type { Storage } from './storage';
import { sqliteJournal } from './sqliteJournal';
import { openSqliteWorker } from './workerStorage';

/** File name of the SQLite database inside the data directory. */
export const SQLITE_FILE = 'arena.sqlite';

/**
 * Written into the SQLite header at every open ("ARNA"). Besides naming the file's owner, the
 * write guarantees that the WAL of a run holds at least one frame, so an empty WAL after a crash
 * is evidence of damage, not of a run that wrote nothing.
 */
const SQLITE_APPLICATION_ID = 0x41524e41;

/** PostgreSQL schema names accepted by {@link openStorage}: plain lower-case identifiers. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Where and how {@link openStorage} opens the storage. */
export interface OpenStorageOptions {
  /** Directory of the SQLite file (created if missing); unused with PostgreSQL. */
  dataDir: string;
  /** `postgres://` or `postgresql://` URL; when absent, SQLite is used. */
  databaseUrl?: string;
  /**
   * PostgreSQL schema holding Arena's tables, created if missing (default `public`). It becomes the
   * connections' `search_path`. Tests use a fresh one per run for isolation. Unused with SQLite.
   */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** How long SQLite waits for another writer's lock before failing, in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Clock for `updatedAt` and fencing (default `Date.now`). */
  now?: () => number;
  /**
   * Errors of idle pooled PostgreSQL connections (e.g. the server restarted). pg drops such a
   * connection by itself and the next query reconnects; default: ignored.
   */
  onPoolError?: (error: Error) => void;
}

/**
 * Opens PostgreSQL when `databaseUrl` is set (non-empty), else SQLite in `dataDir`, and runs the
 * pending migrations. Rejects on a URL that is not `postgres://`, an invalid schema name, an
 * unreachable database or a failed migration (nothing is left open then); with SQLite, rejects
 * with {@link StorageDamagedError} when the file is damaged or its write-ahead log lost
 * committed actions.
 */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  const url = options.databaseUrl;
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//i.test(url)) throw new Error('databaseUrl must be a postgres:// URL');
    return openPostgres(url, options);
  }
  return openSqliteWorker(options);
}

/**
 * Opens the SQLite file on this thread. Arena calls it only inside the storage worker
 * (`sqliteWorker.ts`): better-sqlite3 is synchronous, and no disk wait may block the rooms.
 */
export async function openSqliteHere(options: OpenStorageOptions): Promise<KyselyStorage> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const files = sqliteFiles(path.join(options.dataDir, SQLITE_FILE));
  checkWriteAheadLog(files.database); // before opening: SQLite would replay what is left and reset it
  const database = new BetterSqlite3(files.database, {
    timeout: options.busyTimeoutMs ?? 5000, // sets busy_timeout
  });
  const connection = closingCleanly(database, files);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    // WAL: readers do not block the writer, and a commit survives a crash of the process.
    const mode = database.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${String(mode)})`);
    database.pragma('synchronous = FULL'); // a committed action survives power loss too
    database.pragma('foreign_keys = ON');
    checkDatabase(database, files.database);
    await migrateToLatest(db, 'sqlite');
    database.pragma(`application_id = ${SQLITE_APPLICATION_ID}`);
    connection.markOpen();
  } catch (error) {
    await db.destroy();
    if (isDamageError(error)) {
      throw new StorageDamagedError(`SQLite database ${files.database} is damaged (${(error as Error).message}); restore it from a backup`);
    }
    throw error;
  }
  return new KyselyStorage(db, 'sqlite', { now: options.now, sqliteJournal: sqliteJournal(database) });
}

/**
 * The database as kysely sees it, with an open marker and a close that leaves the files clean.
 * The marker goes only once the WAL holds nothing the main file lacks: after a complete
 * `wal_checkpoint(TRUNCATE)` (before SQLite deletes the WAL, so no crash while closing looks like
 * a lost WAL), else once SQLite has deleted the WAL itself (another connection was reading).
 */
function closingCleanly(database: BetterSqlite3.Database, files: SqliteFiles) {
  let opened = false;
  return {
    prepare: (text: string) => database.prepare(text),
    markOpen() {
      writeOpenMarker(files);
      opened = true;
    },
    close() {
      const emptied = opened && checkpointCompletely(database);
      if (emptied) removeOpenMarker(files);
      database.close();
      if (!emptied && !fs.existsSync(files.wal)) removeOpenMarker(files);
    },
  };
}

/** Copies the whole WAL into the main file and empties it; false when a reader prevented that. */
function checkpointCompletely(database: BetterSqlite3.Database): boolean {
  try {
    const [result] = database.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return result?.busy === 0;
  } catch {
    return false; // e.g. SQLITE_BUSY: the close still checkpoints what it can
  }
}

async function openPostgres(url: string, options: OpenStorageOptions): Promise<Storage> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) throw new Error('schema must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63)');
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // Every connection resolves Arena's unqualified table names in `schema`.
    options: `-c search_path=${schema}`,
    types: { getTypeParser: typeParser },
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, schema) });
  try {
    await ensureSchema(db, schema);
    await migrateToLatest(db, 'postgres', schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStorage(db, 'postgres', { now: options.now });
}

async function ensureSchema(db: Kysely<Database>, schema: string): Promise<void> {
  const found = await sql<{ found: number }>`select 1 as found from pg_namespace where nspname = ${schema}`.execute(db);
  if (found.rows.length > 0) return; // also spares the CREATE privilege check when it exists
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    // Two processes creating it at once: the loser reports a duplicate, which is fine.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/** `bigint` (epoch ms, counts) as a JS number while it is exact; otherwise left as text. */
const typeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (oid === pgTypes.builtins.INT8 && format !== 'binary') {
    return (value: string) => {
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : value;
    };
  }
  return pgTypes.getTypeParser(oid, format as 'text');
}) as typeof pgTypes.getTypeParser;
