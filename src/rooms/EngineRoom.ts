/**
 * The engine host: one implementation of everything between a pure rules engine
 * (src/games/engine.ts) and the room, for every game. Each message of the game's catalogue
 * becomes an action, and every action takes the same way:
 *
 *   validate (dispatcher) → engine.apply → journal (durable before anyone hears of it)
 *   → mirror into Schema (the game's) → StateViews from engine.visible → turn and phase timers
 *   → the game's announcements → at the end: game_over, the seed revealed, the archive.
 *
 * A restarted room replays its journal from the seed (same deal, same log); seats joining or
 * leaving a running session, forfeits, timeouts and phase deadlines are system actions (actor
 * null) journaled like any other. A game's room supplies only its engine, its catalogue, its
 * Schema mirror and its archive record.
 */
import { StateView, type Schema } from '@colyseus/schema';
import type { Client, Delayed } from '@colyseus/core';
import type { z } from 'zod';
import { GameRoom, type BaseRoomOptions, type ForfeitReason, type Member } from './GameRoom';
import { RESTORE_GRACE_SECONDS } from './roomSnapshot';
import { requirePlaying } from './hostCommands';
import type { GameStateWithConfig } from './schema/GameState';
import { ArenaError } from '../protocol/errors';
import { createRandom, newSeed, seedCommitment, type Seed } from '../games/random';
import type { GameEngine, LoggedAction, PlayerId, SeatInfo } from '../games/engine';
import type { ArchiveRecord } from '../persistence/archive';

/** A running (or just finished) match as the host keeps it. */
export interface Match<S, A, MO> {
  state: S;
  /** The match's secret until it ends (revealed in `game_over` for games with randomness). */
  seed: Seed;
  seats: SeatInfo[];
  options: MO;
  startedAt: number;
  /** Every accepted action, system ones included, in order. */
  log: Array<LoggedAction<A>>;
}

/** The engine room's part of the room snapshot. */
interface MatchSnapshot<MO> {
  seed: Seed;
  seats: SeatInfo[];
  options: MO;
  startedAt: number;
  turnDeadline: number;
}

/** A running phase timer and when it is due. */
interface PhaseTimerRun {
  delayed: Delayed;
  deadline: number;
}

export abstract class EngineRoom<St extends GameStateWithConfig, S, A, E, MO, O extends BaseRoomOptions = BaseRoomOptions> extends GameRoom<St, O> {
  protected abstract readonly engine: GameEngine<S, A, E, MO>;
  /** The game's client messages (its catalogue in src/protocol): each becomes `{ type, ...payload }`. */
  protected abstract readonly messages: Record<string, z.ZodTypeAny>;
  /** The engine's options for a new match, from the room's. */
  protected abstract matchOptions(): MO;
  /** Copies the rules state into Schema; `events` say what just happened (a step of a replay too). */
  protected abstract mirror(state: S, events: E[]): void;
  /** The archive record of a finished match (or a closed session); participants default to the seats. */
  protected abstract archiveRecord(match: Match<S, A, MO>, endedAt: number): Pick<ArchiveRecord, 'result' | 'data'> & Partial<Pick<ArchiveRecord, 'participants'>>;
  /** The Schema instance that holds the hidden item `id` now (see `engine.visible`). */
  protected secretSlot(_id: string): Schema | undefined {
    return undefined;
  }
  /** Messages to broadcast for what just happened (e.g. a round's scores). */
  protected announce(_events: E[]): void {}
  /** What `game_over` says of the finished match (the host adds the seed). */
  protected gameOver(_state: S): Record<string, unknown> {
    return {};
  }
  /** Sessions start with the room and are archived when it closes (tabletop). */
  protected readonly session: boolean = false;

  protected match?: Match<S, A, MO>;

  /** The current rules state (read-only: for tools, tests and bots' referees). */
  get matchState(): S | undefined {
    return this.match?.state;
  }

  /** Every accepted action of the current match, in order (`playerId` null: the room's own). */
  get actionLog(): ReadonlyArray<LoggedAction<A>> {
    return this.match?.log ?? [];
  }
  private turnKey?: string;
  private readonly phaseTimers = new Map<string, PhaseTimerRun>();
  private readonly viewSlots = new WeakMap<StateView, Set<Schema>>();

  // ---- the pipeline -----------------------------------------------------------------------

  protected override registerMessages(): void {
    for (const [type, schema] of Object.entries(this.messages)) {
      this.handle(type, schema, 'player', async ({ userId }, payload) => {
        const { rid: _rid, ...fields } = payload as Record<string, unknown>;
        requirePlaying(this.phase);
        await this.commit(userId, { type, ...fields } as A);
      });
    }
  }

