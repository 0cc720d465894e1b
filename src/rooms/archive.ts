/**
 * Where rooms hand over what must outlive them: finished matches and closed sessions. Rooms emit;
 * the persistence layer subscribes and stores (SPEC §8). Listeners must not throw.
 */
import { EventEmitter } from 'events';

/** One archived record: the game's own shape, tagged with its game and code. */
export interface ArchiveRecord {
  game: string;
  code: string;
  [field: string]: unknown;
}

class ArchiveHub extends EventEmitter {
  /** A room hands a finished match or closed session over for storage. */
  submit(record: ArchiveRecord): void {
    this.emit('record', record);
  }

  onRecord(listener: (record: ArchiveRecord) => void): () => void {
    this.on('record', listener);
    return () => this.off('record', listener);
  }
}

export const archive = new ArchiveHub();
