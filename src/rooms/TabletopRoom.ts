/**
 * `tabletop`: a role-playing session (SPEC §6) on the GameRoom base. The GM (the creator, or any
 * user whose token has the `gm` role) runs it; players chat, whisper, roll dice, act and take
 * turns; spectators read the public log.
 *
 * Session model: the session is `playing` from creation (chat works at once) until the room
 * closes; players may take free seats at any time, `start`/`rematch`/`configure` answer
 * GAME_ALREADY_STARTED. A player who leaves for good (consented leave, reconnection window
 * expired, kicked) frees their seat; their character name is remembered for the session.
 *
 * Visibility: every log entry lives in the `@view()` map `state.log` and is added to exactly the
 * StateViews of its audience (`games/tabletop/visibility`): public entries to every client,
 * whispers and secret rolls to their members and GMs only. Nothing is broadcast as a message, so
 * a private entry never reaches anyone else, in patches or otherwise. Views are rebuilt whenever
 * a session becomes ready (join, reconnection, seat reclaim).
 *
 * One workaround lives here (see its comment): `EncodeCapacity` (schema 3.0.x corrupts view
 * encodes > 8 KB).
 */
import crypto from 'crypto';
import type { Client } from '@colyseus/core';
import { ArraySchema, StateView } from '@colyseus/schema';
import { GameRoom, type BaseRoomOptions, type ForfeitReason } from './GameRoom';
import { buildOptionSchemas } from './options';
import { archive } from './archive';
import { LogEntryState, RollState, RollTermState, TabletopPlayerState, TabletopState } from './schema/TabletopState';
import { tabletopMessages } from '../protocol/tabletop';
import { ArenaError } from '../protocol/errors';
import { roll, type RollResult } from '../games/tabletop/dice';
import * as turns from '../games/tabletop/turns';
import { archivedAudience, canSee, privateAudience, PUBLIC, type Audience } from '../games/tabletop/visibility';
import { arena } from '../context';

/** Entries kept in `state.log` (private ones included). */
export const MAX_LOG_ENTRIES = 200;
/** Entries kept for the archive; older ones are dropped and counted (`droppedEntries`). */
export const MAX_ARCHIVED_ENTRIES = 20_000;
/** …and at most this much of them (by their encoded size), so a roll flood cannot exhaust memory. */
export const MAX_ARCHIVED_BYTES = 8 * 1024 * 1024;
/** Token role that makes a user GM in every session they join. */
export const GM_ROLE = 'gm';

export type LogKind =
  | 'join' | 'leave' | 'chat' | 'whisper' | 'roll' | 'narrate' | 'action'
  | 'character' | 'turn_order' | 'turn' | 'combat';

type Role = 'player' | 'spectator';

interface EntryInput {
  kind: LogKind;
  from: string;
  name?: string;
  to?: string;
  text?: string;
  details?: string;
  roll?: RollResult;
  audience: Audience;
}

/** One log entry as kept for the archive (plain JSON). */
export interface SessionLogEntry {
  seq: number;
  kind: LogKind;
  from: string;
  name: string;
  to: string;
  text: string;
  details: string;
  roll?: RollResult;
  at: number;
  private: boolean;
  audience: Audience;
}

/** One journaled event: a log entry, and the turn state or character it set (exact after a restart). */
interface JournalEvent {
  entry: SessionLogEntry;
  turns?: turns.TurnState;
  character?: { userId: string; name: string };
}

/** The tabletop part of the room snapshot. */
interface TabletopSnapshot {
  startedAt: number;
  participants: SessionParticipant[];
  gmIds: string[];
  droppedEntries: number;
}

export interface SessionParticipant {
  id: string;
  name: string;
  isGM: boolean;
  character: string;
  /** Epoch ms of their first seat in this session. */
  joinedAt: number;
}

const randomInt = (maxExclusive: number) => crypto.randomInt(maxExclusive);

export class TabletopRoom extends GameRoom<TabletopState, BaseRoomOptions> {
  static override optionSchemas = buildOptionSchemas({ seatRange: [1, 12], maxPlayers: 8, minPlayers: 1, turnSeconds: 30 }, {});

  protected override acceptsPlayersDuringMatch = true;

