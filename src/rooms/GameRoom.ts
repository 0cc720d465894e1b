/**
 * The base of every game room: join codes, access (private, password, allow-lists), seats and
 * spectators, host, reconnection, turn timer, idle timeout, rate limit, message validation and
 * errors, quick-match countdown and the lobby listing. Games extend it and only adapt their rules.
 */
import { ClientState, Room, ServerError, updateLobby, type AuthContext, type Client, type ClientPrivate, type Deferred, type Delayed } from '@colyseus/core';
import type { z } from 'zod';
import { authenticateRoomToken, joinRefusal } from './auth';
import { countedConnection } from './connections';
import { claimCode, releaseCode, renewCode, reserveCode, CODE_LEASE_SECONDS } from './codes';
import { LiveRoomRecord } from './liveRoom';
import { describeZodError, joinOptionsSchema, type buildOptionSchemas } from './options';
import { PlayerState, type GameStateWithConfig, type Phase } from './schema/GameState';
import { TurnTimer } from './turnTimer';
import { seatIndex } from './seatIndex';
import { publicState } from './publicState';
import { MessageDispatcher, type Access, type MessageContext } from './dispatcher';
import { FrameGate, RATE_LIMIT, type CutOff } from './frameGate';
import { createTokenBucket, type TokenBucket } from '../util/tokenBucket';
import { commonMessages, messageSchema } from '../protocol/messages';
import { ArenaError, HTTP_STATUS, type ErrorCode } from '../protocol/errors';
import { hashPassword, verifyPassword, type PasswordHash } from '../auth/passwords';
import type { User } from '../auth/tokens';
import { arena } from '../context';
import { countRefusal, errorsSent } from '../metrics';

/** Options every game room understands after validation (game extras are added by subclasses). */
export interface BaseRoomOptions {
  private: boolean;
  maxPlayers: number;
  minPlayers: number;
  allowSpectators: boolean;
  maxSpectators: number;
  allowedUsers?: string[];
  allowedRoles?: string[];
  turnSeconds: number;
  reconnectSeconds: number;
  idleSeconds: number;
  mode: 'custom' | 'quick';
  /** Quick match: seconds from reaching minPlayers to the start (reset per join, capped at 3×). */
  countdownSeconds: number;
}

/** Listing metadata shown by the lobby and the rooms API. */
export interface RoomMetadata {
  game: string;
  code: string;
  players: number;
  maxPlayers: number;
  spectators: number;
  phase: Phase;
  hasPassword: boolean;
  hostName: string;
  mode: string;
}

type Role = 'player' | 'spectator';

interface Session {
  userId: string;
  name: string;
  /** Token roles of the user (e.g. `gm`). */
  roles: readonly string[];
  role: Role;
  client: Client;
}

interface Seat {
  userId: string;
  /** '' for a seat restored after a restart whose player has not come back yet. */
  sessionId: string;
  joinedAt: number;
  /** Restored seat: releases it if its player does not come back in time. */
  expiry?: Delayed;
  /** Pending `allowReconnection` while the player is away. */
  reconnection?: Deferred<Client>;
  /** Set when a newer session took the seat, so the old reconnection wait ends silently. */
  superseded?: boolean;
}

/** Why a player stops playing in a running match (the game's forfeit hook receives it). */
export type ForfeitReason = 'left' | 'disconnected' | 'kicked';

/** Extra turn time given to a player who reconnects during their own turn. */
export const RECONNECT_GRACE_SECONDS = 15;
/** WebSocket close code when the server shuts down (clients may rejoin once it is back). */
export const CLOSE_SHUTDOWN = 4005;
/** Extra time a restored room gives its players to come back (and added to running turns). */
export const RESTORE_GRACE_SECONDS = 30;
/** Room option (server-side only) that rebuilds a room from its live record. */
export const RESTORE_OPTION = 'restoreCode';
/** HTTP-created rooms wait this long for their first player before closing. */
export const EMPTY_ROOM_SECONDS = 60;
/**
 * Patches follow the work that changes state (each handled message or timer task, joins, leaves,
 * reconnections): they go out as soon as it is done. This slow interval is only a safety net for
 * any other change; Colyseus' default (20 Hz) made every idle room encode and tick 20 times a
 * second, and added up to 50 ms to every acknowledgement.
 */
export const FALLBACK_PATCH_MS = 1000;
/** Colyseus' internal room state while it disposes (`RoomInternalState.DISPOSING`). */
const ROOM_DISPOSING = 2;
/** Joins and reconnections of one user into one room: bursts of 10, then one every 3 s. */
export const JOIN_RATE_LIMIT = { ratePerSecond: 1 / 3, burst: 10 };
/** Retry of failed system tasks: first after 250 ms, doubling, at most every 5 s. */
const SYSTEM_RETRY_FIRST_MS = 250;
const SYSTEM_RETRY_MAX_MS = 5000;

type OptionSchemas = ReturnType<typeof buildOptionSchemas>;

/** Everything a restarted server needs to rebuild a room (besides the game's event log). */
export interface RoomSnapshot<O = BaseRoomOptions> {
  version: 1;
  options: O;
  passwordHash?: { salt: string; hash: string };
  creatorId?: string;
  hostId: string;
  phase: Phase;
  kicked: string[];
  seats: Array<{ userId: string; name: string; seat: number; joinedAt: number }>;
  /** The game's own part (`gameSnapshot()`). */
  game: unknown;
}

export abstract class GameRoom<S extends GameStateWithConfig, O extends BaseRoomOptions = BaseRoomOptions> extends Room<S> {
  /**
   * Create/configure validation of the game's options (`buildOptionSchemas`). Static so the HTTP
   * API validates `POST /api/rooms` with the very same schema before creating anything.
   */
  static optionSchemas: OptionSchemas;

  protected get optionSchemas(): OptionSchemas {
    const schemas = (this.constructor as typeof GameRoom).optionSchemas;
    if (!schemas) throw new Error(`${this.constructor.name} must define static optionSchemas`);
    return schemas;
  }

