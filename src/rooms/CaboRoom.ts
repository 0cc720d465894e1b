/**
 * The `cabo` room (SPEC §5): the engine host runs the pure rules (src/games/cabo); this file only
 * mirrors them into Schema. Card values are `@view()` fields: each client's StateView holds the
 * card slots its player knows (`visible`), and card ids are opaque random strings per round.
 */
import { ArraySchema } from '@colyseus/schema';
import { cardValue, discardTop, HAND_SIZE, type CaboAction, type CaboEvent, type CaboState as Match, type CardId, type PublicAction } from '../games/cabo';
import { caboEngine, type CaboOptions } from '../games/cabo/engine';
import { caboArchive, caboArchiveRecord, caboResult } from '../games/cabo/archive';
import { randomId } from '../util/randomId';
import { EngineRoom, type Match as HostedMatch } from './EngineRoom';
import { buildOptionSchemas, type BaseRoomOptions } from './options';
import { CaboPlayerState, CaboState, CardState } from './schema/CaboState';
import { caboMessages, caboOptionShape, type CaboServerMessages } from '../protocol/cabo';
import type { GameDefinition } from '../matchmaking/registry';

export type CaboRoomOptions = BaseRoomOptions & CaboOptions;

export class CaboRoom extends EngineRoom<CaboState, Match, CaboAction, CaboEvent, CaboOptions, CaboRoomOptions> {
  static override optionSchemas = buildOptionSchemas({ seatRange: [2, 6], maxPlayers: 4, minPlayers: 2, turnSeconds: 30 }, caboOptionShape);
  protected readonly engine = caboEngine;
  protected readonly messages = caboMessages;
  /** Engine card id → opaque id for this round; dropped when a card returns to the deck. */
  private readonly cardIds = new Map<CardId, string>();
  /** Engine card id → the slot (hand position or drawn card) holding it now. */
  private readonly slots = new Map<string, CardState>();

  protected createState() {
    return new CaboState();
  }

  override createPlayer() {
    return new CaboPlayerState();
  }

  protected override onOptionsApplied() {
    this.state.config.assign(this.matchOptions());
  }

  protected matchOptions(): CaboOptions {
    const { setupSeconds, targetScore, roundPauseSeconds } = this.options;
    return { setupSeconds, targetScore, roundPauseSeconds };
  }

  protected override secretSlot(id: string) {
    return this.slots.get(id);
  }

  protected mirror(m: Match, events: CaboEvent[]) {
    if (events.some((event) => event.type === 'round_started')) this.cardIds.clear();
    if (events.some((event) => event.type === 'round_started' && event.round === 1 && m.rounds.length === 0)) this.newMatchState();
    // A card back in the deck (reshuffle) gets a new id when it comes out again.
    for (const cardId of m.deck) this.cardIds.delete(cardId);
    const top = discardTop(m);
    this.state.assign({
      round: m.round, roundPhase: m.phase, turnPhase: m.turnPhase ?? '', pendingPower: m.pendingPower ?? '', drawnFrom: m.drawn?.source ?? '',
      caboCaller: m.caboCaller ?? '', deckCount: m.deck.length, discardCount: m.discard.length,
      discardTop: top === null ? -1 : cardValue(top), discardTopId: top === null ? '' : this.opaqueId(top),
      setupEndsAt: this.phaseDeadline('setup'), nextRoundAt: this.phaseDeadline('pause'),
    });
    this.slots.clear();
    for (const p of m.players) {
      const player = this.state.players.get(p.id) as CaboPlayerState | undefined;
      if (!player) continue;
      while (player.hand.length < HAND_SIZE) player.hand.push(new CardState());
      p.hand.forEach((cardId, index) => this.fill(player.hand[index], cardId));
      this.fill(player.drawn, m.drawn && m.turn === p.id ? m.drawn.cardId : null);
      player.assign({ handCount: p.hand.length, score: p.score ?? -1, total: p.total, forfeited: p.forfeited, timeouts: p.timeouts, ready: p.ready });
    }
    if (events[0]?.type === 'action') this.setLastAction(events[0].action);
    if (m.ranking) this.state.ranking = new ArraySchema<string>(...m.ranking);
  }

  /** A new match: no ranking, no last action. */
  private newMatchState() {
    this.state.ranking = new ArraySchema<string>();
    this.state.lastAction.assign({ seq: 0, playerId: '', type: '', source: '', index: -1, targetId: '', targetIndex: -1, value: -1 });
  }

  private fill(slot: CardState, cardId: CardId | null) {
    slot.id = cardId === null ? '' : this.opaqueId(cardId);
    slot.value = cardId === null ? -1 : cardValue(cardId);
    if (cardId !== null) this.slots.set(String(cardId), slot);
  }

  /** Opaque id of a card for this round (random, stable while the card is out of the deck). */
  private opaqueId(cardId: CardId) {
    let id = this.cardIds.get(cardId);
    if (!id) {
      id = randomId(6);
      this.cardIds.set(cardId, id);
    }
    return id;
  }

  private setLastAction({ playerId, type, source, index, targetId, targetIndex, value }: PublicAction) {
    const last = this.state.lastAction;
    last.assign({ seq: last.seq + 1, playerId: playerId ?? '', type, source: source ?? '', index: index ?? -1 });
    last.assign({ targetId: targetId ?? '', targetIndex: targetIndex ?? -1, value: value ?? -1 });
  }

  protected override announce(events: CaboEvent[]) {
    for (const event of events) {
      if (event.type !== 'round_over') continue;
      const { round, caller, hands, scores, totals } = event;
      const message: CaboServerMessages['round_over'] = { round, caller, hands, scores, totals, nextRoundAt: this.phaseDeadline('pause') };
      this.broadcast('round_over', message);
    }
  }

  protected override gameOver(m: Match) {
    return caboResult(m);
  }

  protected archiveRecord(match: HostedMatch<Match, CaboAction, CaboOptions>, endedAt: number) {
    return caboArchiveRecord(this.roomId, match, endedAt);
  }
}

export const cabo: GameDefinition = { name: 'cabo', room: CaboRoom, archive: caboArchive };