  /** Applies one action: refused, nothing changes; accepted, it is journaled before anything else. */
  protected async commit(actor: PlayerId | null, action: A): Promise<void> {
    const match = this.match;
    if (!match) throw new ArenaError('GAME_NOT_STARTED', 'the match has not started');
    const at = this.now();
    const result = this.engine.apply(match.state, actor, action, at);
    if (!result.ok) throw new ArenaError(result.code, result.message);
    const entry: LoggedAction<A> = { playerId: actor, action, at };
    await this.journal.append(entry);
    match.state = result.state;
    match.log.push(entry);
    this.advance(result.events);
  }

  /** A system action (timers, seats, forfeits): a refusal by the rules is logged and dropped. */
  protected async system(action: A | undefined): Promise<void> {
    if (action === undefined || !this.match) return;
    try {
      await this.commit(null, action);
    } catch (error) {
      if (!(error instanceof ArenaError)) throw error; // storage: the base retries the task
      this.services.logger.warn({ room: this.roomId, action, code: error.code, reason: error.message }, 'system action refused');
    }
  }

  private advance(events: E[]): void {
    const state = this.match!.state;
    this.syncTimers(state);
    this.mirror(state, events);
    this.refreshViews();
    this.announce(events);
    if (this.engine.isOver(state) && this.phase === 'playing') this.finish();
  }

  // ---- match lifecycle --------------------------------------------------------------------

  /** The new match's seed; tests pick deals by choosing it. */
  protected createSeed(): Seed {
    return newSeed();
  }

  protected override async onMatchStart(): Promise<void> {
    this.clearPhaseTimers();
    const seed = this.createSeed();
    const seats = this.seats.seatedIds().map((id) => this.seatInfo(id));
    const options = this.matchOptions();
    const { state, events } = this.engine.setup(createRandom(seed), seats, options);
    this.match = { state, seed, seats, options, startedAt: this.now(), log: [] };
    this.turnKey = undefined;
    this.state.seedCommitment = this.engine.random ? seedCommitment(seed) : '';
    await this.journal.saveNow({ resetLog: true }); // the new match's seed and seats, its log empty
    this.advance(events);
  }

  /** A session starts with its room. */
  protected override async onCreated(): Promise<void> {
    if (this.session) await this.beginMatch(false);
  }

  private finish(): void {
    const match = this.match!;
    this.clearPhaseTimers();
    this.finishMatch();
    this.broadcast('game_over', { ...this.gameOver(match.state), ...(this.engine.random && { seed: match.seed }) });
    this.submitArchive();
  }

  private submitArchive(): void {
    const match = this.match!;
    const endedAt = this.now();
    const participants = match.seats.map((seat) => ({ userId: seat.id, name: seat.name }));
    this.services.archive.submit({ game: this.roomName, code: this.roomId, startedAt: match.startedAt, endedAt, participants, ...this.archiveRecord(match, endedAt) });
  }

  /** A closed session is archived (a restart is not a close). */
  protected override onClose(): void {
    if (this.session && this.match && this.match.log.length > 0) this.submitArchive();
  }

  protected override gameSnapshot(): MatchSnapshot<MO> | null {
    const match = this.match;
    return match ? { seed: match.seed, seats: match.seats, options: match.options, startedAt: match.startedAt, turnDeadline: this.state.turnDeadline } : null;
  }

  /** After a restart: the match replayed from its seed, step by step, as it was played. */
  protected override restoreGame(snapshot: unknown, events: unknown[]): void {
    const saved = snapshot as MatchSnapshot<MO> | null;
    if (!saved) return;
    const log = events as Array<LoggedAction<A>>;
    let { state, events: dealt } = this.engine.setup(createRandom(saved.seed), saved.seats, saved.options);
    this.mirror(state, dealt);
    log.forEach(({ playerId, action, at }, index) => {
      const result = this.engine.apply(state, playerId, action, at ?? 0);
      if (!result.ok) throw new Error(`journal entry ${index + 1} refused on replay: ${result.code}: ${result.message}`);
      state = result.state;
      this.mirror(state, result.events);
    });
    this.match = { state, seed: saved.seed, seats: saved.seats, options: saved.options, startedAt: saved.startedAt, log };
    this.state.seedCommitment = this.engine.random ? seedCommitment(saved.seed) : '';
    if (this.phase !== 'playing') return;
    const turn = this.engine.turn(state);
    if (turn?.timed) {
      // The running turn began at the last logged action at the latest (the snapshot is not
      // rewritten per action), so its deadline was no later than that + turnSeconds.
      const latest = Math.max(saved.turnDeadline, (log.at(-1)?.at ?? saved.startedAt) + this.options.turnSeconds * 1000);
      this.turnKey = turn.key;
      this.turnTimer.startUntil(turn.playerId, Math.max(latest, this.now()) + RESTORE_GRACE_SECONDS * 1000, this.options.turnSeconds);
    }
    this.syncTimers(state);
    this.mirror(state, []);
  }