  /** Effective, validated options. */
  protected options!: O;

  protected turnTimer = new TurnTimer(this, (userId) => this.runSystemTask(() => this.onTurnTimeout(userId)));
  protected readonly dispatcher = new MessageDispatcher({
    roomName: () => this.roomName,
    sessionOf: (client) => this.sessions.get(client.sessionId),
    isHost: (userId) => userId === this.state.hostId,
    onActivity: () => this.touch(),
    sendError: (client, code, message, rid) => this.sendError(client, code, message, rid),
    settled: () => this.requestPatch(),
  });
  private readonly gate = new FrameGate({
    userOf: (client) => (client.auth as User | undefined)?.id,
    rateLimited: (client, rid) => this.sendError(client, 'RATE_LIMITED', `too many messages: at most ${RATE_LIMIT.ratePerSecond}/s`, rid),
    cutOff: (client, reason, closeCode) => this.removeSession(client, reason, closeCode),
  });

  private sessions = new Map<string, Session>();
  private seats = new Map<string, Seat>();
  private kicked = new Set<string>();
  private passwordHash?: PasswordHash;
  private creatorId?: string;
  private lastActivityAt = Date.now();
  private countdownStartedAt = 0;
  private countdown?: { clear(): void };
  private shuttingDown = false;
  private movedAway = false;
  private hold?: Delayed;
  private patchQueued = false;
  /** Node timer that ticks the room clock when its next timer is due (see `driveClockByDeadlines`). */
  private wake?: NodeJS.Timeout;
  private wakeAt = Infinity;
  /** Player seats reserved by quick-match joiners who have not arrived yet (session ids). */
  private promisedSeats = new Set<string>();
  /** Each user's latest seat reservation (session id): at most one is outstanding. */
  private readonly reservationOf = new Map<string, string>();
  /** Joins and reconnections per user in this room (a fresh session must not reset any limit). */
  private readonly joinLimits = new Map<string, TokenBucket>();
  /** JSON of the snapshot the journal last wrote (see `journaledSnapshot`). */
  private lastJournaledSnapshot?: string;
  /** The room's durable record; games append their events to it before applying them. */
  protected journal!: LiveRoomRecord;

  // ---- hooks for games -------------------------------------------------------------------

  /** A fresh state instance of the game's state class. */
  protected abstract createState(): S;
  /** Phase just became `playing` (after `start`, the quick countdown, or `rematch`). */
  protected abstract onMatchStart(rematch: boolean): void | Promise<void>;
  /** The game's part of the room snapshot (JSON); its events go through `this.journal.append`. */
  protected gameSnapshot(): unknown {
    return null;
  }
  /** After a restart: rebuild the game from its snapshot and the events logged since. */
  protected restoreGame(_snapshot: unknown, _events: unknown[]): void | Promise<void> {}
  /** A seated player is out of the running match (left, reconnection expired, kicked). */
  protected onForfeit(_userId: string, _reason: ForfeitReason): void {}
  /** A new player took a seat (not a returning one). */
  protected onSeatTaken(_userId: string): void {}
  /** A seat was freed (left, reconnection expired, kicked), outside a match or in a room that admits players mid-match. */
  protected onSeatReleased(_userId: string, _reason: ForfeitReason): void {}
  /** The turn timer of `userId` expired. */
  protected onTurnTimeout(_userId: string): void | Promise<void> {}
  /** A client (player or spectator) joined or reconnected: (re)build its StateView here. */
  protected onSessionReady(_client: Client, _userId: string, _role: Role, _roles: readonly string[]): void {}
  /** Options changed (create or `configure`): mirror game-specific options into state. */
  protected onOptionsApplied(): void {}
  /** Register the game's messages here with `this.handle(...)`. */
  protected registerMessages(): void {}
  /** A new seat's state; games with per-player fields return a subclass of PlayerState. */
  protected createPlayer(): PlayerState {
    return new PlayerState();
  }
  /** Whether new players may take free seats while a match runs (tabletop sessions: yes). */
  protected acceptsPlayersDuringMatch = false;

  constructor() {
    super();
    this.patchRate = FALLBACK_PATCH_MS;
    this.driveClockByDeadlines();
  }

  // ---- creation ---------------------------------------------------------------------------

  static override async onAuth(token: string, options: Record<string, unknown>): Promise<User> {
    const user = await authenticateRoomToken(token);
    // Runs in the matchmaker before a room is found or created; the server decides these keys:
    // who creates (host-to-be) and whether this join needs an open seat (matchmaking filter).
    if (options && typeof options === 'object') {
      delete options[RESTORE_OPTION];
      options.creatorId = user.id;
      if (options.spectate === true) delete options.seatsOpen;
      else options.seatsOpen = true;
    }
    return user;
  }

  override async onCreate(rawOptions: unknown): Promise<void> {
    const restoreCode = (rawOptions as Record<string, unknown> | undefined)?.[RESTORE_OPTION];
    if (typeof restoreCode === 'string') return this.restore(restoreCode);

    const parsed = this.optionSchemas.create.safeParse(rawOptions ?? {});
    if (!parsed.success) throw new ServerError(400, `INVALID_OPTIONS: ${describeZodError(parsed.error)}`);
    const { spectate: _spectate, creatorId, seatsOpen: _seatsOpen, password, ...options } = parsed.data as Record<string, unknown>;

    this.creatorId = creatorId as string | undefined;
    if (this.creatorId) await arena().limits.roomCreation(this.presence, this.creatorId).catch((error) => Promise.reject(joinRefusal(error)));
    if (typeof password === 'string') this.passwordHash = await hashPassword(password);
    this.roomId = await reserveCode(this.presence);
    if (this.creatorId) await arena().limits.roomOpened(this.presence, this.creatorId, this.roomId);
    await this.setUp(options as unknown as O);
    this.journal = new LiveRoomRecord(arena().storage, this.roomId, this.roomName, () => this.journaledSnapshot(), () => this.closeMoved());
    await this.journal.saveNow();
    this.holdOpen(EMPTY_ROOM_SECONDS);
    await this.updateListing();
  }

