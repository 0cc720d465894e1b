/**
 * Limits on the way into a room, applied to Colyseus' seat reservations:
 * - a user holds at most one outstanding reservation per room: a newer one (a retry, a reload)
 *   replaces the older, so reservations that are never connected cannot pile up;
 * - joins and reconnections of one user into one room are rate-limited (a fresh session must
 *   not reset any limit).
 */
import { ArenaError } from '../protocol/errors';
import { countRefusal } from '../metrics';
import { createTokenBucket, type TokenBucket } from '../util/tokenBucket';

/** Joins and reconnections of one user into one room: bursts of 10, then one every 3 s. */
export const JOIN_RATE_LIMIT = { ratePerSecond: 1 / 3, burst: 10 };

/** Colyseus' reservation entry: [join options, auth data, consumed, is a reconnection]. */
export type Reservation = [unknown, unknown, boolean, boolean];

/** The room's reservation tables (Colyseus' own, which the guard edits in place). */
export interface ReservationTables {
  reservedSeats: Record<string, Reservation>;
  reservedSeatTimeouts: Record<string, NodeJS.Timeout>;
}

export class ReservationGuard {
  private readonly latest = new Map<string, string>();
  private readonly joins = new Map<string, TokenBucket>();

  constructor(private readonly room: ReservationTables) {}

  /**
   * Drops `userId`'s outstanding reservation (not one being consumed, not a reconnection).
   * Returns whether one was dropped: the caller then decrements the room's client count.
   */
  dropOlder(userId: string | undefined): string | undefined {
    const previous = userId === undefined ? undefined : this.latest.get(userId);
    const seat = previous === undefined ? undefined : this.room.reservedSeats[previous];
    if (!seat || seat[2] /* consumed: that session is joining right now */ || seat[3]) return undefined;
    countRefusal('reservations');
    clearTimeout(this.room.reservedSeatTimeouts[previous!]);
    delete this.room.reservedSeatTimeouts[previous!];
    delete this.room.reservedSeats[previous!];
    return previous;
  }

  reserved(userId: string, sessionId: string): void {
    this.latest.set(userId, sessionId);
  }

  /** Throws RATE_LIMITED when `userId` joins or reconnects too often. */
  join(userId: string): void {
    let bucket = this.joins.get(userId);
    if (!bucket) {
      bucket = createTokenBucket(JOIN_RATE_LIMIT);
      this.joins.set(userId, bucket);
    }
    if (bucket.take()) return;
    countRefusal('reconnections');
    throw new ArenaError('RATE_LIMITED', 'too many joins and reconnections; wait a few seconds');
  }

  isReserved(sessionId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.room.reservedSeats, sessionId);
  }
}