  /** Live entries of `state.log` (insertion order = oldest first) and who may see each. */
  private readonly live = new Map<LogEntryState, Audience>();
  /** Every entry of the session, for the archive. */
  private readonly history: SessionLogEntry[] = [];
  /** Encoded-size bound of each history entry (parallel to `history`) and their sum. */
  private readonly historySizes: number[] = [];
  private historyBytes = 0;
  private droppedEntries = 0;
  private seq = 0;
  /** Upper bound of the encoded size of every live entry. */
  private liveBytes = 0;
  private readonly characters = new Map<string, string>();
  private readonly participants = new Map<string, SessionParticipant>();
  /** Everyone who was GM at some point of the session (archived audiences include them). */
  private readonly gmIds = new Set<string>();
  private turnState: turns.TurnState = turns.initialTurnState;
  private archived = false;
  private readonly capacity = new EncodeCapacity(() => (this as unknown as { _serializer?: unknown })._serializer);

  // ---- lifecycle ----------------------------------------------------------------------------

  protected createState(): TabletopState {
    const state = new TabletopState();
    state.phase = 'playing';
    state.startedAt = Date.now();
    return state;
  }

  protected override createPlayer(): TabletopPlayerState {
    return new TabletopPlayerState();
  }

  /** Never called: the session is `playing` from creation, so `start`/`rematch` are refused. */
  protected onMatchStart(): void {}

  protected override onSeatTaken(userId: string): void {
    const name = this.player(userId)?.name ?? '';
    // Seat changes arrive outside the message queue; the entry takes its turn like any message.
    void this.dispatcher.exclusive(() => this.append({ kind: 'join', from: userId, name, audience: PUBLIC }));
  }

  protected override onSessionReady(client: Client, userId: string, role: Role, roles: readonly string[]): void {
    if (role === 'player') {
      const player = this.player(userId);
      if (player) {
        player.isGM = userId === this.creator || roles.includes(GM_ROLE);
        player.character = this.characters.get(userId) ?? '';
        if (player.isGM) this.gmIds.add(userId);
        const known = this.participants.get(userId);
        this.participants.set(userId, {
          id: userId,
          name: player.name,
          isGM: player.isGM || (known?.isGM ?? false),
          character: player.character,
          joinedAt: known?.joinedAt ?? Date.now(),
        });
      }
    }
    const view = new StateView();
    const viewer = { userId, role, isGM: this.viewerIsGM(userId, role) };
    let bytes = 0;
    for (const [entry, audience] of this.live) {
      if (!canSee(audience, viewer)) continue;
      view.add(entry);
      bytes += encodedSizeBound(entry);
    }
    client.view = view;
    this.capacity.pending(bytes);
  }

  /**
   * The full state already holds everything the view shows: drop the view's pending additions
   * so the next patch does not send the whole visible log a second time.
   */
  protected override sendFullState(client: Client): void {
    this.capacity.ensureFullState(this.liveBytes);
    super.sendFullState(client);
    client.view?.changes.clear();
  }

  override onBeforePatch(): void {
    this.capacity.ensurePatch(this.clients.length);
  }

  /** A player left for good (the base freed the seat): log it, fix the turn order. */
  protected override onSeatReleased(userId: string, reason: ForfeitReason): void {
    const name = this.participants.get(userId)?.name ?? '';
    void this.dispatcher.exclusive(async () => {
      await this.append({ kind: 'leave', from: userId, name, text: reason, audience: PUBLIC });
      const removed = turns.removeFromOrder(this.turnState, userId);
      await this.applyTurns(removed.state, removed.events, '');
    });
  }

  /** The session ends when the room closes, unless the server is only restarting. */
  override async onDispose(): Promise<void> {
    if (!this.closingForRestart) this.submitArchive();
    await super.onDispose();
  }

  protected override gameSnapshot(): TabletopSnapshot {
    return {
      startedAt: this.state.startedAt,
      participants: [...this.participants.values()],
      gmIds: [...this.gmIds],
      droppedEntries: this.droppedEntries,
    };
  }

  /** After a restart: the session's entries, turn order and characters, exactly as journaled. */
  protected override restoreGame(snapshot: unknown, events: unknown[]): void {
    const saved = snapshot as TabletopSnapshot;
    this.state.startedAt = saved.startedAt;
    for (const participant of saved.participants) this.participants.set(participant.id, participant);
    for (const id of saved.gmIds) this.gmIds.add(id);
    this.droppedEntries = saved.droppedEntries;
    let turnState = this.turnState;
    for (const event of events as JournalEvent[]) {
      this.show(event.entry);
      if (event.turns) turnState = event.turns;
      if (event.character) this.characters.set(event.character.userId, event.character.name);
    }
    this.mirrorTurns(turnState);
    for (const [userId, name] of this.characters) {
      const player = this.player(userId);
      if (player) player.character = name;
    }
  }