  /** What fresh and restored rooms share: state, options, messages, timers. */
  private async setUp(options: O): Promise<void> {
    this.clock.setInterval(() => void renewCode(this.presence, this.roomId), (CODE_LEASE_SECONDS / 3) * 1000);
    this.setState(this.createState());
    this.state.code = this.roomId;
    this.state.game = this.roomName;
    this.state.lastActivity = Date.now();
    this.listing.mode = options.mode;
    await this.applyOptions(options);
    this.registerCommonMessages();
    this.registerMessages();
    this.scheduleIdleCheck();
  }

  /**
   * Rebuilds a room from its live record after a restart: same code, options, host and seats.
   * Seats wait `reconnectSeconds` + grace for their players, who come back with `joinById(code)`.
   */
  private async restore(code: string): Promise<void> {
    const { storage, instanceId, logger } = arena();
    const record = await storage.loadLiveRoom(code);
    if (!record || record.owner !== instanceId) throw new ServerError(409, `cannot restore ${code}: not owned by this process`);
    const snapshot = record.snapshot as RoomSnapshot<O>;
    this.creatorId = snapshot.creatorId;
    this.passwordHash = snapshot.passwordHash && { salt: Buffer.from(snapshot.passwordHash.salt, 'base64'), hash: Buffer.from(snapshot.passwordHash.hash, 'base64') };
    this.kicked = new Set(snapshot.kicked);
    this.roomId = code;
    await claimCode(this.presence, code);
    await this.setUp(snapshot.options);
    this.state.phase = snapshot.phase;

    const waitSeconds = snapshot.options.reconnectSeconds + RESTORE_GRACE_SECONDS;
    for (const seat of snapshot.seats) this.restoreSeat(seat, waitSeconds);
    this.setHost(snapshot.hostId);
    const lastSeq = record.events.at(-1)?.seq ?? 0;
    this.journal = new LiveRoomRecord(storage, code, this.roomName, () => this.journaledSnapshot(), () => this.closeMoved(), lastSeq);
    await this.restoreGame(snapshot.game, record.events.map((entry) => entry.event));
    this.holdOpen(waitSeconds);
    await this.journal.saveNow();
    await this.updateListing();
    logger.info({ room: code, game: this.roomName, seats: snapshot.seats.length, events: record.events.length }, 'room restored');
  }

  private restoreSeat(seat: RoomSnapshot['seats'][number], waitSeconds: number): void {
    const player = this.createPlayer();
    player.id = seat.userId;
    player.name = seat.name;
    player.seat = seat.seat;
    player.connected = false;
    this.state.players.set(seat.userId, player);
    const expiry = this.later(waitSeconds * 1000, () => {
      const current = this.seats.get(seat.userId);
      if (current) current.expiry = undefined;
      if (current && !this.sessions.has(current.sessionId)) this.vacateSeat(seat.userId, 'disconnected');
      this.releaseHoldWhenSettled();
    });
    this.seats.set(seat.userId, { userId: seat.userId, sessionId: '', joinedAt: seat.joinedAt, expiry });
    void seatIndex.add(this.presence, seat.userId, this.roomId);
  }

  /**
   * Keeps an empty room alive (Colyseus would dispose it at once, e.g. after a refused join)
   * while someone is expected: the creator of a fresh room, or the players of a restored one.
   */
  private holdOpen(seconds: number): void {
    this.autoDispose = false;
    this.hold?.clear();
    this.hold = this.clock.setTimeout(() => this.releaseHold(), seconds * 1000);
  }

  /** Ends the hold once no restored seat is still waiting for its player. */
  private releaseHoldWhenSettled(): void {
    if (this.hold && ![...this.seats.values()].some((seat) => seat.expiry)) this.releaseHold();
  }

  private releaseHold(): void {
    this.hold?.clear();
    this.hold = undefined;
    this.autoDispose = true; // disposes the room now if it is empty
  }

  /** The snapshot as the journal writes it, remembered so an unchanged one is not written again. */
  private journaledSnapshot(): RoomSnapshot<O> {
    const snapshot = this.snapshot();
    this.lastJournaledSnapshot = JSON.stringify(snapshot);
    return snapshot;
  }

  private snapshot(): RoomSnapshot<O> {
    const hash = this.passwordHash;
    return {
      version: 1,
      options: this.options,
      passwordHash: hash && { salt: hash.salt.toString('base64'), hash: hash.hash.toString('base64') },
      creatorId: this.creatorId,
      hostId: this.state.hostId,
      phase: this.state.phase,
      kicked: [...this.kicked],
      seats: [...this.seats.values()].map(({ userId, joinedAt }) => {
        const player = this.state.players.get(userId)!;
        return { userId, name: player.name, seat: player.seat, joinedAt };
      }),
      game: this.gameSnapshot(),
    };
  }

  // ---- joining ----------------------------------------------------------------------------

  override async onJoin(client: Client, rawOptions: unknown, user: User): Promise<void> {
    try {
      const join = joinOptionsSchema.safeParse(rawOptions ?? {});
      if (!join.success) throw this.rejection('INVALID_OPTIONS', describeZodError(join.error));
      await this.checkAccess(user, join.data.password);

      // Everything below is synchronous: capacity checks and seating cannot interleave.
      this.promisedSeats.delete(client.sessionId);
      const seat = this.seats.get(user.id);
      if (seat) this.reclaimSeat(client, user, seat);
      else if (join.data.spectate) this.admitSpectator(client, user);
      else this.seatPlayer(client, user);
      this.releaseHoldWhenSettled();
      this.requestPatch();
    } finally {
      if (this.promisedSeats.delete(client.sessionId)) void this.updateListing();
    }
  }

