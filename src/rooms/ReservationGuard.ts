/**
 * The way into a room, applied to Colyseus' seat reservations:
 * - a user holds at most one outstanding reservation per room: a newer one (a retry, a reload)
 *   replaces the older, so reservations that are never connected cannot pile up; none of them
 *   counts toward locking the room (seats are checked when a player actually joins);
 * - a quick-match joiner's reservation is a promised seat, refused once seats and promises fill
 *   the room (see QuickMatch), so the matchmaker tries another room instead;
 * - joins and reconnections of one user into one room are rate-limited (a fresh session must not
 *   reset any limit), and a reconnection needs a valid token of the same user: a reconnection
 *   token only proves that a session existed.
 */
import { ArenaError } from '../protocol/errors';
import { countRefusal } from '../metrics';
import { createTokenBucket, type TokenBucket } from '../util/tokenBucket';
import type { TokenService, User } from '../auth/tokens';
import type { QuickMatch } from './QuickMatch';
import { Room } from '@colyseus/core';

/** Joins and reconnections of one user into one room: bursts of 10, then one every 3 s. */
export const JOIN_RATE_LIMIT = { ratePerSecond: 1 / 3, burst: 10 };

/** Colyseus' reservation entry: [join options, auth data, consumed, is a reconnection]. */
type Reservation = [unknown, unknown, boolean, boolean];

/** What the guard needs of its room besides Colyseus' reservation tables (which it edits in place). */
export interface ReservingRoom extends Room {
  readonly options?: { mode: string };
  readonly seats: { isSeated(userId: string): boolean };
  /** Whether the listing offers a free seat (promises count as taken), and its publication. */
  readonly listed: { readonly seatsOpen: boolean; changed(): void };
}

export class ReservationGuard {
  private readonly latest = new Map<string, string>();
  private readonly joins = new Map<string, TokenBucket>();

  constructor(
    private readonly room: ReservingRoom,
    private readonly quick: QuickMatch,
  ) {}

  /** Colyseus reserves a seat for a matchmaking request (see the rules above). */
  async reserve(sessionId: string, joinOptions: any, authData: unknown, seconds: number, allowReconnection: boolean, devModeReconnection?: boolean): Promise<boolean> {
    const { room, quick } = this;
    const user = authData as User | undefined;
    const replaced = allowReconnection ? undefined : this.dropOlder(user?.id);
    if (replaced) quick.release(replaced);
    const quickJoin = !allowReconnection && room.options?.mode === 'quick' && joinOptions?.mode === 'quick' && joinOptions?.spectate !== true && !(user && room.seats.isSeated(user.id));
    if (quickJoin) {
      if (!room.listed.seatsOpen) return false;
      quick.promise(sessionId);
    }
    // Colyseus records the reservation synchronously, before its first await: only then does the
    // promise count (QuickMatch drops promises without a reservation, e.g. lapsed ones).
    const reserving: Promise<boolean> = Room.prototype['_reserveSeat'].call(room, sessionId, joinOptions, authData, seconds, allowReconnection, devModeReconnection);
    if (quickJoin && !room.listed.seatsOpen) room.listing.seatsOpen = false;
    const reserved = await reserving;
    if (quickJoin && !reserved && quick.release(sessionId)) room.listed.changed();
    if (quickJoin && reserved && !room.listing.seatsOpen) void room.listing.save(); // shared drivers (Redis) learn it now
    if (reserved && user) this.latest.set(user.id, sessionId);
    if (replaced) void room['_decrementClientCount'](); // after the new reservation: the room never looks empty
    return reserved;
  }

  /** A client is about to use its reservation: the join limit, and a reconnection's identity. Returns its user. */
  async admit(sessionId: string, token: string | undefined, tokens: TokenService): Promise<string | undefined> {
    const reservation = this.reservations[sessionId];
    const userId = (reservation?.[1] as User | undefined)?.id;
    if (userId) this.join(userId);
    if (reservation?.[3] && (await tokens.verify(token)).id !== userId) {
      throw new ArenaError('UNAUTHORIZED', 'this reconnection belongs to another user');
    }
    return userId;
  }

  isReserved(sessionId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.reservations, sessionId);
  }

  /** Drops `userId`'s outstanding reservation (not one being consumed, not a reconnection). */
  private dropOlder(userId: string | undefined): string | undefined {
    const previous = userId === undefined ? undefined : this.latest.get(userId);
    const seat = previous === undefined ? undefined : this.reservations[previous];
    if (!seat || seat[2] /* consumed: that session is joining right now */ || seat[3]) return undefined;
    countRefusal('reservations');
    const timeouts = this.room['reservedSeatTimeouts'] as Record<string, NodeJS.Timeout>;
    clearTimeout(timeouts[previous!]);
    delete timeouts[previous!];
    delete this.reservations[previous!];
    return previous;
  }

  private get reservations(): Record<string, Reservation> {
    return this.room['reservedSeats'] as Record<string, Reservation>;
  }

  private join(userId: string): void {
    let bucket = this.joins.get(userId);
    if (!bucket) {
      bucket = createTokenBucket(JOIN_RATE_LIMIT);
      this.joins.set(userId, bucket);
    }
    if (bucket.take()) return;
    countRefusal('reconnections');
    throw new ArenaError('RATE_LIMITED', 'too many joins and reconnections; wait a few seconds');
  }
}
