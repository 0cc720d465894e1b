/**
 * The base of every game room: the Colyseus lifecycle, wired to units that each do one job —
 * Membership (over the pure SeatRegistry): seats, spectators, reconnection, host; AccessPolicy:
 * who may enter; ReservationGuard: reservations and join limits; QuickMatch: promised seats and
 * the countdown; RoomListing: config, listing, idle close; RoomClock: patches and timers;
 * FrameGate and MessageDispatcher: every frame and message; TurnTimer; RoomJournal: the durable
 * record. A game extends it through the hooks of GameHooks, or through EngineRoom, which
 * implements them for a pure rules engine.
 */
import { ClientState, type AuthContext, type Client, type ClientPrivate, type Delayed } from '@colyseus/core';
import type { z } from 'zod';
import { joinRefusal } from './auth';
import { countedConnection } from './connections';
import { claimCode, releaseCode, renewCode, reserveCode, CODE_LEASE_SECONDS } from '../matchmaking/codes';
import { RESTORE_OPTION } from '../cluster/restore';
import { RoomJournal } from '../persistence/roomJournal';
import { clientOptions, describeZodError, joinOptionsSchema, type BaseRoomOptions } from './options';
import type { GameStateWithConfig, Phase } from './schema/GameState';
import { RECONNECT_GRACE_SECONDS, TurnTimer } from './turnTimer';
import { inspectData } from './publicState';
import { MessageDispatcher, sendError, type Access, type MessageContext } from './dispatcher';
import { FrameGate, RATE_LIMIT, type CutOff } from './frameGate';
import { SeatRegistry, type Member } from './SeatRegistry';
import { AccessPolicy } from './AccessPolicy';
import { RESTORE_GRACE_SECONDS, type RoomSnapshot } from './roomSnapshot';
import { Membership, type ForfeitReason } from './Membership';
import { GameHooks } from './GameHooks';
import { QuickMatch } from './QuickMatch';
import { RoomClock } from './RoomClock';
import { RoomListing } from './RoomListing';
import { ReservationGuard } from './ReservationGuard';
import { registerHostCommands, type RoomControl } from './hostCommands';
import { ArenaError } from '../protocol/errors';
import type { User } from '../auth/tokens';

export type { BaseRoomOptions, ForfeitReason, Member };

/** WebSocket close code when the server shuts down or the room moved (clients rejoin by code). */
export const CLOSE_SHUTDOWN = 4005;
/** HTTP-created rooms wait this long for their first player before closing. */
export const EMPTY_ROOM_SECONDS = 60;
/** Colyseus' internal room state while it disposes (`RoomInternalState.DISPOSING`). */
const ROOM_DISPOSING = 2;

