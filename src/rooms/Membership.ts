/**
 * Joining and leaving a game room: seats and spectator places, a returning player taking their
 * seat back (reconnection, reload, another device), the reconnection window of a dropped player,
 * host election, kicks. The bookkeeping is the pure SeatRegistry; this unit applies it to the
 * room: the `players` Schema, `spectatorCount`, `hostId`, the seat index and the game's hooks.
 */
import type { Client, Deferred, Delayed, Presence } from '@colyseus/core';
import { ArenaError } from '../protocol/errors';
import { seatIndex } from '../matchmaking/seatIndex';
import type { User } from '../auth/tokens';
import type { PlayerState, GameStateWithConfig, Phase } from './schema/GameState';
import type { BaseRoomOptions } from './options';
import type { SeatRegistry, Member, SeatRecord } from './SeatRegistry';
import type { AccessPolicy } from './AccessPolicy';

/** Why a player stops playing in a running match (the game's forfeit hook receives it). */
export type ForfeitReason = 'left' | 'disconnected' | 'kicked';

/** Close codes of sessions the room ends itself. */
export const CLOSE_REPLACED = 4001;
export const CLOSE_KICKED = 4003;

/** What Membership needs of its room. */
export interface MemberRoom {
  readonly state: GameStateWithConfig;
  readonly options: BaseRoomOptions;
  readonly phase: Phase;
  readonly roomId: string;
  readonly presence: Presence;
  readonly seats: SeatRegistry;
  readonly access: AccessPolicy;
  readonly clients: { getById(sessionId: string): Client | undefined };
  readonly clock: { setTimeout(work: () => void, ms: number): Delayed };
  /** Colyseus disposes an empty room only while this is true (see `holdOpen`). */
  autoDispose: boolean;
  createPlayer(): PlayerState;
  allowReconnection(client: Client, seconds: number): Deferred<Client>;
  /** Ends a session on the room's initiative (told why first). */
  removeSession(client: Client, reason: 'kicked' | 'replaced', closeCode: number): void;
}

/** The room's reactions to membership changes (game hooks run in the room's queue). */
export interface MemberEvents {
  /** Whether new players may take free seats while a match runs. */
  admitsPlayersDuringMatch(): boolean;
  queue(work: () => void | Promise<void>): void;
  /** Runs `work` after `ms` in the room's queue; the returned handle cancels it. */
  later(ms: number, work: () => void): { clear(): void };
  seatTaken(userId: string): void | Promise<void>;
  seatReleased(userId: string, reason: ForfeitReason): void | Promise<void>;
  forfeit(userId: string, reason: ForfeitReason): void | Promise<void>;
  sessionReady(client: Client, member: Member): void;
  /** A player is back (reconnection, reload): their turn gets its grace. */
  returned(userId: string): void;
  /** The seated count changed (`joined`: by a join): quick-match countdown, listing. */
  seatsChanged(joined: boolean): void;
  /** Something the listing shows changed (connections, spectators, host). */
  listingChanged(): void;
}

export class Membership {
  /** Seats whose reconnection wait ended because a newer session took them (not a timeout). */
  private readonly superseded = new Set<string>();
  private readonly reconnections = new Map<string, Deferred<Client>>();
  private hold?: Delayed;

  constructor(
    private readonly room: MemberRoom,
    private readonly on: MemberEvents,
  ) {}

  /** A client joined: back to its seat, a new seat, or a spectator place. Synchronous: no interleaving. */
  admit(client: Client, user: User, spectate: boolean): void {
    const member: Member = { sessionId: client.sessionId, userId: user.id, name: user.name, roles: user.roles, role: spectate ? 'spectator' : 'player' };
    if (this.room.seats.isSeated(user.id)) this.reclaim(client, member);
    else if (spectate) this.watch(client, member);
    else this.seat(client, member);
    this.releaseHoldWhenSettled();
  }

  /** Keeps the room open while empty for `seconds`: someone is expected (its creator, a restored room's players). */
  holdOpen(seconds: number): void {
    this.room.autoDispose = false;
    this.hold?.clear();
    this.hold = this.room.clock.setTimeout(() => this.releaseHold(), seconds * 1000);
  }

