/**
 * The `cabo` room (SPEC §5): an adapter between clients and the pure rules engine in
 * `src/games/cabo`. It validates messages, calls `apply`, keeps the match seed and the ordered
 * action log, mirrors the engine state into Schema and gives every client a StateView holding
 * exactly the card slots whose value its player knows (`visibleCardIds`). It never decides a rule.
 */
import crypto from 'crypto';
import { ArraySchema, StateView } from '@colyseus/schema';
import type { Client, Delayed } from '@colyseus/core';
import {
  apply,
  cardValue,
  createMatch,
  discardTop,
  replay,
  HAND_SIZE,
  visibleCardIds,
  type CaboAction,
  type CaboEvent,
  type CaboState as Match,
  type CardId,
  type LogEntry,
  type PlayerAction,
  type PlayerId,
  type PublicAction,
} from '../games/cabo';
import { newSeed, seedCommitment, type Seed } from '../games/random';
import type { CaboArchiveRecord, CaboSeat } from '../games/cabo/archive';
import { GameRoom, RESTORE_GRACE_SECONDS, type BaseRoomOptions, type ForfeitReason } from './GameRoom';
import { buildOptionSchemas } from './options';
import { CaboPlayerState, CaboState, CardState } from './schema/CaboState';
import { caboMessages, caboOptionShape, type CaboMessageType, type CaboRoundSummary, type CaboServerMessages } from '../protocol/cabo';
import { ArenaError } from '../protocol/errors';
import { archive } from './archive';
import { arena } from '../context';

export interface CaboRoomOptions extends BaseRoomOptions {
  setupSeconds: number;
  targetScore: number;
  roundPauseSeconds: number;
}

type Role = 'player' | 'spectator';

/** The Cabo part of the room snapshot: the current match's identity and its turn deadline. */
interface CaboSnapshot {
  seed: Seed;
  targetScore: number;
  seats: CaboSeat[];
  startedAt: number;
  turnDeadline: number;
}

export class CaboRoom extends GameRoom<CaboState, CaboRoomOptions> {
  static override optionSchemas = buildOptionSchemas(
    { seatRange: [2, 6], maxPlayers: 4, minPlayers: 2, turnSeconds: 30 },
    caboOptionShape,
  );

  /** Current rules state; undefined until the first match starts. Replaced (never mutated) per action. */
  private match?: Match;
  /** Seed of the current match (`createMatch({ seed })`): secret until the match is over. */
  private seed: Seed = '';
  /** Every accepted action of the current match, system ones included, in order. */
  private log: LogEntry[] = [];
  private matchSeats: CaboSeat[] = [];
  private startedAt = 0;
  /** Engine card id → opaque id for this round; dropped when a card returns to the deck. */
  private cardIds = new Map<CardId, string>();
  private setupTimer?: Delayed;
  private pauseTimer?: Delayed;

  /** The ordered action log of the current match (`{ playerId, action }`, null = system). */
  get actionLog(): readonly LogEntry[] {
    return this.log;
  }

  /** The current rules state (read-only; for persistence, tests and tools). */
  get matchState(): Match | undefined {
    return this.match;
  }

  protected createState(): CaboState {
    return new CaboState();
  }

  protected override createPlayer(): CaboPlayerState {
    return new CaboPlayerState();
  }

  protected override onOptionsApplied(): void {
    const config = this.state.config;
    config.setupSeconds = this.options.setupSeconds;
    config.targetScore = this.options.targetScore;
    config.roundPauseSeconds = this.options.roundPauseSeconds;
  }

  /** The match seed; a subclass may choose it (tests pick deals this way). */
  protected createSeed(): Seed {
    return newSeed();
  }

  // ---- messages ---------------------------------------------------------------------------

  protected override registerMessages(): void {
    for (const type of Object.keys(caboMessages) as CaboMessageType[]) {
      this.handle(type, caboMessages[type], 'player', async ({ userId }, payload) => {
        const { rid: _rid, ...fields } = payload as Record<string, unknown>;
        this.requirePlaying();
        await this.commit(userId, { type, ...fields } as PlayerAction);
      });
    }
  }