  // ---- messages -----------------------------------------------------------------------------

  protected override registerMessages(): void {
    const m = tabletopMessages;
    this.handle('chat', m.chat, 'player', async ({ userId }, { text }) => {
      await this.append({ kind: 'chat', from: userId, text, audience: PUBLIC });
    });

    this.handle('whisper', m.whisper, 'player', async ({ userId }, { to, text }) => {
      if (to === userId) throw new ArenaError('INVALID_ACTION', 'you cannot whisper to yourself');
      if (!this.player(to)) throw new ArenaError('INVALID_ACTION', 'you can only whisper to a seated player');
      await this.append({ kind: 'whisper', from: userId, to, text, audience: privateAudience(userId, to) });
    });

    this.handle('roll', m.roll, 'player', async ({ userId }, { formula, label, secret }) => {
      const outcome = roll(formula, randomInt);
      if (!outcome.ok) throw new ArenaError('INVALID_FORMULA', outcome.message);
      await this.append({
        kind: 'roll',
        from: userId,
        text: label ?? '',
        roll: outcome.result,
        audience: secret ? privateAudience(userId) : PUBLIC,
      });
    });

    this.handle('narrate', m.narrate, 'player', async ({ userId }, { text }) => {
      this.requireGM(userId, 'only the GM can narrate');
      await this.append({ kind: 'narrate', from: userId, text, audience: PUBLIC });
    });

    this.handle('action', m.action, 'player', async ({ userId }, { kind, details }) => {
      await this.append({ kind: 'action', from: userId, text: kind, details: details ?? '', audience: PUBLIC });
    });

    this.handle('set_character', m.set_character, 'player', async ({ userId }, { name, userId: target = userId }) => {
      if (target !== userId) this.requireGM(userId, "only the GM can name another player's character");
      const player = this.player(target);
      if (!player) throw new ArenaError('INVALID_ACTION', 'no such seated player');
      await this.append({ kind: 'character', from: userId, to: target, text: name, audience: PUBLIC }, { character: { userId: target, name } });
      player.character = name;
      this.characters.set(target, name);
      const participant = this.participants.get(target);
      if (participant) participant.character = name;
    });

    this.handle('set_turn_order', m.set_turn_order, 'player', async ({ userId }, { order }) => {
      await this.applyTurnResult(turns.setTurnOrder(this.turnState, this.actor(userId), order, this.seatedPlayers()), userId);
    });

    this.handle('next_turn', m.next_turn, 'player', async ({ userId }) => {
      await this.applyTurnResult(turns.nextTurn(this.turnState, this.actor(userId)), userId);
    });

    this.handle('combat', m.combat, 'player', async ({ userId }, { active, round }) => {
      await this.applyTurnResult(turns.setCombat(this.turnState, this.actor(userId), active, round), userId);
    });
  }

  // ---- log ----------------------------------------------------------------------------------

  /**
   * Writes an entry: journaled first (with the turn state or character it sets), then into
   * `state.log` (dropping the oldest beyond the cap), the views of its audience, and the history.
   */
  private async append(input: EntryInput, sets: Omit<JournalEvent, 'entry'> = {}): Promise<void> {
    const entry: SessionLogEntry = {
      seq: this.seq + 1,
      kind: input.kind,
      from: input.from,
      name: input.name ?? this.player(input.from)?.name ?? '',
      to: input.to ?? '',
      text: input.text ?? '',
      details: input.details ?? '',
      ...(input.roll && { roll: input.roll }),
      at: Date.now(),
      private: input.audience.private,
      audience: input.audience,
    };
    await this.journal.append({ entry, ...sets } satisfies JournalEvent);
    this.show(entry);
  }

