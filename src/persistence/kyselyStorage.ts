/**
 * {@link Storage} over a `Kysely<Database>`: one query layer for SQLite and PostgreSQL. Every
 * statement is built with kysely (values are bound parameters, never spliced into SQL text). The
 * few backend differences are explicit: row locking for claims and the isolation level of reads.
 */
import crypto from 'crypto';
import { Kysely, Transaction } from 'kysely';
import type { Database } from './migrations';
import { postgresJournal } from './postgresJournal';
import type { SqliteJournal } from './sqliteJournal';
import {
  ArchivedGame,
  ArchivedGameSummary,
  ArchiveInput,
  ArchiveOptions,
  DuplicateEventError,
  DuplicateGameError,
  GamePage,
  InvalidInputError,
  JournalBatch,
  JournalOutcome,
  JournalWrite,
  LeaseLostError,
  ListGamesOptions,
  LiveRoom,
  LiveRoomFilter,
  LiveRoomInfo,
  LiveRoomInput,
  Participant,
  RoomNotFoundError,
  SaveLiveRoomOptions,
  Storage,
  StorageBackend,
} from './storage';

/** Default page size of {@link Storage.listGamesOfUser}. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page size of {@link Storage.listGamesOfUser}. */
export const MAX_PAGE_SIZE = 100;
/** Default `limit` of {@link Storage.claimExpiredRooms}. */
export const DEFAULT_CLAIM_LIMIT = 100;
/** Largest `limit` of {@link Storage.claimExpiredRooms}. */
export const MAX_CLAIM_LIMIT = 10_000;

/** Archive ids: url-safe, as they appear in `/api/games/:id`. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const NUL = /\u0000/;
/** With the `u` flag a surrogate pair is one code point, so this matches only unpaired ones. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Options of {@link KyselyStorage}. */
export interface KyselyStorageOptions {
  /** Clock for `updatedAt` and fencing; default `Date.now`. */
  now?: () => number;
  /** Called once by {@link KyselyStorage.close} after the kysely instance is destroyed. */
  onClose?: () => Promise<void> | void;
  /** SQLite: the journal's prepared-statement path on the same connection (`sqliteJournal.ts`). */
  sqliteJournal?: SqliteJournal;
}

/** The {@link Storage} implementation shared by both backends. */
export class KyselyStorage implements Storage {
  private closed: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    readonly backend: StorageBackend,
    private readonly options: KyselyStorageOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------- live rooms