  /**
   * Applies one action: a rejection throws (the dispatcher replies `error`) and changes nothing;
   * an accepted one is journaled before anything changes or anyone hears of it.
   */
  private async commit(playerId: PlayerId | null, action: CaboAction): Promise<void> {
    if (!this.match) throw new ArenaError('GAME_NOT_STARTED', 'the match has not started');
    const result = apply(this.match, playerId, action);
    if (!result.ok) throw new ArenaError(result.code, result.message);
    const entry: LogEntry = { playerId, action };
    await this.journal.append(entry);
    const deadline = this.state.turnDeadline;
    this.match = result.state;
    this.log.push(entry);
    this.mirror(result.events);
    this.react(result.events);
    // The snapshot's only per-action part is the running turn's deadline (the log holds the
    // rest): saved when it moved, not after every action (each save is a synchronous fsync).
    if (this.state.turnDeadline !== deadline) this.journal.requestSave();
  }

  /**
   * A system action (timers, forfeits). The callers only send actions the rules should accept, so
   * a rejection is logged and otherwise ignored (the match state stays as it was). Any other
   * failure (storage) is thrown: the base room retries the task until it succeeds.
   */
  private async system(action: CaboAction): Promise<void> {
    try {
      await this.commit(null, action);
    } catch (error) {
      if (!(error instanceof ArenaError)) throw error;
      arena().logger.warn({ room: this.roomId, action, code: error.code, reason: error.message }, 'cabo system action rejected');
    }
  }

  // ---- lifecycle hooks ----------------------------------------------------------------------

  protected async onMatchStart(_rematch: boolean): Promise<void> {
    this.clearTimers();
    const players = this.seatedPlayers();
    this.seed = this.createSeed();
    this.state.seedCommitment = seedCommitment(this.seed);
    this.log = [];
    this.cardIds.clear();
    this.startedAt = Date.now();
    this.matchSeats = players.map((id) => ({ id, name: this.state.players.get(id)?.name ?? '' }));
    this.match = createMatch({ seed: this.seed, players, targetScore: this.options.targetScore });
    await this.journal.saveNow({ resetLog: true }); // the new match's seed and seats, its log empty
    this.state.ranking = new ArraySchema<string>();
    this.state.lastAction.assign({ playerId: '', type: '', source: '', index: -1, targetId: '', targetIndex: -1, value: -1 });
    for (const id of players) this.ensureSlots(id);
    this.mirror([{ type: 'round_started', round: this.match.round, starter: this.match.roundStarter }]);
    this.react([{ type: 'round_started', round: this.match.round, starter: this.match.roundStarter }]);
  }

  protected override gameSnapshot(): CaboSnapshot | null {
    if (!this.match) return null;
    return {
      seed: this.seed,
      targetScore: this.match.targetScore,
      seats: this.matchSeats,
      startedAt: this.startedAt,
      turnDeadline: this.state.turnDeadline,
    };
  }

  /** After a restart: replay the journaled actions of the current match and resume its timers. */
  protected override restoreGame(snapshot: unknown, events: unknown[]): void {
    const saved = snapshot as CaboSnapshot | null;
    if (!saved) return;
    this.seed = saved.seed;
    this.state.seedCommitment = seedCommitment(saved.seed);
    this.matchSeats = saved.seats;
    this.startedAt = saved.startedAt;
    this.log = events as LogEntry[];
    const init = { seed: saved.seed, players: saved.seats.map((seat) => seat.id), targetScore: saved.targetScore };
    this.match = replay(init, this.log).at(-1)!;
    for (const id of init.players) this.ensureSlots(id);
    this.mirror([]);
    const m = this.match;
    if (m.phase === 'matchOver') this.state.ranking = new ArraySchema<string>(...(m.ranking ?? []));
    else if (m.phase === 'setup') this.startSetupTimer();
    else if (m.phase === 'roundOver') this.schedulePause();
    else if (m.turn) {
      const deadline = saved.turnDeadline > 0 ? Math.max(saved.turnDeadline, Date.now()) : Date.now() + this.options.turnSeconds * 1000;
      this.turnTimer.startUntil(m.turn, deadline + RESTORE_GRACE_SECONDS * 1000, this.options.turnSeconds);
    }
  }

  protected override async onTurnTimeout(userId: string): Promise<void> {
    if (this.state.phase === 'playing') await this.system({ type: 'timeout', playerId: userId });
  }