  /**
   * Quick match: Colyseus reserves a seat before `onJoin`, and concurrent joiners all find the
   * same open room, so under load most of them reached a full or started room and failed with
   * ROOM_FULL / GAME_ALREADY_STARTED. Here a quick-match joiner's reservation counts as a promised
   * seat: once seats + promises reach `maxPlayers` the room leaves the quick-match listing at
   * once, and a reservation beyond that is refused, which makes the matchmaker try another room
   * (or create one). Joins by code, spectators and returning players are untouched.
   */
  override async _reserveSeat(
    sessionId: string,
    joinOptions: any = true,
    authData: any = undefined,
    seconds: number = this.seatReservationTime,
    allowReconnection = false,
    devModeReconnection?: boolean,
  ): Promise<boolean> {
    const replaced = !allowReconnection && this.dropOutstandingReservation((authData as User | undefined)?.id);
    const quickJoin =
      !allowReconnection &&
      this.options?.mode === 'quick' &&
      joinOptions?.mode === 'quick' &&
      joinOptions?.spectate !== true &&
      !(authData && this.seats.has((authData as User).id));
    if (quickJoin) {
      const joinable = this.state.phase !== 'playing' || this.acceptsPlayersDuringMatch;
      if (!joinable || this.seats.size + this.promisedSeatCount() >= this.options.maxPlayers) return false;
      this.promisedSeats.add(sessionId);
      if (this.seats.size + this.promisedSeats.size >= this.options.maxPlayers) this.listing.seatsOpen = false;
    }
    const reserved = await super._reserveSeat(sessionId, joinOptions, authData, seconds, allowReconnection, devModeReconnection);
    if (quickJoin && !reserved && this.promisedSeats.delete(sessionId)) void this.updateListing();
    if (quickJoin && reserved && !this.listing.seatsOpen) void this.listing.save(); // shared drivers (Redis) learn it now
    if (reserved && authData) this.reservationOf.set((authData as User).id, sessionId);
    if (replaced) void this._decrementClientCount(); // after the new reservation: the room never looks empty
    return reserved;
  }

  /**
   * A user holds at most one outstanding seat reservation in a room: a newer one (a retry, a
   * reload) replaces the older, so reservations that are never connected cannot pile up.
   */
  private dropOutstandingReservation(userId: string | undefined): boolean {
    const previous = userId === undefined ? undefined : this.reservationOf.get(userId);
    const seat = previous === undefined ? undefined : this.reservedSeats[previous];
    if (!seat || seat[2] /* consumed: that session is joining right now */ || seat[3] /* a reconnection */) return false;
    countRefusal('reservations');
    clearTimeout(this.reservedSeatTimeouts[previous!]);
    delete this.reservedSeatTimeouts[previous!];
    delete this.reservedSeats[previous!];
    this.promisedSeats.delete(previous!);
    return true;
  }

  /**
   * Seat reservations never lock a room (Colyseus counts them toward `maxClients`): seats and
   * spectator places are checked when a client actually joins, so reservations nobody connects
   * cannot keep a room's own players out of it.
   */
  override hasReachedMaxClients(): boolean {
    return this.clients.length >= this.maxClients || this.disposing;
  }

  private get disposing(): boolean {
    return (this as unknown as { _internalState: number })._internalState === ROOM_DISPOSING;
  }

  /** Promised seats whose reservation is still pending (expired reservations are dropped). */
  private promisedSeatCount(): number {
    for (const sessionId of this.promisedSeats) {
      if (!Object.prototype.hasOwnProperty.call(this.reservedSeats, sessionId)) this.promisedSeats.delete(sessionId);
    }
    return this.promisedSeats.size;
  }

  private async checkAccess(user: User, password: string | undefined): Promise<void> {
    if (this.kicked.has(user.id)) throw this.rejection('NOT_ALLOWED', 'you were removed from this room');
    // The creator, and anyone already seated (a reload, another device), need no password again.
    if (user.id === this.creatorId || this.seats.has(user.id)) return;
    const { allowedUsers, allowedRoles } = this.options;
    if (allowedUsers || allowedRoles) {
      const listed = allowedUsers?.includes(user.id) || user.roles.some((role) => allowedRoles?.includes(role));
      if (!listed) throw this.rejection('NOT_ALLOWED', 'this room is restricted to invited users');
    }
    if (this.passwordHash && !(await verifyPassword(password, this.passwordHash))) {
      throw this.rejection('WRONG_PASSWORD', password ? 'wrong password' : 'this room needs a password');
    }
  }

  private seatPlayer(client: Client, user: User): void {
    if (this.state.phase === 'playing' && !this.acceptsPlayersDuringMatch) {
      throw this.rejection('GAME_ALREADY_STARTED', 'the match has started; join as spectator');
    }
    if (this.seats.size >= this.options.maxPlayers) throw this.rejection('ROOM_FULL', 'all seats are taken');

    const player = this.createPlayer();
    player.id = user.id;
    player.name = user.name;
    player.seat = this.freeSeatNumber();
    this.state.players.set(user.id, player);
    this.seats.set(user.id, { userId: user.id, sessionId: client.sessionId, joinedAt: Date.now() });
    this.sessions.set(client.sessionId, { userId: user.id, name: user.name, roles: user.roles, role: 'player', client });
    void seatIndex.add(this.presence, user.id, this.roomId);
    if (!this.state.hostId || user.id === this.creatorId) this.setHost(user.id);
    this.onSeatTaken(user.id);
    this.onSessionReady(client, user.id, 'player', user.roles);
    this.seatsChanged(true);
  }

  private admitSpectator(client: Client, user: User): void {
    if (!this.options.allowSpectators) throw this.rejection('SPECTATORS_DISABLED', 'this room does not allow spectators');
    if (this.state.spectatorCount >= this.options.maxSpectators) throw this.rejection('ROOM_FULL', 'no spectator places left');
    this.sessions.set(client.sessionId, { userId: user.id, name: user.name, roles: user.roles, role: 'spectator', client });
    this.state.spectatorCount++;
    this.onSessionReady(client, user.id, 'spectator', user.roles);
    void this.updateListing();
  }

