/**
 * This process's claim on its live rooms (SPEC §8, scale): renewed by the heartbeat every third of
 * `LEASE_SECONDS`; a room journals only while the claim is fresh, so a process that stalled past
 * its lease can never advance a match another process has adopted.
 */
export class Lease {
  private heldUntil = 0;

  constructor(
    /** How long a claim outlasts its last renewal (`LEASE_SECONDS`). */
    readonly ms: number,
  ) {}

  /** The heartbeat renewed every room's lease until `until` (epoch ms). */
  renewed(until: number): void {
    this.heldUntil = until;
  }

  /** Whether this process may still act for its rooms: a sixth of the lease before it could lapse. */
  held(now = Date.now()): boolean {
    return now < this.heldUntil - this.ms / 6;
  }
}