  protected override onForfeit(userId: string, _reason: ForfeitReason): void {
    const player = this.match?.players.find((p) => p.id === userId);
    if (!player || player.forfeited || this.state.phase !== 'playing') return;
    // Seat changes arrive outside the message queue: the forfeit takes its turn like any action.
    this.runSystemTask(async () => {
      const current = this.match?.players.find((p) => p.id === userId);
      if (current && !current.forfeited && this.state.phase === 'playing') await this.system({ type: 'forfeit', playerId: userId });
    });
  }

  protected override onSessionReady(client: Client, userId: string, role: Role): void {
    client.view = new StateView();
    this.refreshView(client, role === 'player' ? userId : null);
  }

  // ---- engine → Schema ----------------------------------------------------------------------

  private ensureSlots(userId: string): void {
    const player = this.playerState(userId);
    if (!player) return;
    while (player.hand.length < HAND_SIZE) player.hand.push(new CardState());
  }

  private playerState(userId: string): CaboPlayerState | undefined {
    return this.state.players.get(userId) as CaboPlayerState | undefined;
  }

  /** Opaque id of a card for this round (random, stable while the card is out of the deck). */
  private opaqueId(cardId: CardId): string {
    let id = this.cardIds.get(cardId);
    if (!id) {
      id = crypto.randomBytes(6).toString('base64url');
      this.cardIds.set(cardId, id);
    }
    return id;
  }

  /** Copies the engine state into Schema, then brings every client's view up to date. */
  private mirror(events: CaboEvent[]): void {
    const m = this.match!;
    if (events.some((event) => event.type === 'round_started')) this.cardIds.clear();
    // A card back in the deck (reshuffle) gets a new id when it comes out again, so nobody can
    // recognise a card they saw face-up earlier.
    for (const cardId of m.deck) this.cardIds.delete(cardId);

    const state = this.state;
    state.round = m.round;
    state.roundPhase = m.phase;
    state.turnPhase = m.turnPhase ?? '';
    state.pendingPower = m.pendingPower ?? '';
    state.drawnFrom = m.drawn?.source ?? '';
    state.caboCaller = m.caboCaller ?? '';
    state.deckCount = m.deck.length;
    state.discardCount = m.discard.length;
    const top = discardTop(m);
    state.discardTop = top === null ? -1 : cardValue(top);
    state.discardTopId = top === null ? '' : this.opaqueId(top);

    for (const p of m.players) {
      const player = this.playerState(p.id);
      if (!player) continue;
      this.ensureSlots(p.id);
      p.hand.forEach((cardId, index) => this.fillSlot(player.hand[index], cardId));
      player.handCount = p.hand.length;
      this.fillSlot(player.drawn, m.drawn && m.turn === p.id ? m.drawn.cardId : null);
      player.score = p.score ?? -1;
      player.total = p.total;
      player.forfeited = p.forfeited;
      player.timeouts = p.timeouts;
      player.ready = p.ready;
    }

    const first = events[0];
    if (first?.type === 'action') this.setLastAction(first.action);
    this.refreshViews();
  }

  private fillSlot(slot: CardState, cardId: CardId | null): void {
    slot.id = cardId === null ? '' : this.opaqueId(cardId);
    slot.value = cardId === null ? -1 : cardValue(cardId);
  }

  private setLastAction(action: PublicAction): void {
    const last = this.state.lastAction;
    last.assign({
      seq: last.seq + 1,
      playerId: action.playerId ?? '',
      type: action.type,
      source: action.source ?? '',
      index: action.index ?? -1,
      targetId: action.targetId ?? '',
      targetIndex: action.targetIndex ?? -1,
      value: action.value ?? -1,
    });
  }

  private refreshViews(): void {
    for (const { client, userId, role } of this.connectedSessions()) this.refreshView(client, role === 'player' ? userId : null);
  }