export abstract class GameRoom<S extends GameStateWithConfig, O extends BaseRoomOptions = BaseRoomOptions> extends GameHooks<S> implements RoomControl {
  options!: O;
  access = new AccessPolicy();
  readonly seats = new SeatRegistry(() => this.now());
  protected journal!: RoomJournal;
  readonly roomClock: RoomClock = new RoomClock(this, () => this.clients.forEach((client) => this.gate.checkBackPressure(client)));
  protected readonly turnTimer = new TurnTimer(this, () => this.now(), (userId) => this.dispatcher.system(() => this.onTurnTimeout(userId)));
  readonly members: Membership = new Membership(this, {
    admitsPlayersDuringMatch: () => this.acceptsPlayersDuringMatch,
    queue: (work) => this.dispatcher.system(work),
    later: (ms, work) => this.later(ms, work),
    seatTaken: (userId) => this.onSeatTaken(userId),
    seatReleased: (userId, reason) => this.onSeatReleased(userId, reason),
    forfeit: (userId, reason) => this.onForfeit(userId, reason),
    sessionReady: (client, member) => this.onSessionReady(client, member),
    returned: (userId) => this.turnTimer.extend(userId, RECONNECT_GRACE_SECONDS, this.options.turnSeconds),
    seatsChanged: (joined) => this.listed.seatsChanged(joined),
    listingChanged: () => this.listed.changed(),
  });
  private readonly dispatcher: MessageDispatcher = new MessageDispatcher(this, () => this.services.logger);
  private readonly gate = new FrameGate({
    userOf: (client) => (client.auth as User | undefined)?.id,
    rateLimited: (client, rid) => sendError(client, 'RATE_LIMITED', `too many messages: at most ${RATE_LIMIT.ratePerSecond}/s`, rid),
    cutOff: (client, reason, closeCode) => this.removeSession(client, reason, closeCode),
  });
  private readonly quick = new QuickMatch({
    later: (ms, work) => this.later(ms, work),
    soon: (work) => this.dispatcher.system(work),
    now: () => this.now(),
    start: async () => {
      if (this.phase === 'waiting' && this.seats.seatedCount >= this.options.minPlayers) await this.beginMatch(false);
    },
  });
  private readonly reservations: ReservationGuard = new ReservationGuard(this, this.quick);
  readonly listed: RoomListing = new RoomListing(this, this.quick, (): number => this.quick.pending((sessionId) => this.reservations.isReserved(sessionId)), (): void => this.journal?.saveIfChanged());
  private closing?: 'shutdown' | 'moved';

  // ---- creation and restore ----------------------------------------------------------------

  override async onCreate(rawOptions: unknown): Promise<void> {
    const restoreCode = (rawOptions as Record<string, unknown> | undefined)?.[RESTORE_OPTION];
    if (typeof restoreCode === 'string') return this.restore(restoreCode);
    const parsed = this.optionSchemas.create.safeParse(rawOptions ?? {});
    if (!parsed.success) throw joinRefusal(new ArenaError('INVALID_OPTIONS', describeZodError(parsed.error)));
    const { creatorId, password, ...options } = parsed.data as Record<string, unknown>;
    this.access = new AccessPolicy(creatorId as string | undefined);
    const creator = this.access.creatorId;
    if (creator) await this.services.limits.roomCreation(this.presence, creator).catch((error) => Promise.reject(joinRefusal(error)));
    await this.access.setPassword(password as string | undefined);
    this.roomId = await reserveCode(this.presence);
    if (creator) await this.services.limits.roomOpened(this.presence, creator, this.roomId);
    await this.setUp(clientOptions(options) as unknown as O);
    this.journal = this.openJournal();
    await this.journal.saveNow();
    this.members.holdOpen(EMPTY_ROOM_SECONDS);
    this.listed.changed();
    await this.onCreated();
  }

  private async setUp(options: O): Promise<void> {
    this.clock.setInterval(() => void renewCode(this.presence, this.roomId), (CODE_LEASE_SECONDS / 3) * 1000);
    this.setState(this.createState());
    await this.applyOptions(options);
    this.listed.open(options.mode, () => this.services.logger.info({ room: this.roomId, game: this.roomName }, 'closing idle room'));
    registerHostCommands(this, this.optionSchemas);
    this.registerMessages();
  }

  /** A restarted (or adopting) server rebuilds the room from its record: same code, options, host, seats. */
  private async restore(code: string): Promise<void> {
    const { storage, instanceId, logger } = this.services;
    const record = await RoomJournal.load(storage, code, instanceId);
    if (!record) throw new Error(`cannot restore ${code}: not owned by this process`);
    const snapshot = record.snapshot as RoomSnapshot<O>;
    this.access = new AccessPolicy(snapshot.creatorId);
    this.access.restore(snapshot);
    this.roomId = code;
    await claimCode(this.presence, code);
    await this.setUp(snapshot.options);
    this.state.phase = snapshot.phase;
    // Seats wait `reconnectSeconds` + grace for their players, who come back with `joinById(code)`.
    const waitSeconds = snapshot.options.reconnectSeconds + RESTORE_GRACE_SECONDS;
    this.members.restore(snapshot.seats, snapshot.hostId, waitSeconds);
    this.journal = this.openJournal(record.events.at(-1)?.seq ?? 0);
    await this.restoreGame(snapshot.game, record.events.map((entry) => entry.event));
    await this.journal.saveNow();
    this.listed.changed();
    logger.info({ room: code, game: this.roomName, seats: snapshot.seats.length, events: record.events.length }, 'room restored');
  }