  async saveLiveRoom(room: LiveRoomInput, options: SaveLiveRoomOptions = {}): Promise<void> {
    const row = {
      code: identifier('room.code', room?.code),
      game: identifier('room.game', room?.game),
      snapshot: json('room.snapshot', room?.snapshot),
      owner: identifier('room.owner', room?.owner),
      lease_until: integer('room.leaseUntil', room?.leaseUntil),
      updated_at: this.now(),
    };
    const drop = options.dropEventsThrough;
    if (drop !== undefined && drop !== 'all') integer('options.dropEventsThrough', drop);
    const fenced = options.fenced === true;

    const write = async (db: Kysely<Database>): Promise<void> => {
      const saved = await db
        .insertInto('live_rooms')
        .values(row)
        .onConflict((oc) => {
          const update = oc.column('code').doUpdateSet((eb) => ({
            game: eb.ref('excluded.game'),
            snapshot: eb.ref('excluded.snapshot'),
            owner: eb.ref('excluded.owner'),
            lease_until: eb.ref('excluded.lease_until'),
            updated_at: eb.ref('excluded.updated_at'),
          }));
          if (!fenced) return update;
          return update.where((eb) =>
            eb.or([eb('live_rooms.owner', '=', eb.ref('excluded.owner')), eb('live_rooms.lease_until', '<', row.updated_at)]),
          );
        })
        .returning('code')
        .executeTakeFirst();
      if (!saved) throw new LeaseLostError(row.code, row.owner);
      if (drop === undefined) return;
      let remove = db.deleteFrom('live_room_events').where('code', '=', row.code);
      if (drop !== 'all') remove = remove.where('seq', '<=', drop);
      await remove.execute();
    };
    if (drop === undefined) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  async appendEvent(code: string, seq: number, event: unknown, at: number): Promise<void> {
    const row = {
      code: identifier('code', code),
      seq: integer('seq', seq),
      event: json('event', event),
      at: integer('at', at),
    };
    try {
      await this.db.insertInto('live_room_events').values(row).execute();
    } catch (error) {
      const kind = constraintViolation(error);
      if (kind === 'unique') throw new DuplicateEventError(row.code, row.seq, { cause: error });
      if (kind === 'foreign-key') throw new RoomNotFoundError(row.code, { cause: error });
      throw error;
    }
  }

  async commitJournal(batch: JournalBatch): Promise<JournalOutcome[]> {
    identifier('batch.owner', batch.owner);
    integer('batch.now', batch.now);
    if (batch.writes.length === 0) return [];
    if (new Set(batch.writes.map((entry) => entry.code)).size !== batch.writes.length) {
      throw new InvalidInputError('batch.writes', 'at most one write per room');
    }
    batch.writes.forEach((entry, index) => checkJournalWrite(entry, `batch.writes[${index}]`, true));
    if (this.backend === 'postgres') return postgresJournal(this.db, batch);
    if (!this.options.sqliteJournal) throw new Error('SQLite storage opened without its journal statements');
    return this.options.sqliteJournal(batch);
  }

  async loadLiveRoom(code: string): Promise<LiveRoom | undefined> {
    identifier('code', code);
    let transaction = this.db.transaction();
    // Snapshot and log must come from the same moment; SQLite read transactions already are.
    if (this.backend === 'postgres') transaction = transaction.setIsolationLevel('repeatable read');
    return transaction.execute(async (trx) => {
      const room = await trx.selectFrom('live_rooms').selectAll().where('code', '=', code).executeTakeFirst();
      if (!room) return undefined;
      const events = await trx
        .selectFrom('live_room_events')
        .select(['seq', 'event', 'at'])
        .where('code', '=', code)
        .orderBy('seq', 'asc')
        .execute();
      return {
        ...toLiveRoomInfo(room),
        events: events.map((entry) => ({ seq: toNumber(entry.seq), event: JSON.parse(entry.event), at: toNumber(entry.at) })),
      };
    });
  }

  async listLiveRooms(filter: LiveRoomFilter = {}): Promise<LiveRoomInfo[]> {
    let query = this.db.selectFrom('live_rooms').selectAll();
    if (filter.owner !== undefined) query = query.where('owner', '=', identifier('filter.owner', filter.owner));
    if (filter.game !== undefined) query = query.where('game', '=', identifier('filter.game', filter.game));
    const rows = await query.orderBy('code', 'asc').execute();
    return rows.map(toLiveRoomInfo);
  }

  async deleteLiveRoom(code: string): Promise<boolean> {
    identifier('code', code);
    return this.db.transaction().execute((trx) => deleteLiveRoomIn(trx, code));
  }

  async renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('live_rooms')
      .set({ lease_until: integer('leaseUntil', leaseUntil) })
      .where('owner', '=', identifier('owner', owner))
      .returning('code')
      .execute();
    return rows.map((row) => row.code).sort(compareCodeUnits);
  }

  async claimExpiredRooms(newOwner: string, now: number, leaseUntil: number, limit = DEFAULT_CLAIM_LIMIT): Promise<string[]> {
    identifier('newOwner', newOwner);
    integer('now', now);
    integer('leaseUntil', leaseUntil);
    integer('limit', limit, 1, MAX_CLAIM_LIMIT);
    const rows = await this.db
      .updateTable('live_rooms')
      .set({ owner: newOwner, lease_until: leaseUntil })
      .where('code', 'in', (eb) => {
        let candidates = eb
          .selectFrom('live_rooms as candidate')
          .select('candidate.code')
          .where('candidate.lease_until', '<', now)
          .orderBy('candidate.lease_until', 'asc')
          .orderBy('candidate.code', 'asc')
          .limit(limit);
        // PostgreSQL: a racing claimer skips the rows this one has locked instead of queueing for
        // them. SQLite has a single writer, so the statement as a whole is already atomic.
        if (this.backend === 'postgres') candidates = candidates.forUpdate().skipLocked();
        return candidates;
      })
      // Re-checked on the current row version: a row claimed meanwhile is no longer expired.
      .where('lease_until', '<', now)
      .returning('code')
      .execute();
    return rows.map((row) => row.code).sort(compareCodeUnits);
  }

