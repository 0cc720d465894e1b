/**
 * The storage interface of Arena (SPEC §8): live rooms (snapshot + append-only action log, with
 * leases so several processes can share one PostgreSQL database) and the archive of finished
 * matches and closed sessions.
 *
 * Two backends implement it from one query layer (`kyselyStorage.ts`): SQLite (embedded default,
 * one file in the data directory) and PostgreSQL (`DATABASE_URL`). Both behave the same:
 * - JSON payloads (`snapshot`, `event`, `data`, `result`) are stored as JSON text and come back as
 *   parsed JSON: anything that does not survive `JSON.stringify` (functions, `undefined` fields,
 *   `Map`s, class prototypes, non-finite numbers) does not survive storage either.
 * - Timestamps and sequence numbers are epoch-millisecond / integer `number`s (safe integers).
 * - Plain text fields (codes, ids, names, owners) are stored verbatim; they must not contain NUL
 *   (U+0000) or unpaired surrogates, which PostgreSQL cannot store: such input is rejected with
 *   {@link InvalidInputError} on both backends. JSON payloads may contain any string.
 *
 * No module here imports Colyseus: rooms adapt to this interface, not the other way round.
 */

/** Which database a {@link Storage} talks to. */
export type StorageBackend = 'sqlite' | 'postgres';

/** A live room as written by its owning process. */
export interface LiveRoomInput {
  /** The room's join code (primary key). */
  code: string;
  /** The game name (`cabo`, `tabletop`, …). */
  game: string;
  /** JSON-able state to restore the room from (replaced on every save). */
  snapshot: unknown;
  /** Id of the process that runs the room (lease owner). */
  owner: string;
  /** Epoch ms until which `owner` holds the room; after it, another process may claim it. */
  leaseUntil: number;
}

/** A live room as stored (without its action log). */
export interface LiveRoomInfo extends LiveRoomInput {
  /** Epoch ms of the last {@link Storage.saveLiveRoom}. */
  updatedAt: number;
}

/** One entry of a live room's append-only action log. */
export interface LiveRoomEvent {
  /** Sequence number, unique per room; the log is ordered by it. */
  seq: number;
  /** The JSON-able event. */
  event: unknown;
  /** Epoch ms when the event happened. */
  at: number;
}

/** A live room with its whole action log, ordered by `seq` ascending. */
export interface LiveRoom extends LiveRoomInfo {
  events: LiveRoomEvent[];
}

/** Options of {@link Storage.saveLiveRoom}. */
export interface SaveLiveRoomOptions {
  /**
   * Drop logged events in the same transaction as the save: `'all'` (e.g. a new match starts and
   * the snapshot is its initial state) or every event with `seq <= n` (the snapshot already
   * contains them: log compaction). Default: keep the log.
   */
  dropEventsThrough?: number | 'all';
  /**
   * Fencing for several processes: write only if the room is new, already belongs to
   * `room.owner`, or its lease has expired (`leaseUntil < now`). Otherwise nothing is written and
   * {@link LeaseLostError} is thrown, so a process that stalled past its lease cannot overwrite
   * the room another process has claimed meanwhile. Default `false`: unconditional upsert.
   */
  fenced?: boolean;
}

/**
 * One write of a room's journal, committed with others in one transaction (group commit, see
 * `journalWriter.ts`). Payloads arrive as JSON text: the room serialised them when it wrote.
 */
export type JournalWrite =
  | {
      kind: 'append';
      code: string;
      seq: number;
      /** JSON text of the event. */
      event: string;
      /** Epoch ms when it happened. */
      at: number;
    }
  | {
      kind: 'snapshot';
      code: string;
      game: string;
      /** JSON text of the snapshot. */
      snapshot: string;
      leaseUntil: number;
      /** As {@link SaveLiveRoomOptions.dropEventsThrough}. */
      dropEventsThrough?: number | 'all';
    };