  private openJournal(lastSeq = 0): RoomJournal {
    const { storage, journal: writer, lease, logger, instanceId } = this.services;
    const snapshot = (): RoomSnapshot<O> => ({
      version: 1, options: this.options, ...this.access.snapshot(), creatorId: this.access.creatorId,
      hostId: this.seats.hostId, phase: this.phase, seats: this.seats.snapshot(), game: this.gameSnapshot(),
    });
    return new RoomJournal({ storage, writer, lease, logger, owner: instanceId, code: this.roomId, game: this.roomName, snapshot, onLost: () => this.close('moved'), lastSeq });
  }

  // ---- joining and leaving -----------------------------------------------------------------

  /** Every join is admitted (ReservationGuard) before Colyseus uses its reservation, then counted toward its user's connections. */
  override async ['_onJoin'](client: Client & ClientPrivate, authContext: AuthContext): Promise<void> {
    const userId = await this.reservations.admit(client.sessionId, authContext.token, this.services.tokens).catch((error) => Promise.reject(joinRefusal(error)));
    return countedConnection(this.services.limits, this.presence, client, userId, () => super._onJoin(client, authContext));
  }

  override async onJoin(client: Client, rawOptions: unknown, user: User): Promise<void> {
    try {
      const join = joinOptionsSchema.safeParse(rawOptions ?? {});
      if (!join.success) throw new ArenaError('INVALID_OPTIONS', describeZodError(join.error));
      await this.access.check(user, join.data.password, this.seats.isSeated(user.id));
      this.quick.release(client.sessionId);
      this.members.admit(client, user, join.data.spectate === true); // synchronous: no interleaving
      this.roomClock.requestPatch();
    } catch (error) {
      throw joinRefusal(error);
    } finally {
      if (this.quick.release(client.sessionId)) this.listed.changed();
    }
  }

  override _reserveSeat(sessionId: string, joinOptions: any = true, authData: any = undefined, seconds = this.seatReservationTime, allowReconnection = false, devModeReconnection?: boolean): Promise<boolean> {
    return this.reservations.reserve(sessionId, joinOptions, authData, seconds, allowReconnection, devModeReconnection);
  }

  /** Reservations never lock a room (Colyseus counts them): seats are checked at the actual join. */
  override hasReachedMaxClients(): boolean {
    return this.clients.length >= this.maxClients || (this as unknown as { _internalState: number })._internalState === ROOM_DISPOSING;
  }

  override async onLeave(client: Client, consented: boolean): Promise<void> {
    if (this.closing) return; // a shutdown or a move: nobody leaves, nobody forfeits
    this.roomClock.requestPatch();
    await this.members.left(client, consented);
  }

  /** Every frame passes the gate first; room messages go to the dispatcher, protocol steps to Colyseus. */
  override _onMessage(client: Client & ClientPrivate, buffer: Buffer): void {
    if (client.state === ClientState.LEAVING) return;
    const frame = this.gate.admit(client, buffer);
    if (frame?.kind === 'message') this.dispatcher.dispatch(client, frame.type, frame.payload);
    else if (frame?.kind === 'protocol') super._onMessage(client, buffer);
  }

  /** Ends a session, telling it why (unless it stopped reading); kicked and replaced ones are forgotten at once. */
  removeSession(client: Client, reason: 'kicked' | 'replaced' | CutOff, closeCode: number): void {
    if (reason === 'kicked' || reason === 'replaced') this.seats.forget(client.sessionId);
    if (reason !== 'slow_consumer') client.send('removed', { reason });
    client.leave(closeCode);
  }