  async releaseRoom(code: string, owner: string): Promise<boolean> {
    const result = await this.db
      .updateTable('live_rooms')
      .set({ lease_until: 0 })
      .where('code', '=', identifier('code', code))
      .where('owner', '=', identifier('owner', owner))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  // ---------------------------------------------------------------- archive

  async archiveGame(record: ArchiveInput, options: ArchiveOptions = {}): Promise<string> {
    const id = record?.id === undefined ? newId() : archiveId('record.id', record.id);
    const participants = participantList(record?.participants);
    const row = {
      id,
      game: identifier('record.game', record?.game),
      code: identifier('record.code', record?.code),
      started_at: integer('record.startedAt', record?.startedAt),
      ended_at: integer('record.endedAt', record?.endedAt),
      participants: JSON.stringify(participants),
      result: record?.result === undefined || record.result === null ? null : json('record.result', record.result),
      data: json('record.data', record?.data),
    };
    const players = [...new Set(participants.map((participant) => participant.userId))].map((userId) => ({
      user_id: userId,
      game_id: id,
      ended_at: row.ended_at,
    }));
    await this.db.transaction().execute(async (trx) => {
      try {
        await trx.insertInto('archived_games').values(row).execute();
      } catch (error) {
        if (constraintViolation(error) === 'unique') throw new DuplicateGameError(id, { cause: error });
        throw error;
      }
      if (players.length > 0) await trx.insertInto('archived_game_players').values(players).execute();
      if (options.deleteLiveRoom) await deleteLiveRoomIn(trx, row.code);
    });
    return id;
  }

  async getGame(id: string): Promise<ArchivedGame | undefined> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined; // cannot exist
    const row = await this.db.selectFrom('archived_games').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { ...toSummary(row), data: JSON.parse(row.data) };
  }