  /** The same user came back with a new session (page reload, second tab): the seat follows. */
  private reclaimSeat(client: Client, user: User, seat: Seat): void {
    seat.expiry?.clear();
    seat.expiry = undefined;
    if (seat.reconnection) {
      seat.superseded = true;
      seat.reconnection.reject(new Error('superseded by a new session'));
      seat.reconnection = undefined;
    } else {
      const stale = this.sessions.get(seat.sessionId);
      if (stale) this.removeSession(stale.client, 'replaced', 4001);
    }
    seat.sessionId = client.sessionId;
    const session: Session = { userId: user.id, name: user.name, roles: user.roles, role: 'player', client };
    this.sessions.set(client.sessionId, session);
    this.markConnected(session);
  }

  private markConnected({ client, userId, roles }: Session): void {
    const player = this.state.players.get(userId);
    if (player) player.connected = true;
    this.turnTimer.extend(userId, RECONNECT_GRACE_SECONDS, this.options.turnSeconds);
    this.onSessionReady(client, userId, 'player', roles);
    void this.updateListing();
    this.requestPatch();
  }

  // ---- leaving ----------------------------------------------------------------------------

  override async onLeave(client: Client, consented: boolean): Promise<void> {
    if (this.shuttingDown) return;
    this.requestPatch();
    const session = this.forgetSession(client.sessionId);
    if (!session) return; // rejected join, or a session already replaced/kicked
    if (session.role === 'spectator') {
      void this.updateListing();
      return;
    }
    const seat = this.seats.get(session.userId);
    if (!seat || seat.sessionId !== client.sessionId) return;
    if (consented || this.options.reconnectSeconds === 0) {
      this.vacateSeat(session.userId, 'left');
      return;
    }
    await this.awaitReconnection(client, seat, session);
  }

  /**
   * A reconnection token only proves that a session existed, not who holds it: the reconnecting
   * client must also present a valid token of the same user. Otherwise it is refused
   * (UNAUTHORIZED) before the reservation is used, and the seat keeps waiting for its player.
   */
  override async ['_onJoin'](client: Client & ClientPrivate, authContext: AuthContext): Promise<void> {
    const reservation = this.reservedSeats[client.sessionId] as [unknown, User | undefined, boolean, boolean] | undefined;
    const userId = reservation?.[1]?.id;
    if (userId && !this.joinLimit(userId).take()) {
      countRefusal('reconnections');
      throw this.rejection('RATE_LIMITED', 'too many joins and reconnections; wait a few seconds');
    }
    if (reservation?.[3]) {
      const user = await authenticateRoomToken(authContext.token);
      if (user.id !== reservation[1]?.id) throw this.rejection('UNAUTHORIZED', 'this reconnection belongs to another user');
    }
    return countedConnection(this.presence, client, userId, () => super._onJoin(client, authContext));
  }

  private joinLimit(userId: string): TokenBucket {
    let bucket = this.joinLimits.get(userId);
    if (!bucket) {
      bucket = createTokenBucket(JOIN_RATE_LIMIT);
      this.joinLimits.set(userId, bucket);
    }
    return bucket;
  }

  private async awaitReconnection(client: Client, seat: Seat, session: Session): Promise<void> {
    const player = this.state.players.get(seat.userId);
    if (player) player.connected = false;
    void this.updateListing();
    const reconnection = this.allowReconnection(client, this.options.reconnectSeconds);
    seat.reconnection = reconnection;
    try {
      const returned = await reconnection;
      seat.reconnection = undefined;
      const restored = { ...session, client: returned };
      this.sessions.set(returned.sessionId, restored);
      this.markConnected(restored);
    } catch {
      seat.reconnection = undefined;
      if (!seat.superseded) {
        await this.dispatcher.exclusive(() => {
          const stillAway = this.seats.get(seat.userId) === seat && !this.sessions.has(seat.sessionId);
          if (stillAway) this.vacateSeat(seat.userId, 'disconnected');
        });
      }
      seat.superseded = false;
    }
  }

  /**
   * The player is gone for good. In a running match their seat stays (they keep their place in
   * the results) and the game's forfeit rule applies; otherwise the seat is freed.
   */
  private vacateSeat(userId: string, reason: ForfeitReason): void {
    if (this.state.phase === 'playing' && !this.acceptsPlayersDuringMatch) {
      const player = this.state.players.get(userId);
      if (player) player.connected = false;
      this.onForfeit(userId, reason);
    } else {
      this.seats.delete(userId);
      this.state.players.delete(userId);
      void seatIndex.remove(this.presence, userId, this.roomId);
      this.onSeatReleased(userId, reason);
    }
    if (userId === this.state.hostId) this.electHost(userId);
    this.seatsChanged(false);
  }

  /** Host passes to the longest-seated connected player (or any seated one, or nobody). */
  private electHost(leaving: string): void {
    const candidates = [...this.seats.values()]
      .filter((seat) => seat.userId !== leaving)
      .sort((a, b) => a.joinedAt - b.joinedAt);
    const connected = candidates.find((seat) => this.state.players.get(seat.userId)?.connected);
    this.setHost((connected ?? candidates[0])?.userId ?? '');
  }

  private setHost(userId: string): void {
    this.state.players.forEach((player) => (player.isHost = player.id === userId));
    this.state.hostId = userId;
  }

  /**
   * Every frame passes the gate (its user's rate limit, protocol checks) before anything else;
   * room messages then go to the dispatcher, protocol steps (join ack, consented leave) to Colyseus.
   */
  override _onMessage(client: Client & ClientPrivate, buffer: Buffer): void {
    if (client.state === ClientState.LEAVING) return;
    const frame = this.gate.admit(client, buffer);
    if (frame?.kind === 'message') this.dispatcher.dispatch(client, frame.type, frame.payload);
    else if (frame?.kind === 'protocol') super._onMessage(client, buffer);
  }