/**
 * Writes of one commit, fenced on ownership: every write of a room commits only while that room
 * belongs to `owner` with a lease that has not lapsed at `now` (checked in the same transaction,
 * with the row locked); the first snapshot of a room not stored yet creates it. At most one write
 * per room.
 */
export interface JournalBatch {
  owner: string;
  now: number;
  writes: JournalWrite[];
}

/**
 * How one write of a batch ended: committed; refused by the fence (another process owns the room,
 * or this process's lease lapsed); a duplicate `seq` (kept as stored); or no such room.
 */
export type JournalOutcome = 'ok' | 'lease_lost' | 'duplicate' | 'not_found';

/** Filter of {@link Storage.listLiveRooms}. */
export interface LiveRoomFilter {
  /** Only rooms of this lease owner. */
  owner?: string;
  /** Only rooms of this game. */
  game?: string;
}

/** One participant of an archived game. */
export interface Participant {
  /** The player's identity (token `sub`). */
  userId: string;
  /** Display name at the time of the game. */
  name: string;
}

/** A finished match or closed session handed to the archive. */
export interface ArchiveInput {
  /** Url-safe id; generated (22 random base64url characters) when absent. */
  id?: string;
  /** The game name. */
  game: string;
  /** The room code the game was played under. */
  code: string;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; listings are ordered by it, newest first. */
  endedAt: number;
  /** Who took part; indexed by `userId` for {@link Storage.listGamesOfUser} (duplicates allowed). */
  participants: Participant[];
  /** Small JSON-able outcome (winners, scores) returned in listings too. Default `null`. */
  result?: unknown;
  /** The full JSON-able record (e.g. action log for replays); only returned by `getGame`. */
  data: unknown;
}

/** An archived game as listed: everything but `data`. */
export interface ArchivedGameSummary {
  id: string;
  game: string;
  code: string;
  startedAt: number;
  endedAt: number;
  /** In the order they were archived. */
  participants: Participant[];
  /** `null` when none was archived. */
  result: unknown;
}

/** An archived game with its full record. */
export interface ArchivedGame extends ArchivedGameSummary {
  data: unknown;
}

/** Options of {@link Storage.archiveGame}. */
export interface ArchiveOptions {
  /**
   * Also delete the live room `record.code` (and its log) in the same transaction, so a crash
   * cannot leave a finished match both archived and restorable. Default `false`.
   */
  deleteLiveRoom?: boolean;
}

/** Options of {@link Storage.listGamesOfUser}. */
export interface ListGamesOptions {
  /** Page size, an integer from 1 to 100. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  before?: string;
}

/** One page of {@link Storage.listGamesOfUser}. */
export interface GamePage {
  /** Newest first: `endedAt` descending, then `id` descending. */
  games: ArchivedGameSummary[];
  /** Opaque cursor of the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * Durable storage of one Arena deployment. All methods are async and safe to call concurrently;
 * invalid arguments reject with {@link InvalidInputError}.
 */
export interface Storage {
  /** Which database this instance talks to. */
  readonly backend: StorageBackend;

  /**
   * Creates or replaces the live room `room.code` (game, snapshot, owner, lease; `updatedAt` is
   * set to now). Its logged events are kept unless `options.dropEventsThrough` says otherwise.
   * @throws LeaseLostError with `options.fenced` when another owner holds an unexpired lease.
   */
  saveLiveRoom(room: LiveRoomInput, options?: SaveLiveRoomOptions): Promise<void>;

  /**
   * Appends one event to the action log of the live room `code`. Append-only: an existing
   * `(code, seq)` is never overwritten.
   * @throws DuplicateEventError when `seq` is already logged for the room (the stored one is kept).
   * @throws RoomNotFoundError when no live room `code` exists (save the room first).
   */
  appendEvent(code: string, seq: number, event: unknown, at: number): Promise<void>;

  /**
   * Commits the writes of `batch` in one transaction (one disk flush for all of them), each
   * fenced as {@link JournalBatch} says. A write refused by its fence or a duplicate is left out;
   * the others commit. Outcomes are in the order of `batch.writes`.
   */
  commitJournal(batch: JournalBatch): Promise<JournalOutcome[]>;