  private releaseHoldWhenSettled(): void {
    const { seats } = this.room;
    if (this.hold && !seats.awayIds().some((userId) => seats.isWaiting(userId))) this.releaseHold();
  }

  private releaseHold(): void {
    this.hold?.clear();
    this.hold = undefined;
    this.room.autoDispose = true; // disposes the room now if it is empty
  }

  private seat(client: Client, member: Member): void {
    const { room } = this;
    if (room.phase === 'playing' && !this.on.admitsPlayersDuringMatch()) {
      throw new ArenaError('GAME_ALREADY_STARTED', 'the match has started; join as spectator');
    }
    if (room.seats.seatedCount >= room.options.maxPlayers) throw new ArenaError('ROOM_FULL', 'all seats are taken');
    const record = room.seats.take(member);
    const player = room.createPlayer();
    player.assign({ id: member.userId, name: member.name, seat: record.seat, connected: true });
    room.state.players.set(member.userId, player);
    void seatIndex.add(room.presence, member.userId, room.roomId);
    if (!room.seats.hostId || member.userId === room.access.creatorId) this.setHost(member.userId);
    this.on.queue(() => this.on.seatTaken(member.userId));
    this.on.sessionReady(client, { ...member, role: 'player' });
    this.on.seatsChanged(true);
  }

  private watch(client: Client, member: Member): void {
    const { room } = this;
    if (!room.options.allowSpectators) throw new ArenaError('SPECTATORS_DISABLED', 'this room does not allow spectators');
    if (room.seats.spectatorCount >= room.options.maxSpectators) throw new ArenaError('ROOM_FULL', 'no spectator places left');
    room.seats.watch(member);
    room.state.spectatorCount = room.seats.spectatorCount;
    this.on.sessionReady(client, member);
    this.on.listingChanged();
  }

  /** The same user is back with a new session (reload, second tab): the seat follows it. */
  private reclaim(client: Client, member: Member): void {
    const pending = this.reconnections.get(member.userId);
    if (pending) {
      this.superseded.add(member.userId);
      pending.reject(new Error('superseded by a new session'));
    }
    const previous = this.room.seats.reclaim({ ...member, role: 'player' });
    const stale = previous && this.room.clients.getById(previous);
    if (stale) this.room.removeSession(stale, 'replaced', CLOSE_REPLACED);
    this.connected(client, { ...member, role: 'player' });
  }

  private connected(client: Client, member: Member): void {
    const player = this.room.state.players.get(member.userId);
    if (player) player.connected = true;
    this.on.returned(member.userId);
    this.on.sessionReady(client, member);
    this.on.listingChanged();
  }

  /** A session closed: a spectator leaves; a player's seat is released or waits for them. */
  async left(client: Client, consented: boolean): Promise<void> {
    const { room } = this;
    const member = room.seats.forget(client.sessionId);
    if (!member) return; // a refused join, or a session already replaced or kicked
    room.state.spectatorCount = room.seats.spectatorCount;
    if (member.role === 'spectator' || room.seats.sessionOfSeat(member.userId) !== '') return this.on.listingChanged();
    if (consented || room.options.reconnectSeconds === 0) return this.vacate(member.userId, 'left');
    await this.awaitReconnection(client, member);
  }

  private async awaitReconnection(client: Client, member: Member): Promise<void> {
    const { room } = this;
    const player = room.state.players.get(member.userId);
    if (player) player.connected = false;
    this.on.listingChanged();
    const reconnection = room.allowReconnection(client, room.options.reconnectSeconds);
    this.reconnections.set(member.userId, reconnection);
    room.seats.await(member.userId, { cancel: () => reconnection.reject(new Error('seat released')) });
    try {
      const returned = await reconnection;
      room.seats.reclaim({ ...member, sessionId: returned.sessionId });
      this.connected(returned, member);
    } catch {
      if (!this.superseded.delete(member.userId)) {
        this.on.queue(() => {
          if (room.seats.isSeated(member.userId) && room.seats.sessionOfSeat(member.userId) === '') this.vacate(member.userId, 'disconnected');
        });
      }
    } finally {
      this.reconnections.delete(member.userId);
    }
  }

