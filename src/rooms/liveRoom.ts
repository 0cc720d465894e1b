/**
 * A running room's durable record (SPEC §8 "restart without losing a match"): a snapshot that is
 * replaced as the room changes, and an append-only event log that a game appends to *before* it
 * applies and acknowledges an action. A restarted server rebuilds the room from both.
 */
import { DuplicateEventError, LeaseLostError, type Storage } from '../persistence/storage';
import { arena } from '../context';
import { leaseHeld, leaseMs } from './cluster';


export class LiveRoomRecord {
  private seq: number;
  private saving?: Promise<void>;
  private dirty = false;
  private removed = false;

  constructor(
    private readonly storage: Storage,
    readonly code: string,
    private readonly game: string,
    private readonly snapshot: () => unknown,
    /** Another process owns the room now (it adopted it): this instance must stop at once. */
    private readonly onLost: () => void,
    lastSeq = 0,
  ) {
    this.seq = lastSeq;
  }

  /** Writes the snapshot now (awaited: the first save must exist before any event). */
  async saveNow(options: { resetLog?: boolean } = {}): Promise<void> {
    if (this.removed) return;
    const room = { code: this.code, game: this.game, snapshot: this.snapshot(), owner: arena().instanceId, leaseUntil: Date.now() + leaseMs() };
    // Fenced: written only while this process still owns the room.
    await this.storage.saveLiveRoom(room, { fenced: true, ...(options.resetLog && { dropEventsThrough: 'all' as const }) }).catch((error) => this.lostIf(error));
  }

  /** Schedules a snapshot save; saves requested while one runs are merged into the next. */
  requestSave(): void {
    this.dirty = true;
    this.saving ??= this.flush().finally(() => (this.saving = undefined));
  }

  private async flush(): Promise<void> {
    while (this.dirty && !this.removed) {
      this.dirty = false;
      try {
        await this.saveNow();
      } catch (error) {
        arena().logger.error({ err: error, room: this.code }, 'saving the room snapshot failed');
      }
    }
  }

  /**
   * Appends one event; resolves once it is durable. A failure leaves the log unchanged. Refused
   * when this process cannot vouch for its lease any more: another process may be adopting the
   * room, and a match must never advance in two places.
   */
  async append(event: unknown): Promise<void> {
    if (!leaseHeld()) throw new Error(`lease on room ${this.code} not held: refusing to journal`);
    const seq = this.seq + 1;
    await this.storage.appendEvent(this.code, seq, event, Date.now()).catch((error) => this.lostIf(error));
    this.seq = seq;
  }

  /** A fencing failure or someone else's entry at our next seq: the room moved to another process. */
  private lostIf(error: unknown): never {
    if (error instanceof LeaseLostError || error instanceof DuplicateEventError) {
      this.removed = true;
      arena().logger.error({ room: this.code }, 'another process owns this room now: stopping it here');
      this.onLost();
    }
    throw error;
  }

  /** The room closed for good: its record goes (its outcome is in the archive). */
  async remove(): Promise<void> {
    this.removed = true;
    await this.saving;
    await this.storage.deleteLiveRoom(this.code);
  }

  /** Server shutdown: keep the record, write the latest snapshot, let any process adopt it. */
  async release(): Promise<void> {
    await this.saving;
    await this.saveNow();
    this.removed = true;
    await this.storage.releaseRoom(this.code, arena().instanceId);
  }
}