  /** The live room `code` with its events ordered by `seq` (read consistently), or `undefined`. */
  loadLiveRoom(code: string): Promise<LiveRoom | undefined>;

  /**
   * Live rooms without their logs (use {@link loadLiveRoom} for those), ordered by code.
   * With `filter.owner` / `filter.game`, only the matching ones.
   */
  listLiveRooms(filter?: LiveRoomFilter): Promise<LiveRoomInfo[]>;

  /** Deletes the live room `code` and its log in one transaction; `false` if there was none. */
  deleteLiveRoom(code: string): Promise<boolean>;

  /**
   * Sets `leaseUntil` of every room of `owner` (heartbeat); returns the codes it renewed, sorted,
   * so the owner notices the rooms it no longer owns.
   */
  renewLeases(owner: string, leaseUntil: number): Promise<string[]>;

  /**
   * Atomically takes over up to `limit` (default 100) rooms whose lease has expired
   * (`leaseUntil < now`, oldest lease first): their owner becomes `newOwner` with lease
   * `leaseUntil`. Returns the claimed codes, sorted. Processes racing for the same room: exactly
   * one gets it.
   */
  claimExpiredRooms(newOwner: string, now: number, leaseUntil: number, limit?: number): Promise<string[]>;

  /**
   * Gives the room up (e.g. on shutdown after a final save): if `owner` holds it, its lease is
   * expired at once (`leaseUntil` = 0) so any process may claim it. Returns whether it did.
   */
  releaseRoom(code: string, owner: string): Promise<boolean>;

  /**
   * Stores a finished match or closed session and indexes it by participant; returns its id.
   * @throws DuplicateGameError when `record.id` is already archived (the stored one is kept).
   */
  archiveGame(record: ArchiveInput, options?: ArchiveOptions): Promise<string>;

  /** The archived game `id` with its full record, or `undefined`. */
  getGame(id: string): Promise<ArchivedGame | undefined>;

  /**
   * The archived games `userId` took part in, newest first (`endedAt`, then `id`, descending),
   * one page at a time. Keyset pagination: a cursor is a position, so games archived between two
   * page requests neither repeat nor hide the ones not yet listed.
   * @throws InvalidInputError for a limit outside 1–100 or a malformed cursor.
   */
  listGamesOfUser(userId: string, options?: ListGamesOptions): Promise<GamePage>;

  /** Closes the connection(s); idempotent. The instance must not be used afterwards. */
  close(): Promise<void>;
}

/** Base class of the errors storage throws on purpose (database failures pass through as is). */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument storage cannot accept (an HTTP layer maps it to 400). */
export class InvalidInputError extends StorageError {
  constructor(
    /** The offending argument or field, e.g. `room.code`, `options.before`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** {@link Storage.appendEvent} of a `seq` the room's log already holds. */
export class DuplicateEventError extends StorageError {
  constructor(
    readonly code: string,
    readonly seq: number,
    options?: { cause?: unknown },
  ) {
    super(`event ${seq} of room ${JSON.stringify(code)} is already logged`, options);
  }
}

/** {@link Storage.appendEvent} for a room that is not stored. */
export class RoomNotFoundError extends StorageError {
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`no live room ${JSON.stringify(code)}`, options);
  }
}

/** A fenced {@link Storage.saveLiveRoom} of a room another process holds. */
export class LeaseLostError extends StorageError {
  constructor(
    readonly code: string,
    readonly owner: string,
  ) {
    super(`live room ${JSON.stringify(code)} is leased by another process than ${JSON.stringify(owner)}`);
  }
}

/** {@link Storage.archiveGame} with an id that is already archived. */
export class DuplicateGameError extends StorageError {
  constructor(
    readonly id: string,
    options?: { cause?: unknown },
  ) {
    super(`game ${JSON.stringify(id)} is already archived`, options);
  }
}
