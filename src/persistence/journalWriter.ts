/**
 * Group commit for every room of the process: journal writes (appends and snapshots) queue here,
 * and one batch at a time goes to storage as one transaction. Whatever arrives while a commit is
 * in flight goes into the next one, so under load one disk flush serves many actions, and no
 * room waits for a disk on the event loop (SQLite commits on its worker thread, PostgreSQL over
 * the pool). A batch holds at most one write per room: a room's later write waits for the next
 * batch, so each room's writes commit in the order it made them.
 *
 * It also knows which rooms this process journals for, so the lease heartbeat can tell a room
 * that another process took it over (`leasesRenewed`).
 */
import type { JournalOutcome, JournalWrite, Storage } from './storage';
import { checkJournalWrite } from './kyselyStorage';

/** Writes per transaction at most (a longer queue is committed in several). */
export const MAX_BATCH_WRITES = 1000;

interface QueuedWrite {
  write: JournalWrite;
  resolve(outcome: JournalOutcome): void;
  reject(error: unknown): void;
}

interface TrackedRoom {
  /** Epoch ms when the room's first snapshot committed: renewals started before it do not know it. */
  since: number;
  lost(): void;
}

export class JournalWriter {
  private queue: QueuedWrite[] = [];
  private committing = false;
  private readonly rooms = new Map<string, TrackedRoom>();

  constructor(
    private readonly storage: Storage,
    /** This process, the owner every write is fenced on. */
    private readonly owner: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Queues `write`; resolves with its outcome once its batch committed (rejects if the commit
   * failed). A write storage could not store is refused here (InvalidInputError), alone.
   */
  write(write: JournalWrite): Promise<JournalOutcome> {
    return new Promise((resolve, reject) => {
      checkJournalWrite(write);
      this.queue.push({ write, resolve, reject });
      if (!this.committing) this.startSoon();
    });
  }

  /** A room journals here from now on; `lost` runs if the heartbeat finds it owned elsewhere. */
  track(code: string, lost: () => void): () => void {
    const room = { since: this.now(), lost };
    this.rooms.set(code, room);
    return () => {
      if (this.rooms.get(code) === room) this.rooms.delete(code);
    };
  }

  /**
   * The heartbeat renewed `renewed` (every room storage still records as ours) in a renewal that
   * started at `startedAt`: a room tracked before then and missing from the list was taken over.
   */
  leasesRenewed(renewed: readonly string[], startedAt: number): string[] {
    const ours = new Set(renewed);
    const lost = [...this.rooms].filter(([code, room]) => room.since < startedAt && !ours.has(code));
    for (const [code, room] of lost) {
      this.rooms.delete(code);
      room.lost();
    }
    return lost.map(([code]) => code);
  }

  /** Writes queued for a later batch (not counting the one committing). */
  get backlog(): number {
    return this.queue.length;
  }

  /** After the current I/O batch, so the writes of one tick share a transaction. */
  private startSoon(): void {
    this.committing = true;
    setImmediate(() => void this.commit());
  }

  private async commit(): Promise<void> {
    const batch = this.nextBatch();
    try {
      const outcomes = await this.storage.commitJournal({ owner: this.owner, now: this.now(), writes: batch.map((queued) => queued.write) });
      batch.forEach((queued, index) => queued.resolve(outcomes[index]!));
    } catch (error) {
      for (const queued of batch) queued.reject(error);
    }
    if (this.queue.length > 0) this.startSoon();
    else this.committing = false;
  }

  /** The oldest writes, one per room, up to MAX_BATCH_WRITES; the rest stay queued in order. */
  private nextBatch(): QueuedWrite[] {
    const batch: QueuedWrite[] = [];
    const rest: QueuedWrite[] = [];
    const rooms = new Set<string>();
    for (const queued of this.queue) {
      if (batch.length < MAX_BATCH_WRITES && !rooms.has(queued.write.code)) {
        rooms.add(queued.write.code);
        batch.push(queued);
      } else rest.push(queued);
    }
    this.queue = rest;
    return batch;
  }
}
