/**
 * A running room's durable record (SPEC §8 "restart without losing a match"): a snapshot that is
 * replaced as the room changes, and an append-only event log that the room appends to *before* it
 * applies and acknowledges an action. A restarted server rebuilds the room from both.
 */
import { DuplicateEventError, LeaseLostError, type LiveRoom, type Storage } from './storage';
import type { Lease } from '../cluster/lease';
import type { Logger } from '../logger';

export interface RoomJournalOptions {
  storage: Storage;
  lease: Lease;
  logger: Logger;
  /** This process (the lease owner written with every snapshot). */
  owner: string;
  code: string;
  game: string;
  /** The room's current snapshot (JSON). */
  snapshot: () => unknown;
  /** Another process owns the room now (it adopted it): this copy must stop at once. */
  onLost: () => void;
  /** Sequence number of the last logged event (a restored room continues after it). */
  lastSeq?: number;
}

export class RoomJournal {
  private seq: number;
  private saving?: Promise<void>;
  private dirty = false;
  private stopped = false;
  /** JSON of the last snapshot written, so an unchanged one is not written again. */
  private lastWritten?: string;

  constructor(private readonly options: RoomJournalOptions) {
    this.seq = options.lastSeq ?? 0;
  }

  /** The live room `code` if this process owns it (a restart or an adoption made it ours). */
  static async load(storage: Storage, code: string, owner: string): Promise<LiveRoom | undefined> {
    const record = await storage.loadLiveRoom(code);
    return record && record.owner === owner ? record : undefined;
  }

  /** Writes the snapshot now (awaited: the first save must exist before any event). */
  async saveNow(options: { resetLog?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    const { storage, code, game, owner, lease } = this.options;
    const snapshot = this.options.snapshot();
    const json = JSON.stringify(snapshot);
    const room = { code, game, snapshot, owner, leaseUntil: Date.now() + lease.ms };
    // Fenced: written only while this process still owns the room.
    await storage.saveLiveRoom(room, { fenced: true, ...(options.resetLog && { dropEventsThrough: 'all' as const }) }).catch((error) => this.lostIf(error));
    this.lastWritten = json;
  }

  /** Saves the snapshot if it changed since the last write; requests while one runs are merged. */
  saveIfChanged(): void {
    if (this.stopped || JSON.stringify(this.options.snapshot()) === this.lastWritten) return;
    this.dirty = true;
    this.saving ??= this.flush().finally(() => (this.saving = undefined));
  }

  private async flush(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.saveNow();
      } catch (error) {
        this.options.logger.error({ err: error, room: this.options.code }, 'saving the room snapshot failed');
      }
    }
  }

  /**
   * Appends one event; resolves once it is durable. A failure leaves the log unchanged. Refused
   * when this process cannot vouch for its lease any more: another process may be adopting the
   * room, and a match must never advance in two places.
   */
  async append(event: unknown): Promise<void> {
    const { storage, code, lease } = this.options;
    if (!lease.held()) throw new Error(`lease on room ${code} not held: refusing to journal`);
    const seq = this.seq + 1;
    await storage.appendEvent(code, seq, event, Date.now()).catch((error) => this.lostIf(error));
    this.seq = seq;
  }

  /** A fencing failure or someone else's entry at our next seq: the room moved to another process. */
  private lostIf(error: unknown): never {
    if (error instanceof LeaseLostError || error instanceof DuplicateEventError) {
      this.stopped = true;
      this.options.logger.error({ room: this.options.code }, 'another process owns this room now: stopping it here');
      this.options.onLost();
    }
    throw error;
  }

  /** The room closed for good: its record goes (its outcome is in the archive). */
  async remove(): Promise<void> {
    this.stopped = true;
    await this.saving;
    await this.options.storage.deleteLiveRoom(this.options.code);
  }

  /** Server shutdown: keep the record, write the latest snapshot, let any process adopt it. */
  async release(): Promise<void> {
    await this.saving;
    await this.saveNow();
    this.stopped = true;
    await this.options.storage.releaseRoom(this.options.code, this.options.owner);
  }
}
