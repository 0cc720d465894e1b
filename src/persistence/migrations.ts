/**
 * Schema of the storage tables and its migrations (kysely `Migrator`, in-code provider). The same
 * migrations run on SQLite and PostgreSQL: only portable types (`text`, `bigint`) are used, JSON is
 * stored as text and timestamps as epoch ms. Migrations run at every open and are idempotent;
 * never edit a released migration, add a new one (names sort in execution order).
 */
import { Kysely, Migration, MigrationProvider, MigrationResultSet, Migrator, sql } from 'kysely';
import type { StorageBackend } from './storage';

/** `live_rooms`: one row per unfinished room. */
export interface LiveRoomTable {
  code: string;
  game: string;
  /** JSON text. */
  snapshot: string;
  owner: string;
  /** Epoch ms. */
  lease_until: number;
  /** Epoch ms. */
  updated_at: number;
}

/** `live_room_events`: the append-only action log of live rooms; primary key (code, seq). */
export interface LiveRoomEventTable {
  code: string;
  seq: number;
  /** JSON text. */
  event: string;
  /** Epoch ms. */
  at: number;
}

/** `archived_games`: finished matches and closed sessions. */
export interface ArchivedGameTable {
  id: string;
  game: string;
  code: string;
  started_at: number;
  ended_at: number;
  /** JSON text: `{ userId, name }[]`. */
  participants: string;
  /** JSON text or null. */
  result: string | null;
  /** JSON text. */
  data: string;
}

/** `archived_game_players`: who took part in which archived game (one row per distinct user). */
export interface ArchivedGamePlayerTable {
  user_id: string;
  game_id: string;
  /** Copy of the game's `ended_at`, so a user's listing is one index range scan. */
  ended_at: number;
}

/** The tables as kysely sees them. */
export interface Database {
  live_rooms: LiveRoomTable;
  live_room_events: LiveRoomEventTable;
  archived_games: ArchivedGameTable;
  archived_game_players: ArchivedGamePlayerTable;
}

/** Name of kysely's table of applied migrations (in the storage schema on PostgreSQL). */
export const MIGRATION_TABLE = 'arena_migration';
/** Name of kysely's migration lock table. */
export const MIGRATION_LOCK_TABLE = 'arena_migration_lock';

/**
 * All migrations, by name, for one backend. The only difference: on PostgreSQL archive ids use the
 * bytewise "C" collation, so listings tie-break on ids in the same order as SQLite (binary) whatever
 * the database's locale.
 */
export function migrations(backend: StorageBackend): Record<string, Migration> {
  const idType = backend === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    '0001_initial': {
      async up(db: Kysely<any>): Promise<void> {
        await db.schema
          .createTable('live_rooms')
          .addColumn('code', 'text', (col) => col.primaryKey())
          .addColumn('game', 'text', (col) => col.notNull())
          .addColumn('snapshot', 'text', (col) => col.notNull())
          .addColumn('owner', 'text', (col) => col.notNull())
          .addColumn('lease_until', 'bigint', (col) => col.notNull())
          .addColumn('updated_at', 'bigint', (col) => col.notNull())
          .execute();
        await db.schema.createIndex('live_rooms_owner').on('live_rooms').column('owner').execute();
        await db.schema.createIndex('live_rooms_lease_until').on('live_rooms').column('lease_until').execute();

        await db.schema
          .createTable('live_room_events')
          .addColumn('code', 'text', (col) => col.notNull().references('live_rooms.code').onDelete('cascade'))
          .addColumn('seq', 'bigint', (col) => col.notNull())
          .addColumn('event', 'text', (col) => col.notNull())
          .addColumn('at', 'bigint', (col) => col.notNull())
          .addPrimaryKeyConstraint('live_room_events_pk', ['code', 'seq'])
          .execute();

        await db.schema
          .createTable('archived_games')
          .addColumn('id', idType, (col) => col.primaryKey())
          .addColumn('game', 'text', (col) => col.notNull())
          .addColumn('code', 'text', (col) => col.notNull())
          .addColumn('started_at', 'bigint', (col) => col.notNull())
          .addColumn('ended_at', 'bigint', (col) => col.notNull())
          .addColumn('participants', 'text', (col) => col.notNull())
          .addColumn('result', 'text')
          .addColumn('data', 'text', (col) => col.notNull())
          .execute();

        await db.schema
          .createTable('archived_game_players')
          .addColumn('user_id', 'text', (col) => col.notNull())
          .addColumn('game_id', idType, (col) => col.notNull().references('archived_games.id').onDelete('cascade'))
          .addColumn('ended_at', 'bigint', (col) => col.notNull())
          .addPrimaryKeyConstraint('archived_game_players_pk', ['user_id', 'game_id'])
          .execute();
        await db.schema
          .createIndex('archived_game_players_listing')
          .on('archived_game_players')
          .columns(['user_id', 'ended_at desc', 'game_id desc'])
          .execute();
        await db.schema.createIndex('archived_game_players_game').on('archived_game_players').column('game_id').execute();
      },
      async down(db: Kysely<any>): Promise<void> {
        await db.schema.dropTable('archived_game_players').execute();
        await db.schema.dropTable('archived_games').execute();
        await db.schema.dropTable('live_room_events').execute();
        await db.schema.dropTable('live_rooms').execute();
      },
    },
  };
}

/** Serves {@link migrations} of `backend` to kysely's `Migrator`. */
export function migrationProvider(backend: StorageBackend): MigrationProvider {
  return {
    async getMigrations() {
      return migrations(backend);
    },
  };
}

/**
 * Brings the database up to the latest migration; safe to call on every start and from several
 * processes at once (kysely serialises migrators with a lock). On failure it throws an Error whose
 * `cause` is the migration's error (the failed migration's transaction is rolled back).
 * Returns the names of the migrations it applied (none when already up to date).
 * @param schema PostgreSQL schema holding the bookkeeping tables (the one on the search path).
 */
export async function migrateToLatest(db: Kysely<any>, backend: StorageBackend, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(backend),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  // kysely runs PostgreSQL migrations in a transaction under an advisory lock, but SQLite ones in
  // neither (its SQLite adapter declares no transactional DDL and locks nothing). One IMMEDIATE
  // transaction around the whole run gives SQLite both: it takes the file's write lock (another
  // process's migrator waits for it, then finds nothing to do) and it is all-or-nothing.
  if (backend === 'sqlite') await sql`begin immediate`.execute(db);
  let outcome: MigrationResultSet | undefined;
  try {
    outcome = await migrator.migrateToLatest();
  } finally {
    if (backend === 'sqlite') await sql.raw(outcome && !outcome.error ? 'commit' : 'rollback').execute(db);
  }
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(failed ? `storage migration ${failed} failed` : 'storage migrations failed', { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
