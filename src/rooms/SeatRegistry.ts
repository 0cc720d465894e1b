/**
 * Who is in a room: seated players (by user id, with their seat number and since when) and the
 * sessions connected to it (players and spectators), plus the host. Pure bookkeeping: no
 * Colyseus, no timers, no I/O, so its rules are unit-tested without a socket.
 *
 * A seat outlives its session: while its player is away (dropped, or not back yet after a
 * restart) it has no session and may hold a `Waiting` (the reconnection window) that is
 * cancelled when the player returns or the seat is released.
 */
export type Role = 'player' | 'spectator';

/** One connected session. */
export interface Member {
  sessionId: string;
  userId: string;
  name: string;
  /** Token roles of the user (e.g. `gm`). */
  roles: readonly string[];
  role: Role;
}

/** A seat as the room's snapshot keeps it (and restores it after a restart). */
export interface SeatRecord {
  userId: string;
  name: string;
  seat: number;
  joinedAt: number;
}

/** What a seat waits for while its player is away. */
export interface Waiting {
  cancel(): void;
}

interface Seat extends SeatRecord {
  /** '' while the player is away. */
  sessionId: string;
  waiting?: Waiting;
}

export class SeatRegistry {
  private readonly seats = new Map<string, Seat>();
  private readonly members = new Map<string, Member>();
  private spectators = 0;
  private host = '';

  constructor(private readonly now: () => number = Date.now) {}

  get seatedCount(): number {
    return this.seats.size;
  }

  get spectatorCount(): number {
    return this.spectators;
  }

  get hostId(): string {
    return this.host;
  }

  isSeated(userId: string): boolean {
    return this.seats.has(userId);
  }

  /** The session of a seated player, '' while they are away. */
  sessionOfSeat(userId: string): string | undefined {
    return this.seats.get(userId)?.sessionId;
  }

  member(sessionId: string): Member | undefined {
    return this.members.get(sessionId);
  }

  allMembers(): Member[] {
    return [...this.members.values()];
  }

  /** Seated user ids in seat order. */
  seatedIds(): string[] {
    return [...this.seats.values()].sort((a, b) => a.seat - b.seat).map((seat) => seat.userId);
  }

  /** Seated players who are away (no session). */
  awayIds(): string[] {
    return [...this.seats.values()].filter((seat) => !seat.sessionId).map((seat) => seat.userId);
  }

  /** A new player takes the lowest free seat number. */
  take(member: Member): SeatRecord {
    const seat: Seat = { userId: member.userId, name: member.name, seat: this.freeSeatNumber(), joinedAt: this.now(), sessionId: member.sessionId };
    this.seats.set(member.userId, seat);
    this.members.set(member.sessionId, { ...member, role: 'player' });
    return this.record(seat);
  }

  /** A seat of the snapshot, back after a restart: nobody connected to it yet. */
  restore(record: SeatRecord, waiting?: Waiting): void {
    this.seats.set(record.userId, { ...record, sessionId: '', waiting });
  }

  /**
   * The seat's player is back with `member` (reconnection, reload, another device). Returns the
   * session it replaces, if one was still connected.
   */
  reclaim(member: Member): string | undefined {
    const seat = this.seats.get(member.userId)!;
    seat.waiting?.cancel();
    seat.waiting = undefined;
    const previous = seat.sessionId && seat.sessionId !== member.sessionId ? seat.sessionId : undefined;
    if (previous) this.members.delete(previous);
    seat.sessionId = member.sessionId;
    this.members.set(member.sessionId, { ...member, role: 'player' });
    return previous;
  }

  watch(member: Member): void {
    this.members.set(member.sessionId, { ...member, role: 'spectator' });
    this.spectators++;
  }

  /** A session ended; a player's seat is kept (away) until it is released. */
  forget(sessionId: string): Member | undefined {
    const member = this.members.get(sessionId);
    if (!member) return undefined;
    this.members.delete(sessionId);
    if (member.role === 'spectator') this.spectators--;
    const seat = this.seats.get(member.userId);
    if (seat?.sessionId === sessionId) seat.sessionId = '';
    return member;
  }

  /** The seat waits for its player (`waiting` is cancelled if they return or it is released). */
  await(userId: string, waiting: Waiting): void {
    const seat = this.seats.get(userId);
    if (!seat) return waiting.cancel();
    seat.waiting?.cancel();
    seat.waiting = waiting;
  }

  /** Whether a seat is still waiting for its player (reconnection window or restore grace). */
  isWaiting(userId: string): boolean {
    return this.seats.get(userId)?.waiting !== undefined;
  }

  /** The wait ended by itself (its time ran out): nothing to cancel any more. */
  waitEnded(userId: string): void {
    const seat = this.seats.get(userId);
    if (seat) seat.waiting = undefined;
  }

  /** Frees the seat; returns whether there was one. */
  release(userId: string): boolean {
    const seat = this.seats.get(userId);
    if (!seat) return false;
    seat.waiting?.cancel();
    this.seats.delete(userId);
    if (seat.sessionId) this.members.delete(seat.sessionId);
    return true;
  }

  setHost(userId: string): void {
    this.host = userId;
  }

  /**
   * Host passes to the longest-seated connected player, else the longest-seated player, else
   * nobody (the next player to join).
   */
  electHost(leaving: string): string {
    const candidates = [...this.seats.values()].filter((seat) => seat.userId !== leaving).sort((a, b) => a.joinedAt - b.joinedAt);
    const connected = candidates.find((seat) => seat.sessionId !== '');
    this.host = (connected ?? candidates[0])?.userId ?? '';
    return this.host;
  }

  snapshot(): SeatRecord[] {
    return [...this.seats.values()].map((seat) => this.record(seat));
  }

  private record({ userId, name, seat, joinedAt }: Seat): SeatRecord {
    return { userId, name, seat, joinedAt };
  }

  private freeSeatNumber(): number {
    const taken = new Set([...this.seats.values()].map((seat) => seat.seat));
    let seat = 0;
    while (taken.has(seat)) seat++;
    return seat;
  }
}