  // ---- seats and timers --------------------------------------------------------------------

  protected override onSeatTaken(userId: string): Promise<void> | void {
    if (this.match && this.engine.seatTaken) return this.system(this.engine.seatTaken(this.match.state, this.seatInfo(userId)));
  }

  protected override onSeatReleased(userId: string, reason: ForfeitReason): Promise<void> | void {
    if (this.match && this.engine.seatReleased) return this.system(this.engine.seatReleased(this.match.state, userId, reason));
  }

  protected override onForfeit(userId: string, reason: ForfeitReason): Promise<void> | void {
    if (this.match && this.phase === 'playing' && this.engine.forfeit) return this.system(this.engine.forfeit(this.match.state, userId, reason));
  }

  protected override onTurnTimeout(userId: string): Promise<void> | void {
    if (this.match && this.phase === 'playing' && this.engine.timeout) return this.system(this.engine.timeout(this.match.state, userId));
  }

  private seatInfo(userId: string): SeatInfo {
    const member = this.seats.allMembers().find((m) => m.userId === userId && m.role === 'player');
    const name = this.state.players.get(userId)?.name ?? '';
    return { id: userId, name, roles: member?.roles ?? [], creator: userId === this.access.creatorId };
  }

  /** The turn clock and the phase deadlines follow the state: new turns and phases start theirs. */
  private syncTimers(state: S): void {
    const turn = this.engine.turn(state);
    if (!turn) {
      this.turnKey = undefined;
      this.turnTimer.stop();
    } else if (!turn.timed) {
      this.turnTimer.stop();
      this.state.turn = turn.playerId;
    } else if (turn.key !== this.turnKey) {
      this.turnKey = turn.key;
      this.turnTimer.start(turn.playerId, this.options.turnSeconds);
    }
    const wanted = new Map((this.engine.timers?.(state, this.match!.options) ?? []).map((timer) => [timer.key, timer]));
    for (const [key, run] of this.phaseTimers) {
      if (!wanted.has(key)) {
        run.delayed.clear();
        this.phaseTimers.delete(key);
      }
    }
    for (const [key, timer] of wanted) {
      if (this.phaseTimers.has(key)) continue;
      const run: PhaseTimerRun = { delayed: undefined as unknown as Delayed, deadline: this.now() + timer.seconds * 1000 };
      run.delayed = this.later(timer.seconds * 1000, () => {
        // Due, but queued behind work that ended the phase (e.g. a forfeit ending the match): drop it.
        if (this.phaseTimers.get(key) !== run) return;
        this.phaseTimers.delete(key);
        return this.system(timer.action);
      });
      this.phaseTimers.set(key, run);
    }
  }

  /** When the running phase timer whose key starts with `prefix` is due (epoch ms), else 0. */
  protected phaseDeadline(prefix: string): number {
    for (const [key, run] of this.phaseTimers) if (key.startsWith(prefix)) return run.deadline;
    return 0;
  }

  private clearPhaseTimers(): void {
    for (const run of this.phaseTimers.values()) run.delayed.clear();
    this.phaseTimers.clear();
  }

  // ---- views -------------------------------------------------------------------------------

  protected override onSessionReady(client: Client, _member: Member): void {
    if (!this.engine.visible) return;
    client.view = new StateView();
    this.refreshView(client);
  }

  /**
   * The full state already holds everything the client's view shows: its pending additions are
   * dropped, so the next patch does not send all of it a second time.
   */
  protected override sendFullState(client: Client): void {
    super.sendFullState(client);
    client.view?.changes.clear();
  }

  private refreshViews(): void {
    if (!this.engine.visible) return;
    for (const { client } of this.members.connectedSessions()) this.refreshView(client);
  }

  /** Makes the client's view hold exactly the slots of what its user may see now. */
  private refreshView(client: Client): void {
    const view = client.view;
    const member = this.seats.member(client.sessionId);
    if (!view || !member || !this.match) return;
    const wanted = new Set<Schema>();
    for (const id of this.engine.visible!(this.match.state, { userId: member.userId, seated: member.role === 'player' })) {
      const slot = this.secretSlot(id);
      if (slot) wanted.add(slot);
    }
    const shown = this.viewSlots.get(view) ?? new Set<Schema>();
    for (const slot of shown) if (!wanted.has(slot)) view.remove(slot);
    for (const slot of wanted) if (!shown.has(slot)) view.add(slot);
    this.viewSlots.set(view, wanted);
  }
}
