/**
 * A real Storage with its `commitJournal` replaced and read-only (or settable) spy properties
 * added, every other method passed through to the real one: for the journal's unit tests.
 */
import type { JournalBatch, JournalOutcome, Storage } from '../../src/persistence/storage';

export function storageSpy<T extends Storage>(
  storage: Storage,
  commitJournal: (batch: JournalBatch) => Promise<JournalOutcome[]>,
  /** Spy properties, read on each access. */
  reads: Record<string, () => unknown>,
  /** Spy properties a test may set. */
  writes: Record<string, (value: any) => void> = {},
): T {
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'commitJournal') return commitJournal;
      if (typeof property === 'string' && property in reads) return reads[property]();
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_target, property, value) {
      if (typeof property !== 'string' || !(property in writes)) return false;
      writes[property](value);
      return true;
    },
  }) as T;
}
