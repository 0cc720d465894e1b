/**
 * Work still running that a shutdown must let finish before the storage closes: the disposal of a
 * room that began closing before the shutdown (Colyseus does not wait for a room that is already
 * disposing), an archive write.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    work.then(
      () => this.running.delete(work),
      () => this.running.delete(work),
    );
    return work;
  }

  /** Resolves once everything tracked has settled, including work tracked meanwhile. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