  // ---- closing -----------------------------------------------------------------------------

  /** Server shutdown: tell clients and close every connection; seats stay, nobody forfeits. */
  override onBeforeShutdown(): void {
    this.close('shutdown');
  }

  /** `moved`: another process adopted the room (this one stalled past its lease); clients rejoin there. */
  private close(reason: 'shutdown' | 'moved'): void {
    if (this.closing) return;
    this.closing = reason;
    if (reason === 'moved') this.listed.detach();
    this.broadcast('closing', { reason });
    void this.disconnect(CLOSE_SHUTDOWN);
  }

  override onDispose(): Promise<void> {
    return this.services.pendingWrites.track(this.dispose());
  }

  private async dispose(): Promise<void> {
    this.roomClock.dispose();
    if (!this.closing) await this.dispatcher.exclusive(() => this.onClose()); // after the work still queued (a last leave)
    // A shutdown keeps the record for the next start; a move leaves it to the new owner.
    const update = this.closing === 'moved' ? undefined : this.closing === 'shutdown' ? this.journal?.release() : this.journal?.remove();
    await update?.catch((error) => this.services.logger.error({ err: error, room: this.roomId }, 'updating the live room record failed'));
    if (this.closing === 'moved') return; // the code, the seat index and the creator's count belong to the adopter now
    await Promise.all([releaseCode(this.presence, this.roomId), this.members.forgetSeats(), !this.closing && this.noLongerOpen()]);
  }

  /** The room stops counting toward its creator's open rooms (its match started, or it closed). */
  private async noLongerOpen(): Promise<void> {
    if (this.access.creatorId) await this.services.limits.roomNoLongerOpen(this.presence, this.access.creatorId, this.roomId);
  }

  // ---- the match and the room's control ----------------------------------------------------

  async beginMatch(rematch: boolean): Promise<void> {
    this.quick.cancel();
    this.state.startsAt = 0;
    const previous = this.phase;
    this.state.phase = 'playing';
    try {
      await this.onMatchStart(rematch);
    } catch (error) {
      this.state.phase = previous; // e.g. storage failed: the match did not start
      throw error;
    }
    if (!this.acceptsPlayersDuringMatch) void this.noLongerOpen();
    this.listed.changed();
  }

  /** Games call this when the match is over: players who left give up their seats now. */
  protected finishMatch(): void {
    this.turnTimer.stop();
    this.state.phase = 'finished';
    this.members.releaseAbsentAfterMatch();
    this.listed.changed();
  }

  async applyOptions(options: BaseRoomOptions): Promise<void> {
    this.options = options as O;
    this.access.setAllowLists(options);
    this.listed.mirrorConfig();
    await this.setPrivate(options.private);
    this.onOptionsApplied();
  }

  get phase(): Phase {
    return this.state.phase;
  }

  /** Whether new players may take free seats now. */
  get joinable(): boolean {
    return this.phase !== 'playing' || this.acceptsPlayersDuringMatch;
  }

  // ---- helpers for games -------------------------------------------------------------------

  /** Registers a validated message handler (see MessageDispatcher for the checks it runs). */
  handle<Schema extends z.ZodTypeAny>(type: string, schema: Schema, access: Access, handler: (context: MessageContext, payload: z.infer<Schema>) => void | Promise<void>): void {
    this.dispatcher.register(type, schema, access, handler);
  }

  /** Runs `work` after `ms` on the room clock, in turn with the room's messages (see MessageDispatcher.system). */
  protected later(ms: number, work: () => void | Promise<void>): Delayed {
    return this.clock.setTimeout(() => this.dispatcher.system(work), ms);
  }

  /** Epoch ms on the room's time source (see RoomClock). */
  now(): number {
    return this.roomClock.now();
  }

  /** What the monitor's inspect page shows: sessions, and the state as a spectator sees it. */
  getInspectData() {
    return inspectData(this);
  }
}