  /**
   * The player is gone for good. In a running match their seat stays (they keep their place in
   * the results) and the game's forfeit rule applies; otherwise the seat is freed.
   */
  vacate(userId: string, reason: ForfeitReason): void {
    const { room } = this;
    if (room.phase === 'playing' && !this.on.admitsPlayersDuringMatch()) {
      const player = room.state.players.get(userId);
      if (player) player.connected = false;
      room.seats.waitEnded(userId);
      this.on.queue(() => this.on.forfeit(userId, reason));
    } else {
      room.seats.release(userId);
      room.state.players.delete(userId);
      void seatIndex.remove(room.presence, userId, room.roomId);
      this.on.queue(() => this.on.seatReleased(userId, reason));
    }
    if (userId === room.seats.hostId) this.setHost(room.seats.electHost(userId));
    this.on.seatsChanged(false);
  }

  /** Removes a player or spectator for good: their sessions end (4003), a seat is vacated. */
  kick(userId: string): void {
    const { room } = this;
    const sessions = room.seats.allMembers().filter((member) => member.userId === userId);
    const seated = room.seats.isSeated(userId);
    if (!seated && sessions.length === 0) throw new ArenaError('INVALID_ACTION', 'no such player or spectator in this room');
    room.access.kick(userId);
    for (const member of sessions) {
      const client = room.clients.getById(member.sessionId);
      if (client) room.removeSession(client, 'kicked', CLOSE_KICKED);
    }
    room.state.spectatorCount = room.seats.spectatorCount;
    if (seated) {
      const pending = this.reconnections.get(userId);
      if (pending) {
        this.superseded.add(userId);
        pending.reject(new Error('kicked'));
      }
      this.vacate(userId, 'kicked');
    }
    this.on.listingChanged();
  }

  /**
   * The seats of a restored room: shown disconnected until their players come back, each released
   * after `waitSeconds`; the room stays open that long, or until every player is back.
   */
  restore(seats: SeatRecord[], hostId: string, waitSeconds: number): void {
    this.holdOpen(waitSeconds);
    for (const seat of seats) this.restoreSeat(seat, waitSeconds);
    this.setHost(hostId);
  }

  private restoreSeat(seat: SeatRecord, waitSeconds: number): void {
    const { room } = this;
    const player = room.createPlayer();
    player.assign({ id: seat.userId, name: seat.name, seat: seat.seat, connected: false });
    room.state.players.set(seat.userId, player);
    const expiry = this.on.later(waitSeconds * 1000, () => {
      room.seats.waitEnded(seat.userId);
      if (room.seats.sessionOfSeat(seat.userId) === '') this.vacate(seat.userId, 'disconnected');
      this.releaseHoldWhenSettled();
    });
    room.seats.restore(seat, { cancel: () => expiry.clear() });
    void seatIndex.add(room.presence, seat.userId, room.roomId);
  }

  setHost(userId: string): void {
    this.room.seats.setHost(userId);
    this.room.state.players.forEach((player) => (player.isHost = player.id === userId));
    this.room.state.hostId = userId;
  }

  /** Seated players who left during a match give up their seats when it ends. */
  releaseAbsentAfterMatch(): void {
    for (const userId of this.room.seats.awayIds()) {
      if (!this.room.seats.isWaiting(userId)) this.vacate(userId, 'left');
    }
  }

  /** Every connected session (players and spectators) with its client. */
  connectedSessions(): Array<{ client: Client; member: Member }> {
    return this.room.seats.allMembers().flatMap((member) => {
      const client = this.room.clients.getById(member.sessionId);
      return client ? [{ client, member }] : [];
    });
  }

  /** The room closed: its seats leave the seat index (who plays where). */
  async forgetSeats(): Promise<void> {
    await Promise.all(this.room.seats.snapshot().map(({ userId }) => seatIndex.remove(this.room.presence, userId, this.room.roomId)));
  }

  /** Whether `userId` is seated and connected now. */
  isConnected(userId: string): boolean {
    return Boolean(this.room.seats.sessionOfSeat(userId));
  }
}