  /** Puts a (journaled) entry into the live log, the views of its audience and the history. */
  private show(item: SessionLogEntry): void {
    this.seq = item.seq;
    const entry = new LogEntryState();
    entry.seq = item.seq;
    entry.kind = item.kind;
    entry.from = item.from;
    entry.name = item.name;
    entry.to = item.to;
    entry.text = item.text;
    entry.details = item.details;
    entry.isPrivate = item.private;
    entry.at = item.at;
    if (item.roll) entry.roll = rollState(item.roll);

    const sessions = this.connectedSessions();
    while (this.live.size >= MAX_LOG_ENTRIES) {
      const oldest = this.live.keys().next().value as LogEntryState;
      this.live.delete(oldest);
      this.liveBytes -= encodedSizeBound(oldest);
      this.state.log.delete(String(oldest.seq));
      this.capacity.pending(DELETE_BYTES * sessions.length);
    }
    // Attached (with its whole roll detail) before any view.add, which needs attached instances.
    this.state.log.set(String(entry.seq), entry);
    this.live.set(entry, item.audience);
    const bytes = encodedSizeBound(entry);
    this.liveBytes += bytes;
    for (const { client, userId, role } of sessions) {
      if (!canSee(item.audience, { userId, role, isGM: this.viewerIsGM(userId, role) })) continue;
      client.view?.add(entry);
      this.capacity.pending(bytes);
    }

    this.history.push(item);
    this.historySizes.push(bytes);
    this.historyBytes += bytes;
    while (this.history.length > MAX_ARCHIVED_ENTRIES || (this.historyBytes > MAX_ARCHIVED_BYTES && this.history.length > 1)) {
      this.history.shift();
      this.historyBytes -= this.historySizes.shift() ?? 0;
      this.droppedEntries++;
    }
  }

  private submitArchive(): void {
    if (this.archived || this.participants.size === 0) return;
    this.archived = true;
    try {
      const participants = [...this.participants.values()].map((participant) => ({ ...participant }));
      const log = this.history.map((entry) => ({ ...entry, audience: archivedAudience(entry.audience, this.gmIds) }));
      const endedAt = Date.now();
      archive.submit({
        game: 'tabletop',
        code: this.roomId,
        startedAt: this.state.startedAt,
        endedAt,
        participants: participants.map(({ id, name }) => ({ userId: id, name })),
        result: { entries: log.length },
        data: { game: 'tabletop', code: this.roomId, participants, log, droppedEntries: this.droppedEntries, startedAt: this.state.startedAt, endedAt },
      });
    } catch (error) {
      arena().logger.error({ err: error, room: this.roomId }, 'archiving the tabletop session failed');
    }
  }

  // ---- turns --------------------------------------------------------------------------------

  private async applyTurnResult(result: turns.TurnResult, actorId: string): Promise<void> {
    if (!result.ok) throw new ArenaError(result.code, result.message);
    await this.applyTurns(result.state, result.events, actorId);
  }

  /** Logs the turn events (each journaled with the resulting turn state), then mirrors that state. */
  private async applyTurns(next: turns.TurnState, events: turns.TurnEvent[], actorId: string): Promise<void> {
    for (const event of events) {
      if (event.type === 'order') {
        await this.append({ kind: 'turn_order', from: actorId, details: JSON.stringify(event.order), audience: PUBLIC }, { turns: next });
      } else if (event.type === 'turn') {
        const details = JSON.stringify({ index: event.index, round: event.round });
        await this.append({ kind: 'turn', from: actorId, to: event.userId, details, audience: PUBLIC }, { turns: next });
      } else {
        const details = JSON.stringify({ active: event.change !== 'end', round: event.round });
        await this.append({ kind: 'combat', from: actorId, text: event.change, details, audience: PUBLIC }, { turns: next });
      }
    }
    this.mirrorTurns(next);
  }