  /**
   * Closes one session on the server's initiative (kick, replacement, a limit): the client is
   * told why first (unless it stopped reading), and a kicked or replaced session's `onLeave` is
   * ignored. A session cut off by a limit stays known: its `onLeave` is an ordinary drop, so the
   * seat waits for a reconnection.
   */
  private removeSession(client: Client, reason: 'kicked' | 'replaced' | CutOff, closeCode: number): void {
    if (reason === 'kicked' || reason === 'replaced') this.forgetSession(client.sessionId);
    if (reason !== 'slow_consumer') client.send('removed', { reason });
    client.leave(closeCode);
  }

  private forgetSession(sessionId: string): Session | undefined {
    const session = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    if (session?.role === 'spectator') this.state.spectatorCount--;
    return session;
  }

  /**
   * Server shutdown (SIGTERM): tell clients, then close every connection without treating it as
   * anyone leaving — seats stay as they are, so nobody forfeits because the server stops.
   */
  override onBeforeShutdown(): void {
    this.shuttingDown = true;
    this.broadcast('closing', { reason: 'shutdown' });
    void this.disconnect(CLOSE_SHUTDOWN);
  }

  /**
   * Another process adopted this room (this one stalled past its lease): close here without
   * touching the journal; clients rejoin by code and reach the new owner.
   */
  private closeMoved(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.movedAway = true;
    this.broadcast('closing', { reason: 'moved' });
    void this.disconnect(CLOSE_SHUTDOWN);
  }

  override async onDispose(): Promise<void> {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    // A shutdown keeps the record for the next start; any other close ends the room for good.
    const keep = this.shuttingDown;
    const update = this.movedAway ? undefined : keep ? this.journal?.release() : this.journal?.remove();
    await update?.catch((error) => {
      arena().logger.error({ err: error, room: this.roomId }, 'updating the live room record failed');
    });
    await Promise.all([
      releaseCode(this.presence, this.roomId),
      ...[...this.seats.keys()].map((userId) => seatIndex.remove(this.presence, userId, this.roomId)),
      !keep && !this.movedAway && this.noLongerOpen(),
    ]);
  }

  /** The room stops counting toward its creator's open rooms (its match started, or it closed). */
  private async noLongerOpen(): Promise<void> {
    if (this.creatorId) await arena().limits.roomNoLongerOpen(this.presence, this.creatorId, this.roomId);
  }

  // ---- host actions -----------------------------------------------------------------------

  private registerCommonMessages(): void {
    this.handle('ping', commonMessages.ping, 'any', ({ client }, { t }) => {
      client.send('pong', { t, serverTime: Date.now() });
    });
    this.handle('configure', messageSchema(this.optionSchemas.configure.shape), 'host', (context, changes) => this.configure(changes));
    this.handle('start', commonMessages.start, 'host', async () => {
      if (this.state.phase !== 'waiting') throw new ArenaError('GAME_ALREADY_STARTED', 'the match has already started');
      this.requireEnoughPlayers();
      await this.beginMatch(false);
    });
    this.handle('rematch', commonMessages.rematch, 'host', async () => {
      if (this.state.phase === 'waiting') throw new ArenaError('GAME_NOT_STARTED', 'no match has been played yet');
      if (this.state.phase === 'playing') throw new ArenaError('GAME_ALREADY_STARTED', 'the match is still running');
      this.requireEnoughPlayers();
      await this.beginMatch(true);
    });
    this.handle('kick', commonMessages.kick, 'host', (context, { userId }) => this.kick(context.userId, userId));
    this.handle('transfer_host', commonMessages.transfer_host, 'host', (context, { userId }) => {
      if (userId === context.userId) throw new ArenaError('INVALID_ACTION', 'you are already the host');
      if (!this.seats.has(userId)) throw new ArenaError('INVALID_ACTION', 'the new host must be a seated player');
      if (!this.state.players.get(userId)?.connected) throw new ArenaError('INVALID_ACTION', 'the new host must be connected');
      this.setHost(userId);
      void this.updateListing();
    });
  }

  private async configure(changes: Record<string, unknown>): Promise<void> {
    if (this.state.phase !== 'waiting') throw new ArenaError('GAME_ALREADY_STARTED', 'options can only change before the match');
    const { rid: _rid, password, ...rest } = changes;
    // Validated as a whole, exactly like a create: a quick room stays open (no password, private or allow-lists).
    const merged = this.optionSchemas.create.safeParse({ ...this.options, ...rest, ...(typeof password === 'string' && { password }) });
    if (!merged.success) throw new ArenaError('INVALID_MESSAGE', describeZodError(merged.error));
    const { password: _validated, ...options } = merged.data as unknown as O & { password?: string };
    if (options.maxPlayers < this.seats.size) {
      throw new ArenaError('INVALID_ACTION', `${this.seats.size} players are seated; maxPlayers cannot be lower`);
    }
    const passwordHash = typeof password === 'string' ? await hashPassword(password) : password === null ? undefined : this.passwordHash;
    if (this.state.phase !== 'waiting') throw new ArenaError('GAME_ALREADY_STARTED', 'the match started meanwhile');
    this.passwordHash = passwordHash;
    await this.applyOptions(options as unknown as O);
    this.seatsChanged(false);
  }

  private kick(hostId: string, userId: string): void {
    if (userId === hostId) throw new ArenaError('INVALID_ACTION', 'you cannot kick yourself');
    const targets = [...this.sessions.values()].filter((session) => session.userId === userId);
    const seated = this.seats.get(userId);
    if (!seated && targets.length === 0) throw new ArenaError('INVALID_ACTION', 'no such player or spectator in this room');
    this.kicked.add(userId);
    for (const session of targets) this.removeSession(session.client, 'kicked', 4003);
    if (seated) {
      if (seated.reconnection) {
        seated.superseded = true;
        seated.reconnection.reject(new Error('kicked'));
      }
      this.vacateSeat(userId, 'kicked');
    }
    void this.updateListing();
  }