  async listGamesOfUser(userId: string, options: ListGamesOptions = {}): Promise<GamePage> {
    identifier('userId', userId);
    const limit = integer('options.limit', options.limit ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const after = options.before === undefined ? undefined : decodeCursor(options.before);

    let query = this.db
      .selectFrom('archived_game_players as p')
      .innerJoin('archived_games as g', 'g.id', 'p.game_id')
      .select(['g.id', 'g.game', 'g.code', 'g.started_at', 'g.ended_at', 'g.participants', 'g.result'])
      .where('p.user_id', '=', userId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('p.ended_at', '<', after.endedAt),
          eb.and([eb('p.ended_at', '=', after.endedAt), eb('p.game_id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('p.ended_at', 'desc')
      .orderBy('p.game_id', 'desc')
      .limit(limit + 1)
      .execute();

    const games = rows.slice(0, limit).map(toSummary);
    const last = games[games.length - 1];
    return rows.length > limit && last ? { games, nextCursor: encodeCursor(last.endedAt, last.id) } : { games };
  }

  // ---------------------------------------------------------------- lifecycle

  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.db.destroy();
      await this.options.onClose?.();
    })();
    return this.closed;
  }
}

// ------------------------------------------------------------------ helpers

/**
 * Throws InvalidInputError unless storage can store `entry` as it is. `parseJson` also checks
 * that the payload text is JSON (the journal writer skips it: its payloads come from
 * `JSON.stringify`, and storage checks them again).
 */
export function checkJournalWrite(entry: JournalWrite, field = 'write', parseJson = false): void {
  identifier(`${field}.code`, entry?.code);
  const payload = entry.kind === 'append' ? entry.event : entry.kind === 'snapshot' ? entry.snapshot : undefined;
  if (entry.kind === 'append') {
    integer(`${field}.seq`, entry.seq);
    integer(`${field}.at`, entry.at);
  } else if (entry.kind === 'snapshot') {
    identifier(`${field}.game`, entry.game);
    integer(`${field}.leaseUntil`, entry.leaseUntil);
    if (entry.dropEventsThrough !== undefined && entry.dropEventsThrough !== 'all') integer(`${field}.dropEventsThrough`, entry.dropEventsThrough);
  } else throw new InvalidInputError(`${field}.kind`, 'must be "append" or "snapshot"');
  const payloadField = `${field}.${entry.kind === 'append' ? 'event' : 'snapshot'}`;
  if (typeof payload !== 'string') throw new InvalidInputError(payloadField, 'must be JSON text');
  if (!parseJson) return;
  try {
    JSON.parse(payload);
  } catch {
    throw new InvalidInputError(payloadField, 'must be JSON text');
  }
}

async function deleteLiveRoomIn(trx: Transaction<Database>, code: string): Promise<boolean> {
  await trx.deleteFrom('live_room_events').where('code', '=', code).execute();
  const result = await trx.deleteFrom('live_rooms').where('code', '=', code).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function toLiveRoomInfo(row: Database['live_rooms']): LiveRoomInfo {
  return {
    code: row.code,
    game: row.game,
    snapshot: JSON.parse(row.snapshot),
    owner: row.owner,
    leaseUntil: toNumber(row.lease_until),
    updatedAt: toNumber(row.updated_at),
  };
}

function toSummary(row: Omit<Database['archived_games'], 'data'>): ArchivedGameSummary {
  return {
    id: row.id,
    game: row.game,
    code: row.code,
    startedAt: toNumber(row.started_at),
    endedAt: toNumber(row.ended_at),
    participants: JSON.parse(row.participants),
    result: row.result === null ? null : JSON.parse(row.result),
  };
}

/** PostgreSQL `bigint` arrives as a string unless the pool parses it; either way: a number. */
function toNumber(value: number | string | bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`stored integer ${String(value)} is not a safe integer`);
  return number;
}

/** A non-empty text value PostgreSQL and SQLite both store verbatim. */
function identifier(field: string, value: unknown): string {
  const text = storableText(field, value);
  if (text.length === 0) throw new InvalidInputError(field, 'must not be empty');
  return text;
}

function storableText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'must be a string');
  if (NUL.test(value)) throw new InvalidInputError(field, 'must not contain NUL characters');
  if (LONE_SURROGATE.test(value)) throw new InvalidInputError(field, 'must be well-formed Unicode');
  return value;
}

function integer(field: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function json(field: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError(field, `is not JSON-serialisable (${(error as Error).message})`);
  }
  if (text === undefined) throw new InvalidInputError(field, 'is not JSON-serialisable');
  return text;
}

function archiveId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new InvalidInputError(field, 'must be 1–64 characters of A–Z, a–z, 0–9, "_" or "-"');
  }
  return value;
}

function participantList(value: unknown): Participant[] {
  if (!Array.isArray(value)) throw new InvalidInputError('record.participants', 'must be an array');
  return value.map((participant: Partial<Participant> | null, index) => ({
    userId: identifier(`record.participants[${index}].userId`, participant?.userId),
    name: storableText(`record.participants[${index}].name`, participant?.name),
  }));
}

/** 128 random bits, base64url: 22 url-safe characters. */
function newId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Cursor: base64url of the JSON `[endedAt, id]` of the last listed game. Opaque to clients. */
function encodeCursor(endedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([endedAt, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: unknown): { endedAt: number; id: string } {
  const invalid = () => new InvalidInputError('options.before', 'is not a cursor of this listing');
  if (typeof cursor !== 'string' || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [endedAt, id] = parsed as unknown[];
  if (typeof endedAt !== 'number' || !Number.isSafeInteger(endedAt) || endedAt < 0) throw invalid();
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw invalid();
  return { endedAt, id };
}

type Violation = 'unique' | 'foreign-key' | undefined;

/** Which integrity constraint a driver error reports, for SQLite (better-sqlite3) and PostgreSQL (pg). */
function constraintViolation(error: unknown): Violation {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case '23505': // unique_violation
      return 'unique';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
    case '23503': // foreign_key_violation
      return 'foreign-key';
    default:
      return undefined;
  }
}
