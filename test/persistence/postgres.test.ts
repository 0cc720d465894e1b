import { strict as assert } from 'assert';
import crypto from 'crypto';
import os from 'os';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { openStorage } from '../../src/persistence/open';
import { SchemaPostgresDialect } from '../../src/persistence/postgresDialect';
import { requireService } from '../support/services';
import { storageContract } from './storageContract';

/**
 * Runs only with DATABASE_URL (pending with a warning otherwise). Every test gets a schema of its
 * own, `arena_test_<pid>_<random>_<n>`, dropped (CASCADE) after the test (kysely's migrator
 * introspects every table of the database at open, so leftovers would slow each later open).
 */
describe('persistence: PostgreSQL storage', () => {
  let url: string;
  let admin: Kysely<any> | undefined;
  const run = `arena_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  let created = 0;
  const freshSchema = () => {
    const schema = `${run}_${created++}`;
    schemas.push(schema);
    return schema;
  };
  const dropSchemas = async () => {
    if (!admin) return;
    for (const schema of schemas.splice(0)) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
  };
  afterEach(dropSchemas);

  before(function () {
    url = requireService(this, 'DATABASE_URL');
    admin = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: url, max: 2 }) }) });
  });

  after(async () => {
    await dropSchemas();
    await admin?.destroy();
  });

  storageContract({
    backend: 'postgres',
    async freshDatabase() {
      const schema = freshSchema();
      return (extras = {}) => openStorage({ dataDir: os.tmpdir(), databaseUrl: url, schema, ...extras });
    },
    cleanup: dropSchemas,
  });

  describe('PostgreSQL specifics', () => {
    it('keeps its tables in the requested schema, with bigint timestamps', async () => {
      const schema = freshSchema();
      const storage = await openStorage({ dataDir: os.tmpdir(), databaseUrl: url, schema });
      try {
        assert.equal(storage.backend, 'postgres');
        const tables = await sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(admin!);
        assert.deepEqual(
          tables.rows.map((row) => row.table_name),
          ['archived_game_players', 'archived_games', 'arena_migration', 'arena_migration_lock', 'live_room_events', 'live_rooms'],
        );
        const columns = await sql<{ column_name: string; data_type: string }>`
          select column_name, data_type from information_schema.columns
          where table_schema = ${schema} and table_name = 'live_rooms' order by ordinal_position`.execute(admin!);
        assert.deepEqual(
          Object.fromEntries(columns.rows.map((row) => [row.column_name, row.data_type])),
          { code: 'text', game: 'text', snapshot: 'text', owner: 'text', lease_until: 'bigint', updated_at: 'bigint' },
        );
        await storage.saveLiveRoom({ code: 'HERE', game: 'cabo', snapshot: {}, owner: 'p', leaseUntil: 1 });
        const rows = await sql<{ code: string }>`select code from ${sql.id(schema, 'live_rooms')}`.execute(admin!);
        assert.deepEqual(rows.rows, [{ code: 'HERE' }]);
      } finally {
        await storage.close();
      }
    });

    it('schemas isolate deployments from each other', async () => {
      const [a, b] = await Promise.all([freshSchema(), freshSchema()].map((schema) =>
        openStorage({ dataDir: os.tmpdir(), databaseUrl: url, schema }),
      ));
      try {
        await a!.saveLiveRoom({ code: 'ONLY-A', game: 'cabo', snapshot: {}, owner: 'p', leaseUntil: 1 });
        assert.deepEqual(await b!.listLiveRooms(), []);
        assert.deepEqual(await b!.claimExpiredRooms('q', 100, 200), []);
      } finally {
        await Promise.all([a!.close(), b!.close()]);
      }
    });

    it('several processes starting at once migrate exactly once', async () => {
      const schema = freshSchema();
      const storages = await Promise.all(
        Array.from({ length: 4 }, () => openStorage({ dataDir: os.tmpdir(), databaseUrl: url, schema })),
      );
      try {
        const applied = await sql<{ name: string }>`select name from ${sql.id(schema, 'arena_migration')}`.execute(admin!);
        assert.deepEqual(applied.rows.map((row) => row.name), ['0001_initial']);
        await storages[0]!.saveLiveRoom({ code: 'X', game: 'cabo', snapshot: {}, owner: 'p', leaseUntil: 1 });
        assert.equal((await storages[3]!.listLiveRooms()).length, 1);
      } finally {
        await Promise.all(storages.map((storage) => storage.close()));
      }
    });

    it("introspects only the storage schema (what kysely's migrator relies on)", async () => {
      const schema = freshSchema();
      await (await openStorage({ dataDir: os.tmpdir(), databaseUrl: url, schema })).close();
      const db = new Kysely<any>({ dialect: new SchemaPostgresDialect({ pool: new Pool({ connectionString: url, max: 1 }) }, schema) });
      try {
        const tables = await db.introspection.getTables();
        assert.deepEqual(tables.map((table) => table.name), ['archived_game_players', 'archived_games', 'live_room_events', 'live_rooms']);
        assert.ok(tables.every((table) => table.schema === schema && !table.isView));
        const liveRooms = tables.find((table) => table.name === 'live_rooms');
        assert.deepEqual(
          liveRooms?.columns.map((column) => [column.name, column.dataType, column.isNullable]),
          [
            ['code', 'text', false],
            ['game', 'text', false],
            ['snapshot', 'text', false],
            ['owner', 'text', false],
            ['lease_until', 'int8', false],
            ['updated_at', 'int8', false],
          ],
        );
        const all = await db.introspection.getTables({ withInternalKyselyTables: true });
        assert.deepEqual(all.map((table) => table.name).filter((name) => name.startsWith('arena_')), ['arena_migration', 'arena_migration_lock']);
        assert.ok((await db.introspection.getSchemas()).some((found) => found.name === schema));
      } finally {
        await db.destroy();
      }
    });

    it('rejects schema names that are not plain identifiers', async () => {
      for (const schema of ['Upper', 'a-b', 'x; drop schema public cascade', '"quoted"', '', '1abc', 'a'.repeat(64)]) {
        await assert.rejects(openStorage({ dataDir: os.tmpdir(), databaseUrl: url, schema }), /schema must be/, schema);
      }
    });
  });
});

describe('persistence: backend selection', () => {
  it('refuses a database URL that is not PostgreSQL', async () => {
    for (const databaseUrl of ['mysql://u@h/db', 'sqlite:///tmp/x', 'http://example.com']) {
      await assert.rejects(openStorage({ dataDir: os.tmpdir(), databaseUrl }), /postgres:\/\//, databaseUrl);
    }
  });
});
