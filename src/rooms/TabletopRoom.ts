/**
 * `tabletop`: a role-playing session (SPEC §6). Its rules are pure (src/games/tabletop/session);
 * the engine host runs them from the room's creation until it closes. This file mirrors the
 * session into Schema: every log entry lives in the `@view()` map `state.log` and the host adds it
 * to exactly the StateViews of its audience, so a private entry never reaches anyone else.
 */
import { ArraySchema } from '@colyseus/schema';
import { tabletopEngine, type SessionAction, type SessionEvent, type SessionLogEntry, type SessionState } from '../games/tabletop/session';
import { archivedAudience } from '../games/tabletop/visibility';
import { tabletopArchive } from '../games/tabletop/archive';
import { EngineRoom, type Match } from './EngineRoom';
import { buildOptionSchemas, type BaseRoomOptions } from './options';
import { LogEntryState, TabletopPlayerState, TabletopState } from './schema/TabletopState';
import { tabletopMessages } from '../protocol/tabletop';
import type { GameDefinition } from '../matchmaking/registry';

/** Entries kept for the archive; older ones are dropped and counted (`droppedEntries`). */
export const MAX_ARCHIVED_ENTRIES = 20_000;
/** …and at most this much of them (JSON size), so a roll flood cannot exhaust memory. */
export const MAX_ARCHIVED_BYTES = 8 * 1024 * 1024;

type NoOptions = Record<string, never>;

export class TabletopRoom extends EngineRoom<TabletopState, SessionState, SessionAction, SessionEvent, NoOptions, BaseRoomOptions> {
  static override optionSchemas = buildOptionSchemas({ seatRange: [1, 12], maxPlayers: 8, minPlayers: 1, turnSeconds: 30 }, {});
  protected override acceptsPlayersDuringMatch = true;
  protected override readonly session = true;
  protected readonly engine = tabletopEngine;
  protected readonly messages = tabletopMessages;
  /** Live entries of `state.log`, by seq. */
  private readonly entries = new Map<string, LogEntryState>();
  /** Every entry of the session (within the archive's bounds), with each one's JSON size. */
  private readonly history: Array<{ entry: SessionLogEntry; bytes: number }> = [];
  private historyBytes = 0;
  private droppedEntries = 0;

  protected createState() {
    return new TabletopState();
  }

  override createPlayer() {
    return new TabletopPlayerState();
  }

  protected matchOptions(): NoOptions {
    return {};
  }

  protected override secretSlot(id: string) {
    return this.entries.get(id);
  }

  protected mirror(session: SessionState, events: SessionEvent[]) {
    for (const event of events) {
      if (event.type === 'entry') this.show(event.entry);
      else if (event.type === 'player' && event.player) (this.state.players.get(event.userId) as TabletopPlayerState | undefined)?.assign({ isGM: event.player.isGM, character: event.player.character });
    }
    const live = new Set(session.live.map((item) => String(item.seq)));
    for (const [seq, entry] of this.entries) {
      if (live.has(seq)) continue;
      this.entries.delete(seq);
      this.state.log.delete(entry.seq.toString());
    }
    const { order, index, combat, round } = session.turns;
    if (order.join() !== this.state.turnOrder.join()) this.state.turnOrder = new ArraySchema<string>(...order);
    this.state.assign({ turnIndex: index, combat, combatRound: round, startedAt: this.match?.startedAt ?? this.now() });
  }

  /** A new entry: into the live log (the host then puts it into its audience's views) and the history. */
  private show(item: SessionLogEntry) {
    const entry = LogEntryState.from(item);
    this.state.log.set(String(item.seq), entry);
    this.entries.set(String(item.seq), entry);
    const bytes = JSON.stringify(item).length;
    this.history.push({ entry: item, bytes });
    this.historyBytes += bytes;
    while (this.history.length > MAX_ARCHIVED_ENTRIES || (this.historyBytes > MAX_ARCHIVED_BYTES && this.history.length > 1)) {
      this.historyBytes -= this.history.shift()!.bytes;
      this.droppedEntries++;
    }
  }

  protected archiveRecord({ state: session, startedAt }: Match<SessionState, SessionAction, NoOptions>, endedAt: number) {
    const participants = session.participants.map(({ id, name, isGM, character, joinedAt }) => ({ id, name, isGM, character, joinedAt }));
    const gmIds = participants.filter((p) => p.isGM).map((p) => p.id);
    const log = this.history.map(({ entry }) => ({ ...entry, audience: archivedAudience(entry.audience, gmIds) }));
    return {
      participants: participants.map(({ id, name }) => ({ userId: id, name })),
      result: { entries: log.length },
      data: { game: 'tabletop', code: this.roomId, participants, log, droppedEntries: this.droppedEntries, startedAt, endedAt },
    };
  }
}

export const tabletop: GameDefinition = { name: 'tabletop', room: TabletopRoom, archive: tabletopArchive };