  private requireEnoughPlayers(): void {
    if (this.seats.size < this.options.minPlayers) {
      throw new ArenaError('NOT_ENOUGH_PLAYERS', `at least ${this.options.minPlayers} players are needed`);
    }
  }

  // ---- match lifecycle --------------------------------------------------------------------

  private async beginMatch(rematch: boolean): Promise<void> {
    this.cancelCountdown();
    const previous = this.state.phase;
    this.state.phase = 'playing';
    try {
      await this.onMatchStart(rematch);
    } catch (error) {
      this.state.phase = previous; // e.g. storage failed: the match did not start
      throw error;
    }
    if (!this.acceptsPlayersDuringMatch) void this.noLongerOpen();
    void this.updateListing();
  }

  /**
   * Games call this when the match is over. Players who left during the match (no session, no
   * pending reconnection) give up their seats now, so a rematch counts only those present.
   */
  protected finishMatch(): void {
    this.turnTimer.stop();
    this.state.phase = 'finished';
    for (const seat of [...this.seats.values()]) {
      if (!seat.reconnection && !this.sessions.has(seat.sessionId)) this.vacateSeat(seat.userId, 'left');
    }
    void this.updateListing();
  }

  /** Seat count changed: quick-match countdown and listing follow. */
  private seatsChanged(joined: boolean): void {
    if (this.options.mode === 'quick' && this.state.phase === 'waiting') this.updateCountdown(joined);
    void this.updateListing();
  }

  private updateCountdown(joined: boolean): void {
    const seated = this.seats.size;
    if (seated >= this.options.maxPlayers) {
      this.cancelCountdown();
      this.runSystemTask(async () => {
        if (this.state.phase === 'waiting' && this.seats.size >= this.options.maxPlayers) await this.beginMatch(false);
      });
      return;
    }
    if (seated < this.options.minPlayers) return this.cancelCountdown();
    if (this.countdown && !joined) return;
    const now = Date.now();
    if (!this.countdown) this.countdownStartedAt = now;
    const cap = this.countdownStartedAt + 3 * this.options.countdownSeconds * 1000;
    this.state.startsAt = Math.min(now + this.options.countdownSeconds * 1000, cap);
    this.countdown?.clear();
    this.countdown = this.later(this.state.startsAt - now, async () => {
      this.countdown = undefined;
      if (this.state.phase === 'waiting' && this.seats.size >= this.options.minPlayers) await this.beginMatch(false);
    });
  }

  private cancelCountdown(): void {
    this.countdown?.clear();
    this.countdown = undefined;
    this.state.startsAt = 0;
  }

  // ---- options, listing, activity ---------------------------------------------------------

  private async applyOptions(options: O): Promise<void> {
    this.options = options;
    const config = this.state.config;
    config.maxPlayers = options.maxPlayers;
    config.minPlayers = options.minPlayers;
    config.allowSpectators = options.allowSpectators;
    config.maxSpectators = options.maxSpectators;
    config.turnSeconds = options.turnSeconds;
    config.reconnectSeconds = options.reconnectSeconds;
    config.idleSeconds = options.idleSeconds;
    config.private = options.private;
    config.hasPassword = this.passwordHash !== undefined;
    config.restricted = Boolean(options.allowedUsers || options.allowedRoles);
    config.mode = options.mode;
    // Seats plus spectators plus a replacement session per player; never reached in practice, so
    // Colyseus never auto-locks the room (a locked room refuses joinById).
    this.maxClients = options.maxPlayers * 2 + options.maxSpectators + 10;
    await this.setPrivate(options.private);
    this.onOptionsApplied();
  }

  protected async updateListing(): Promise<void> {
    const host = this.state.players.get(this.state.hostId);
    const metadata: RoomMetadata = {
      game: this.roomName,
      code: this.roomId,
      players: this.seats.size,
      maxPlayers: this.options.maxPlayers,
      spectators: this.state.spectatorCount,
      phase: this.state.phase,
      hasPassword: this.passwordHash !== undefined,
      hostName: host?.name ?? '',
      mode: this.options.mode,
    };
    const joinable = this.state.phase !== 'playing' || this.acceptsPlayersDuringMatch;
    this.listing.seatsOpen = joinable && this.seats.size + this.promisedSeatCount() < this.options.maxPlayers;
    await this.setMetadata(metadata);
    if (this.listing.roomId) updateLobby(this);
    // Absent only while a room is still being created. Skipped when the record already holds this
    // very snapshot (e.g. right after a game's own saveNow): each save is a synchronous fsync.
    // A failed save is logged by the journal; the record is rewritten at the next change.
    if (this.journal && JSON.stringify(this.snapshot()) !== this.lastJournaledSnapshot) this.journal.requestSave();
  }

  private touch(): void {
    this.lastActivityAt = Date.now();
    if (this.lastActivityAt - this.state.lastActivity >= 1000) this.state.lastActivity = this.lastActivityAt;
  }

  private scheduleIdleCheck(): void {
    const interval = Math.min(5000, (this.options.idleSeconds * 1000) / 4);
    this.clock.setInterval(() => {
      if (Date.now() - this.lastActivityAt >= this.options.idleSeconds * 1000) {
        arena().logger.info({ room: this.roomId, game: this.roomName }, 'closing idle room');
        this.broadcast('closing', { reason: 'idle' });
        void this.disconnect(4002);
      }
    }, interval);
  }

  // ---- patches and the room clock ----------------------------------------------------------

  /**
   * Sends the pending state changes right after the current I/O batch (several changes of one
   * batch share one patch). Called when handled work settles, and after joins and leaves.
   */
  protected requestPatch(): void {
    if (this.patchQueued) return;
    this.patchQueued = true;
    setImmediate(() => {
      this.patchQueued = false;
      this.broadcastPatch();
      for (const client of this.clients) this.gate.checkBackPressure(client);
    });
  }

