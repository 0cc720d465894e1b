/**
 * A running room's durable record (SPEC §8 "restart without losing a match"): a snapshot that is
 * replaced as the room changes, and an append-only event log that the room appends to *before* it
 * applies and acknowledges an action. A restarted server rebuilds the room from both.
 *
 * Writes go through the process's JournalWriter (group commit) and are fenced in their
 * transaction: they commit only while this process owns the room with a live lease. A write the
 * fence refuses means another process adopted the room: the journal stops, `onLost` closes this
 * copy, and the action that asked is refused, never acknowledged.
 */
import { DuplicateEventError, LeaseLostError, type JournalOutcome, type LiveRoom, type Storage } from './storage';
import type { JournalWriter } from './journalWriter';
import type { Lease } from '../cluster/lease';
import type { Logger } from '../logger';

export interface RoomJournalOptions {
  storage: Storage;
  writer: JournalWriter;
  lease: Lease;
  logger: Logger;
  /** This process (the owner the writes are fenced on). */
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
  /** JSON of the latest snapshot handed to the writer (committed or on its way). */
  private lastSubmitted?: string;
  private untrack?: () => void;

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
    const { writer, code, game, lease } = this.options;
    const snapshot = JSON.stringify(this.options.snapshot());
    this.lastSubmitted = snapshot;
    let outcome: JournalOutcome;
    try {
      outcome = await writer.write({ kind: 'snapshot', code, game, snapshot, leaseUntil: Date.now() + lease.ms, ...(options.resetLog && { dropEventsThrough: 'all' as const }) });
    } catch (error) {
      if (this.lastSubmitted === snapshot) this.lastSubmitted = undefined; // not stored: the next change must write again
      throw error;
    }
    if (outcome !== 'ok') this.lost(outcome);
    this.untrack ??= writer.track(code, () => this.closeHere('lease_lost'));
  }

  /** Saves the snapshot if it differs from the last one submitted; requests while one runs are merged. */
  saveIfChanged(): void {
    if (this.stopped || JSON.stringify(this.options.snapshot()) === this.lastSubmitted) return;
    this.dirty = true;
    this.saving ??= this.flush().finally(() => (this.saving = undefined));
  }

  private async flush(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.saveNow();
      } catch (error) {
        if (!this.stopped) this.options.logger.error({ err: error, room: this.options.code }, 'saving the room snapshot failed');
      }
    }
  }

  /**
   * Appends one event; resolves once it is durable. A failure leaves the log unchanged. Refused
   * when this process cannot vouch for its lease any more (another process may be adopting the
   * room, and a match must never advance in two places), and once the room was lost.
   */
  async append(event: unknown): Promise<void> {
    const { writer, code, lease, owner, logger } = this.options;
    if (this.stopped) throw new LeaseLostError(code, owner);
    if (!lease.held()) throw new Error(`lease on room ${code} not held: refusing to journal`);
    const seq = this.seq + 1;
    const outcome = await writer.write({ kind: 'append', code, seq, event: JSON.stringify(event), at: Date.now() });
    if (outcome === 'ok') {
      this.seq = seq;
      return;
    }
    if (outcome === 'duplicate') {
      // The fence passed, so this process owns the room: its own numbering went wrong.
      logger.error({ room: code, seq }, 'BUG: journal sequence number already used by this room; action refused');
      throw new DuplicateEventError(code, seq);
    }
    this.lost(outcome);
  }

  /** The fence refused a write: the write did not happen, and this copy stops. */
  private lost(outcome: JournalOutcome): never {
    this.closeHere(outcome);
    throw new LeaseLostError(this.options.code, this.options.owner);
  }

  /** Another process owns the room (the fence, or the heartbeat, says so): stop this copy. */
  private closeHere(outcome: JournalOutcome): void {
    if (this.stopped) return;
    this.stop();
    this.options.logger.error({ room: this.options.code, outcome }, 'another process owns this room now: closing it here');
    this.options.onLost();
  }

  private stop(): void {
    this.stopped = true;
    this.untrack?.();
  }

  /** The room closed for good: its record goes (its outcome is in the archive). */
  async remove(): Promise<void> {
    this.stop();
    await this.saving;
    await this.options.storage.deleteLiveRoom(this.options.code);
  }

  /** Server shutdown: keep the record, write the latest snapshot, let any process adopt it. */
  async release(): Promise<void> {
    await this.saving;
    await this.saveNow();
    this.stop();
    await this.options.storage.releaseRoom(this.options.code, this.options.owner);
  }
}