  private mirrorTurns(next: turns.TurnState): void {
    const orderChanged = next.order.length !== this.state.turnOrder.length || next.order.some((id, i) => this.state.turnOrder[i] !== id);
    this.turnState = next;
    if (orderChanged) this.state.turnOrder = new ArraySchema<string>(...next.order);
    this.state.turnIndex = next.index;
    this.state.turn = turns.currentTurn(next);
    this.state.combat = next.combat;
    this.state.combatRound = next.round;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private player(userId: string): TabletopPlayerState | undefined {
    return this.state.players.get(userId) as TabletopPlayerState | undefined;
  }

  private actor(userId: string): turns.Actor {
    return { userId, isGM: this.player(userId)?.isGM === true };
  }

  private requireGM(userId: string, message: string): void {
    if (!this.player(userId)?.isGM) throw new ArenaError('GM_ONLY', message);
  }

  /** GM powers (and sight of every private entry) belong to seated GMs only. */
  private viewerIsGM(userId: string, role: Role): boolean {
    return role === 'player' && this.player(userId)?.isGM === true;
  }
}

/** A dice result as schema (built detached; attached to state as one tree). */
function rollState(result: RollResult): RollState {
  const state = new RollState();
  state.formula = result.formula;
  state.modifier = result.modifier;
  state.total = result.total;
  for (const term of result.terms) {
    const schema = new RollTermState();
    schema.kind = term.kind;
    schema.sign = term.sign;
    if (term.kind === 'dice') {
      schema.count = term.count;
      schema.sides = term.sides;
      schema.keep = term.keep?.mode ?? '';
      schema.keepCount = term.keep?.count ?? 0;
      schema.dice.push(...term.dice.map((die) => die.value));
      schema.kept.push(...term.dice.map((die) => die.kept));
      schema.subtotal = term.subtotal;
    } else {
      schema.value = term.value;
      schema.subtotal = term.sign * term.value;
    }
    state.terms.push(schema);
  }
  return state;
}

/** Upper bound of an entry's encoded size in bytes (field ops, lengths, refIds, map key), roll detail included. */
export function encodedSizeBound(entry: LogEntryState): number {
  let bytes = 96;
  for (const text of [entry.kind, entry.from, entry.name, entry.to, entry.text, entry.details]) bytes += Buffer.byteLength(text) + 6;
  if (entry.roll) {
    bytes += 64 + Buffer.byteLength(entry.roll.formula);
    for (const term of entry.roll.terms) bytes += 96 + term.dice.length * 16;
  }
  return bytes;
}

/** Bytes a removal costs in one client's patch. */
const DELETE_BYTES = 16;
/** Allowance for everything in the state besides the log (players, config, turns) and per-client framing. */
const BASE_BYTES = 32 * 1024;
const PER_CLIENT_BYTES = 256;

interface SerializerBuffers {
  encoder?: { sharedBuffer?: Buffer };
  fullEncodeBuffer?: Buffer;
  needFullEncode?: boolean;
}

/**
 * WORKAROUND for @colyseus/schema 3.0.x with StateViews: when an encode outgrows its buffer
 * (8 KB by default) the encoder re-encodes into a larger buffer, but `encodeView`/`encodeAllView`
 * and Colyseus' SchemaSerializer keep using the old buffer and offsets, so clients with a view
 * get a truncated, undecodable patch or full state (and the state stops syncing). A patch also
 * holds the view part of every client one after the other. A session log easily exceeds 8 KB, so
 * this room grows its own serializer buffers before each patch and full state to an upper bound
 * of what the encode can need (entries written since the last patch, per receiving client).
 */
class EncodeCapacity {
  private pendingBytes = 0;

  constructor(private readonly serializer: () => unknown) {}

  /** Bytes the next patch may need for log changes. */
  pending(bytes: number): void {
    this.pendingBytes += bytes;
  }

  ensurePatch(clients: number): void {
    const need = BASE_BYTES + clients * PER_CLIENT_BYTES + this.pendingBytes;
    this.pendingBytes = 0;
    const buffers = this.buffers();
    if (buffers?.encoder?.sharedBuffer && buffers.encoder.sharedBuffer.length < need) {
      buffers.encoder.sharedBuffer = grown(buffers.encoder.sharedBuffer, need);
    }
  }

  ensureFullState(logBytes: number): void {
    const need = BASE_BYTES + logBytes;
    const buffers = this.buffers();
    if (buffers?.fullEncodeBuffer && buffers.fullEncodeBuffer.length < need) {
      buffers.fullEncodeBuffer = grown(buffers.fullEncodeBuffer, need);
      buffers.needFullEncode = true; // the cached shared part lived in the old buffer
    }
  }

  private buffers(): SerializerBuffers | undefined {
    const serializer = this.serializer();
    return serializer && typeof serializer === 'object' ? (serializer as SerializerBuffers) : undefined;
  }
}

/** A larger buffer (next power of two ≥ need) starting with the old one's protocol byte. */
function grown(old: Buffer, need: number): Buffer {
  let size = old.length;
  while (size < need) size *= 2;
  const buffer = Buffer.allocUnsafe(size);
  buffer[0] = old[0];
  return buffer;
}
