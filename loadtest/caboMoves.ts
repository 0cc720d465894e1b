/**
 * Picks a legal Cabo move from what a client sees: its decoded room state (colyseus.js) or any
 * object of the same shape. Pure and synchronous, no Colyseus import: the load-test bot and the
 * benchmark both use it, and its unit test checks every choice against the rules engine.
 *
 * The policy is "random, with a little sense": call Cabo now and then, take a low discard top,
 * swap a drawn card for a known higher one, discard high deck draws (using their power), and
 * otherwise choose at random among the legal options. It only ever uses what the client can see
 * (`value` is undefined for cards its player does not know).
 */

/** A card slot as decoded: `value` is undefined unless this client's player knows the card. */
export interface CardView {
  id?: string;
  value?: number;
}

export interface CaboPlayerView {
  id: string;
  hand: ArrayLike<CardView | undefined>;
  handCount: number;
  drawn?: CardView;
  forfeited: boolean;
  ready: boolean;
}

/** The fields of the `cabo` room state the chooser reads (MapSchema and Map both fit `players`). */
export interface CaboView {
  phase: string;
  roundPhase: string;
  turn: string;
  turnPhase: string;
  pendingPower: string;
  drawnFrom: string;
  deckCount: number;
  discardCount: number;
  discardTop: number;
  caboCaller: string;
  players: { get(id: string): CaboPlayerView | undefined; forEach(callback: (player: CaboPlayerView, id: string) => void): void };
}

/** A message to send: `room.send(move.type, move.payload)`. */
export interface CaboMove {
  type: 'ready' | 'cabo' | 'draw' | 'swap' | 'discard' | 'peek' | 'spy' | 'blind_swap' | 'skip_power';
  payload: Record<string, string | number>;
}

export interface CaboPolicy {
  /** Chance to call Cabo at each draw step where it is allowed (0–1). */
  caboChance: number;
  /** Chance to skip a pending power instead of using it (0–1). */
  skipPowerChance: number;
}

export const DEFAULT_CABO_POLICY: CaboPolicy = { caboChance: 0.1, skipPowerChance: 0.2 };

/** Turn actions (not `ready`): the moves whose acknowledgement the benchmark times. */
export function isTurnMove(move: CaboMove): boolean {
  return move.type !== 'ready';
}

/**
 * The move `me` should send now, or null when it has nothing to do (not its turn, waiting for
 * others, match not running). `random` returns numbers in [0, 1) (Math.random or a seeded one).
 */
export function chooseCaboMove(view: CaboView, me: string, random: () => number = Math.random, policy: CaboPolicy = DEFAULT_CABO_POLICY): CaboMove | null {
  if (view.phase !== 'playing') return null;
  const self = view.players.get(me);
  if (!self || self.forfeited) return null;
  if (view.roundPhase === 'setup') return self.ready ? null : { type: 'ready', payload: {} };
  if (view.roundPhase !== 'turn' || view.turn !== me) return null;

  const count = Math.max(0, Math.min(self.handCount, self.hand.length));
  const indices = Array.from({ length: count }, (_, index) => index);
  const known = (index: number) => self.hand[index]?.value;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length) % items.length];

  switch (view.turnPhase) {
    case 'draw': {
      const canCabo = view.caboCaller === '';
      if (canCabo && random() < policy.caboChance) return { type: 'cabo', payload: {} };
      const canDeck = view.deckCount > 0;
      const canDiscard = view.discardCount > 0;
      if (canDiscard && view.discardTop >= 0 && view.discardTop <= 3 && (!canDeck || random() < 0.7)) {
        return { type: 'draw', payload: { source: 'discard' } };
      }
      if (canDeck) return { type: 'draw', payload: { source: 'deck' } };
      if (canDiscard) return { type: 'draw', payload: { source: 'discard' } };
      return canCabo ? { type: 'cabo', payload: {} } : null;
    }
    case 'drawn': {
      if (count === 0) return view.drawnFrom === 'deck' ? { type: 'discard', payload: {} } : null;
      const drawn = self.drawn?.value;
      // A known card of ours that is worse than the drawn one: replace it.
      let worst = -1;
      for (const index of indices) {
        const value = known(index);
        if (value !== undefined && drawn !== undefined && value > drawn && (worst < 0 || value > known(worst)!)) worst = index;
      }
      if (worst >= 0) return { type: 'swap', payload: { index: worst } };
      const fromDeck = view.drawnFrom === 'deck';
      if (fromDeck && (drawn === undefined || drawn >= 5)) return { type: 'discard', payload: {} };
      const unknown = indices.filter((index) => known(index) === undefined);
      if (drawn !== undefined && drawn <= 4 && unknown.length > 0) return { type: 'swap', payload: { index: pick(unknown) } };
      if (fromDeck && random() < 0.5) return { type: 'discard', payload: {} };
      return { type: 'swap', payload: { index: pick(indices) } };
    }
    case 'power': {
      if (random() < policy.skipPowerChance || count === 0) return { type: 'skip_power', payload: {} };
      const opponents = activeOpponents(view, me);
      switch (view.pendingPower) {
        case 'peek': {
          const unknown = indices.filter((index) => known(index) === undefined);
          return { type: 'peek', payload: { index: pick(unknown.length > 0 ? unknown : indices) } };
        }
        case 'spy': {
          if (opponents.length === 0) return { type: 'skip_power', payload: {} };
          const target = pick(opponents);
          return { type: 'spy', payload: { userId: target.id, index: pick(handIndices(target)) } };
        }
        case 'blind_swap': {
          if (opponents.length === 0) return { type: 'skip_power', payload: {} };
          const target = pick(opponents);
          // Give away our highest known card if we know one, else a random one.
          let own = pick(indices);
          for (const index of indices) if ((known(index) ?? -1) > (known(own) ?? -1)) own = index;
          return { type: 'blind_swap', payload: { index: own, userId: target.id, targetIndex: pick(handIndices(target)) } };
        }
        default:
          return { type: 'skip_power', payload: {} };
      }
    }
    default:
      return null;
  }
}

function activeOpponents(view: CaboView, me: string): CaboPlayerView[] {
  const opponents: CaboPlayerView[] = [];
  view.players.forEach((player, id) => {
    if (id !== me && !player.forfeited && Math.min(player.handCount, player.hand.length) > 0) opponents.push(player);
  });
  return opponents;
}

function handIndices(player: CaboPlayerView): number[] {
  return Array.from({ length: Math.min(player.handCount, player.hand.length) }, (_, index) => index);
}
