/**
 * The journal's hot path on SQLite: one `BEGIN IMMEDIATE … COMMIT` per batch with prepared
 * statements, so a batch of appends and snapshots from many rooms costs one fsync. Runs where the
 * database connection lives (the storage worker thread, see `sqliteWorker.ts`), never on the
 * rooms' event loop. SQLite has one writer at a time, so reading the owner and writing in the
 * same transaction is the fence: no other process can claim the room in between.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { JournalBatch, JournalOutcome, JournalWrite } from './storage';

export type SqliteJournal = (batch: JournalBatch) => JournalOutcome[];

export function sqliteJournal(database: BetterSqlite3.Database): SqliteJournal {
  const ownerOf = database.prepare<[string], { owner: string; lease_until: number }>('select owner, lease_until from live_rooms where code = ?');
  const appendEvent = database.prepare('insert into live_room_events (code, seq, event, at) values (?, ?, ?, ?) on conflict do nothing');
  const createRoom = database.prepare('insert into live_rooms (code, game, snapshot, owner, lease_until, updated_at) values (?, ?, ?, ?, ?, ?)');
  const updateRoom = database.prepare('update live_rooms set game = ?, snapshot = ?, lease_until = ?, updated_at = ? where code = ?');
  const dropAll = database.prepare('delete from live_room_events where code = ?');
  const dropThrough = database.prepare('delete from live_room_events where code = ? and seq <= ?');

  function write(batch: JournalBatch, entry: JournalWrite): JournalOutcome {
    const room = ownerOf.get(entry.code);
    if (!room) {
      if (entry.kind === 'append') return 'not_found';
      createRoom.run(entry.code, entry.game, entry.snapshot, batch.owner, entry.leaseUntil, batch.now);
      return 'ok';
    }
    if (room.owner !== batch.owner || room.lease_until < batch.now) return 'lease_lost';
    if (entry.kind === 'append') return appendEvent.run(entry.code, entry.seq, entry.event, entry.at).changes === 1 ? 'ok' : 'duplicate';
    updateRoom.run(entry.game, entry.snapshot, entry.leaseUntil, batch.now, entry.code);
    if (entry.dropEventsThrough === 'all') dropAll.run(entry.code);
    else if (entry.dropEventsThrough !== undefined) dropThrough.run(entry.code, entry.dropEventsThrough);
    return 'ok';
  }

  const commit = database.transaction((batch: JournalBatch) => batch.writes.map((entry) => write(batch, entry)));
  return (batch) => commit.immediate(batch);
}