  /**
   * Colyseus ticks the room clock only inside its patch interval. With patches following the
   * work instead, the clock is ticked when its next timer is due: every `clock.setTimeout` /
   * `setInterval` arms one Node timer for the earliest deadline. A timer created between two
   * ticks also gets the time since the last tick deducted, so it never fires early (the 20 Hz
   * tick could fire such a timer up to 50 ms early).
   */
  private driveClockByDeadlines(): void {
    const clock = this.clock;
    const setTimeout = clock.setTimeout.bind(clock);
    const setInterval = clock.setInterval.bind(clock);
    const now = (clock as unknown as { now: () => number }).now; // the clock's own time source
    const armed = (delayed: Delayed, time: number) => {
      delayed.elapsedTime = -(now() - clock.currentTime);
      this.armClock(time);
      return delayed;
    };
    clock.setTimeout = ((handler: (...args: any[]) => void, time: number, ...args: any[]) =>
      armed(setTimeout(handler, time, ...args), time)) as typeof clock.setTimeout;
    clock.setInterval = ((handler: (...args: any[]) => void, time: number, ...args: any[]) =>
      armed(setInterval(handler, time, ...args), time)) as typeof clock.setInterval;
  }

  private armClock(delayMs: number): void {
    const at = Date.now() + Math.max(0, delayMs);
    if (this.wake && at >= this.wakeAt) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAt = at;
    this.wake = setTimeout(() => this.onClockDue(), Math.max(0, delayMs));
  }

  private onClockDue(): void {
    this.wake = undefined;
    this.wakeAt = Infinity;
    const clock = this.clock;
    if (!clock.running) return;
    clock.tick();
    let next = Infinity;
    for (const delayed of clock.delayed) {
      if (delayed.active && !delayed.paused) next = Math.min(next, delayed.time - delayed.elapsedTime);
    }
    if (next < Infinity) this.armClock(next);
    this.requestPatch(); // a timer may have changed state synchronously
  }

  // ---- helpers for games ------------------------------------------------------------------

  /** Registers a validated message handler (see MessageDispatcher for the checks it runs). */
  protected handle<Schema extends z.ZodTypeAny>(
    type: string,
    schema: Schema,
    access: Access,
    handler: (context: MessageContext, payload: z.infer<Schema>) => void | Promise<void>,
  ): void {
    this.dispatcher.register(type, schema, access, handler);
  }

  /** Runs `work` after `ms` on the room clock, in turn with the room's messages (see `runSystemTask`). */
  protected later(ms: number, work: () => void | Promise<void>): Delayed {
    return this.clock.setTimeout(() => this.runSystemTask(work), ms);
  }

  /**
   * Runs work the room does by itself (timers, forfeits) in turn with its messages. A rule's
   * refusal (`ArenaError`) ends it; any other failure (storage down at a deadline) is retried
   * with backoff until it succeeds or the room closes, so a failed write never stalls a match.
   */
  protected runSystemTask(work: () => void | Promise<void>, attempt = 0): void {
    this.dispatcher.exclusive(work).catch((error) => {
      if (error instanceof ArenaError || this.disposing) return;
      const delay = Math.min(SYSTEM_RETRY_MAX_MS, SYSTEM_RETRY_FIRST_MS * 2 ** attempt);
      arena().logger.warn({ err: error, room: this.roomId, attempt: attempt + 1, retryInMs: delay }, 'room task failed; retrying');
      this.clock.setTimeout(() => this.runSystemTask(work, attempt + 1), delay);
    });
  }

  /** True while the server shuts down: the room closes but will be restored on the next start. */
  protected get closingForRestart(): boolean {
    return this.shuttingDown;
  }

  /** The user who created the room (host-to-be), if known. */
  protected get creator(): string | undefined {
    return this.creatorId;
  }

  /** Throws GAME_NOT_STARTED / GAME_OVER unless a match is running. */
  protected requirePlaying(): void {
    if (this.state.phase === 'waiting') throw new ArenaError('GAME_NOT_STARTED', 'the match has not started');
    if (this.state.phase === 'finished') throw new ArenaError('GAME_OVER', 'the match is over');
  }

  /** Seated players' user ids in seat order. */
  protected seatedPlayers(): string[] {
    return [...this.state.players.values()].sort((a, b) => a.seat - b.seat).map((player) => player.id);
  }

  /** The live client of a seated player, if connected. */
  protected clientOf(userId: string): Client | undefined {
    const seat = this.seats.get(userId);
    return seat ? this.sessions.get(seat.sessionId)?.client : undefined;
  }

  /** Every connected session (players and spectators) with its role. */
  protected connectedSessions(): Array<{ client: Client; userId: string; role: Role }> {
    return [...this.sessions.values()].map(({ client, userId, role }) => ({ client, userId, role }));
  }

  protected sendError(client: Client, code: ErrorCode, message: string, rid?: string): void {
    errorsSent.inc({ code });
    client.send('error', rid === undefined ? { code, message } : { code, message, rid });
  }

  private rejection(code: ErrorCode, message: string): ServerError {
    errorsSent.inc({ code });
    return new ServerError(HTTP_STATUS[code] ?? 400, `${code}: ${message}`);
  }

  private freeSeatNumber(): number {
    const taken = new Set([...this.state.players.values()].map((player) => player.seat));
    let seat = 0;
    while (taken.has(seat)) seat++;
    return seat;
  }

  /**
   * What the monitor's inspect page shows (the shape its dashboard reads): the connected sessions,
   * and the state as a spectator sees it, never hidden values.
   */
  getInspectData() {
    const { state, bytes } = publicState(this);
    return {
      roomId: this.roomId,
      maxClients: this.maxClients,
      metadata: this.metadata,
      locked: this.locked,
      clients: this.clients.map((client) => ({
        sessionId: client.sessionId,
        elapsedTime: this.clock.elapsedTime - ((client as Client & ClientPrivate)._joinedAt ?? 0),
      })),
      state,
      stateSize: bytes,
    };
  }
}
