/**
 * Where rooms hand over what must outlive them: finished matches and closed sessions. Rooms
 * submit; the process stores each record in the archive (`Storage.archiveGame`, SPEC §8).
 */
import { EventEmitter } from 'events';
import type { ArchiveInput } from './storage';
import { toWellFormed } from '../protocol/text';

/** One archived match or session: who took part, a small result, and the game's full record. */
export type ArchiveRecord = ArchiveInput;

export class ArchiveSink {
  private readonly events = new EventEmitter();

  /** A room hands a finished match or closed session over for storage. */
  submit(record: ArchiveRecord): void {
    // Names came through checked tokens; should one still be ill-formed, the match is archived anyway.
    const participants = record.participants.map((participant) => ({ ...participant, name: toWellFormed(participant.name) }));
    this.events.emit('record', { ...record, participants });
  }

  onRecord(listener: (record: ArchiveRecord) => void): () => void {
    this.events.on('record', listener);
    return () => this.events.off('record', listener);
  }
}