  /**
   * Makes `client.view` hold exactly the slots whose current card `viewer` may see (null =
   * spectator). Removing a slot from a view makes the client drop its value (decoded as absent).
   */
  private refreshView(client: Client, viewer: PlayerId | null): void {
    const view = client.view;
    const m = this.match;
    if (!view || !m) return;
    const visible = new Set(visibleCardIds(m, viewer));
    const show = (slot: CardState, cardId: CardId | null) => {
      const allowed = cardId !== null && visible.has(cardId);
      if (allowed && !view.has(slot)) view.add(slot);
      else if (!allowed && view.has(slot)) view.remove(slot);
    };
    for (const p of m.players) {
      const player = this.playerState(p.id);
      if (!player || player.hand.length < p.hand.length) continue;
      p.hand.forEach((cardId, index) => show(player.hand[index], cardId));
      show(player.drawn, m.drawn && m.turn === p.id ? m.drawn.cardId : null);
    }
  }

  // ---- timers and match end -------------------------------------------------------------------

  private react(events: CaboEvent[]): void {
    const m = this.match!;
    for (const event of events) {
      switch (event.type) {
        case 'round_started':
          this.startSetupTimer();
          break;
        case 'setup_ended':
          this.clearSetupTimer();
          break;
        case 'round_over':
          this.roundOver(event);
          break;
        case 'match_over':
          return this.gameOver(event.ranking, event.totals);
        default:
          break;
      }
    }
    if (m.phase === 'turn' && m.turn) {
      if (events.some((event) => event.type === 'turn_started') || this.state.turn !== m.turn) {
        this.turnTimer.start(m.turn, this.options.turnSeconds);
      }
    } else if (this.state.turn !== '') {
      this.turnTimer.stop();
    }
  }

  private startSetupTimer(): void {
    this.clearSetupTimer();
    const ms = this.options.setupSeconds * 1000;
    this.state.setupEndsAt = Date.now() + ms;
    this.setupTimer = this.later(ms, async () => {
      this.setupTimer = undefined;
      if (this.match?.phase === 'setup') await this.system({ type: 'end_setup' });
    });
  }

  private clearSetupTimer(): void {
    this.setupTimer?.clear();
    this.setupTimer = undefined;
    this.state.setupEndsAt = 0;
  }

  private roundOver(event: Extract<CaboEvent, { type: 'round_over' }>): void {
    const nextRoundAt = this.match!.phase === 'matchOver' ? 0 : this.schedulePause();
    const message: CaboServerMessages['round_over'] = {
      round: event.round,
      caller: event.caller,
      hands: event.hands,
      scores: event.scores,
      totals: event.totals,
      nextRoundAt,
    };
    this.broadcast('round_over', message);
  }

  /** The pause between a round's reveal and the next deal; returns when it ends (epoch ms). */
  private schedulePause(): number {
    const ms = this.options.roundPauseSeconds * 1000;
    this.pauseTimer?.clear();
    this.pauseTimer = this.later(ms, async () => {
      this.pauseTimer = undefined;
      this.state.nextRoundAt = 0;
      if (this.match?.phase === 'roundOver') await this.system({ type: 'next_round' });
    });
    this.state.nextRoundAt = Date.now() + ms;
    return this.state.nextRoundAt;
  }

  private gameOver(ranking: string[], totals: Record<string, number>): void {
    const m = this.match!;
    this.clearTimers();
    this.state.ranking = new ArraySchema<string>(...ranking);
    this.finishMatch();
    const rounds: CaboRoundSummary[] = m.rounds.map((r) => ({ round: r.round, caller: r.caller, hands: r.hands, scores: r.scores }));
    const message: CaboServerMessages['game_over'] = { ranking, totals, rounds, seed: this.seed };
    this.broadcast('game_over', message);
    const record: CaboArchiveRecord = {
      game: 'cabo',
      code: this.roomId,
      seats: this.matchSeats,
      seed: this.seed,
      seedCommitment: this.state.seedCommitment,
      targetScore: m.targetScore,
      actions: this.log.slice(),
      rounds,
      totals,
      ranking,
      startedAt: this.startedAt,
      endedAt: Date.now(),
    };
    archive.submit({
      game: 'cabo',
      code: record.code,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      participants: record.seats.map((seat) => ({ userId: seat.id, name: seat.name })),
      result: { ranking, totals },
      data: record,
    });
  }

  private clearTimers(): void {
    this.clearSetupTimer();
    this.pauseTimer?.clear();
    this.pauseTimer = undefined;
    this.state.nextRoundAt = 0;
  }
}
