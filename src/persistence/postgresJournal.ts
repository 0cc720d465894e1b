/**
 * The journal's hot path on PostgreSQL: one transaction per batch, a handful of multi-row
 * statements whatever the batch size. The fence is in the transaction: the batch's rooms are
 * read `FOR UPDATE`, so a process claiming one of them (`claimExpiredRooms`) waits for this commit
 * and then sees its writes, or claims first and this batch sees the new owner and writes nothing
 * for that room. Rows are locked in code order, so two transactions never wait on each other in a cycle.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './migrations';
import type { JournalBatch, JournalOutcome, JournalWrite } from './storage';

type Append = Extract<JournalWrite, { kind: 'append' }>;
type Snapshot = Extract<JournalWrite, { kind: 'snapshot' }>;

export async function postgresJournal(db: Kysely<Database>, batch: JournalBatch): Promise<JournalOutcome[]> {
  return db.transaction().execute(async (trx) => {
    const codes = batch.writes.map((entry) => entry.code);
    const { rows } = await sql<{ code: string; owner: string; lease_until: number }>`
      select code, owner, lease_until from live_rooms where code = any(${codes}::text[]) order by code for update`.execute(trx);
    const stored = new Map(rows.map((row) => [row.code, row]));
    const outcomes: JournalOutcome[] = [];
    const appends: Array<[number, Append]> = [];
    const created: Array<[number, Snapshot]> = [];
    const updated: Snapshot[] = [];
    batch.writes.forEach((entry, index) => {
      const room = stored.get(entry.code);
      outcomes[index] = 'ok';
      if (!room) {
        if (entry.kind === 'append') outcomes[index] = 'not_found';
        else created.push([index, entry]);
      } else if (room.owner !== batch.owner || Number(room.lease_until) < batch.now) outcomes[index] = 'lease_lost';
      else if (entry.kind === 'append') appends.push([index, entry]);
      else updated.push(entry);
    });
    if (created.length > 0) {
      const inserted = await createRooms(trx, batch, created.map(([, entry]) => entry));
      for (const [index, entry] of created) if (!inserted.has(entry.code)) outcomes[index] = 'lease_lost'; // created meanwhile elsewhere
    }
    if (updated.length > 0) await updateRooms(trx, batch, updated);
    if (appends.length > 0) {
      const logged = await appendEvents(trx, appends.map(([, entry]) => entry));
      for (const [index, entry] of appends) if (!logged.has(entry.code)) outcomes[index] = 'duplicate';
    }
    return outcomes;
  });
}

async function createRooms(db: Kysely<Database>, batch: JournalBatch, rooms: Snapshot[]): Promise<Set<string>> {
  const { rows } = await sql<{ code: string }>`
    insert into live_rooms (code, game, snapshot, owner, lease_until, updated_at)
    select code, game, snapshot, ${batch.owner}, lease_until, ${batch.now}::bigint
    from unnest(${rooms.map((room) => room.code)}::text[], ${rooms.map((room) => room.game)}::text[],
                ${rooms.map((room) => room.snapshot)}::text[], ${rooms.map((room) => room.leaseUntil)}::bigint[])
         as incoming(code, game, snapshot, lease_until)
    on conflict (code) do nothing
    returning code`.execute(db);
  return new Set(rows.map((row) => row.code));
}

async function updateRooms(db: Kysely<Database>, batch: JournalBatch, rooms: Snapshot[]): Promise<void> {
  await sql`
    update live_rooms set game = incoming.game, snapshot = incoming.snapshot, lease_until = incoming.lease_until, updated_at = ${batch.now}::bigint
    from unnest(${rooms.map((room) => room.code)}::text[], ${rooms.map((room) => room.game)}::text[],
                ${rooms.map((room) => room.snapshot)}::text[], ${rooms.map((room) => room.leaseUntil)}::bigint[])
         as incoming(code, game, snapshot, lease_until)
    where live_rooms.code = incoming.code`.execute(db);
  const dropAll = rooms.filter((room) => room.dropEventsThrough === 'all').map((room) => room.code);
  if (dropAll.length > 0) await sql`delete from live_room_events where code = any(${dropAll}::text[])`.execute(db);
  for (const room of rooms) {
    if (typeof room.dropEventsThrough === 'number') {
      await sql`delete from live_room_events where code = ${room.code} and seq <= ${room.dropEventsThrough}`.execute(db);
    }
  }
}

/** Inserts the events; returns the codes whose event was new (the others were duplicates). */
async function appendEvents(db: Kysely<Database>, events: Append[]): Promise<Set<string>> {
  const { rows } = await sql<{ code: string }>`
    insert into live_room_events (code, seq, event, at)
    select * from unnest(${events.map((event) => event.code)}::text[], ${events.map((event) => event.seq)}::bigint[],
                         ${events.map((event) => event.event)}::text[], ${events.map((event) => event.at)}::bigint[])
    on conflict do nothing
    returning code`.execute(db);
  return new Set(rows.map((row) => row.code));
}
