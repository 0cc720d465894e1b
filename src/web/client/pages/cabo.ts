/**
 * The Cabo table. Everything shown comes from room state: your four cards (values only where
 * your player knows them), the other hands, deck, discard pile, your drawn card, whose turn it is
 * with its countdown, and the results. Buttons are enabled only when the action is legal for you
 * now (the same conditions as the rules' `legalActions`); the server still decides.
 */
import { h, render, countdown, notify, type Child } from '../dom';
import type { AppContext } from '../routes';
import { RoomShell, confirmButton } from './shell';
import { entries, list, type CaboGame } from '../types';
import type { RoomSession } from '../session';
import type { CaboPlayerView, CaboStateView, CardView } from '../../../protocol/cabo';

const POWER_OF: Record<number, string> = { 7: 'peek', 8: 'peek', 9: 'spy', 10: 'spy', 11: 'blind swap', 12: 'blind swap' };
/** The same, short enough for the corner of a card. */
const CARD_POWER: Record<number, string> = { 7: 'peek', 8: 'peek', 9: 'spy', 10: 'spy', 11: 'swap', 12: 'swap' };

export function mountCabo(main: HTMLElement, ctx: AppContext, rs: RoomSession<CaboGame>): () => void {
  const shell = new RoomShell<CaboGame>(ctx, rs, {
    seatRange: [2, 6],
    configFields: [
      { key: 'setupSeconds', label: 'Look time (s)', type: 'number', min: 1, max: 120 },
      { key: 'targetScore', label: 'Target score', type: 'number', min: 1, max: 1000 },
      { key: 'roundPauseSeconds', label: 'Pause between rounds (s)', type: 'number', min: 1, max: 30 },
    ],
    playerExtras: (player, state) => [
      state.round > 0 ? h('span', { class: 'score', title: 'Total score' }, `${player.total} pts`) : null,
      state.roundPhase === 'setup' && player.ready ? h('span', { class: 'badge ok' }, 'ready') : null,
      player.forfeited ? h('span', { class: 'badge out' }, 'out') : null,
      state.caboCaller === player.id ? h('span', { class: 'badge badge-cabo' }, 'Cabo!') : null,
    ],
  });
  const table = h('div', { class: 'cabo-table', 'data-testid': 'cabo-table' });
  shell.main.appendChild(table);
  main.replaceChildren(shell.root);

  /** Blind swap: your card chosen first, then an opponent's. */
  let selectedOwn: number | null = null;
  let selectionSeq = -1;

  const update = () => {
    const state = rs.state;
    if (!state?.config) return;
    if (state.lastAction.seq !== selectionSeq) {
      selectionSeq = state.lastAction.seq;
      selectedOwn = null;
    }
    shell.update();
    render(table, renderTable(state));
  };

  const names = (state: CaboStateView) => (id: string | null | undefined) => (id ? (state.players.get(id)?.name ?? 'someone') : 'nobody');

  function renderTable(state: CaboStateView): Child {
    const me = rs.me;
    const name = names(state);
    const mine = rs.isPlayer ? state.players.get(me) : undefined;
    const seats = entries<CaboPlayerView>(state.players)
      .map(([, player]) => player)
      .sort((a, b) => a.seat - b.seat);
    const others = seats.filter((player) => player.id !== me);

    if (state.phase === 'waiting' || state.round === 0) return waitingView(state);

    const active = state.phase === 'playing';
    const alive = Boolean(mine && !mine.forfeited && active);
    const myTurn = alive && state.roundPhase === 'turn' && state.turn === me;
    const step = myTurn ? state.turnPhase : '';
    const power = step === 'power' ? state.pendingPower : '';
    const can = {
      ready: alive && state.roundPhase === 'setup' && !mine!.ready,
      cabo: step === 'draw' && state.caboCaller === '',
      drawDeck: step === 'draw' && state.deckCount > 0,
      drawDiscard: step === 'draw' && state.discardCount > 0,
      swap: step === 'drawn',
      discard: step === 'drawn' && state.drawnFrom === 'deck',
      skip: step === 'power',
      resign: alive && state.roundPhase !== 'matchOver',
    };
    const ownClickable = can.swap || power === 'peek' || power === 'blind_swap';
    const opponentClickable = (player: CaboPlayerView) =>
      !player.forfeited && (power === 'spy' || (power === 'blind_swap' && selectedOwn !== null));

    const clickOwn = (index: number) => {
      if (can.swap) shell.send('swap', { index });
      else if (power === 'peek') shell.send('peek', { index });
      else if (power === 'blind_swap') {
        selectedOwn = selectedOwn === index ? null : index;
        update();
      }
    };
    const clickOpponent = (player: CaboPlayerView, index: number) => {
      if (power === 'spy') shell.send('spy', { userId: player.id, index });
      else if (power === 'blind_swap' && selectedOwn !== null) shell.send('blind_swap', { index: selectedOwn, userId: player.id, targetIndex: index });
    };

    const drawer = state.turn ? state.players.get(state.turn) : undefined;
    const drawnCard = drawer && drawer.drawn?.id ? drawer.drawn : undefined;

    return [
      h('div', { class: `turn-line${myTurn ? ' mine' : ''}`, 'data-testid': 'turn-line', 'aria-live': 'polite' }, turnLine(state, myTurn, name)),
      h('p', { class: 'last-action', 'data-testid': 'last-action' }, describeLastAction(state, name)),
      h(
        'div',
        { class: 'opponents', 'data-count': others.length },
        others.map((player) =>
          seatView(state, player, {
            label: player.name,
            clickable: opponentClickable(player),
            onClick: (index) => clickOpponent(player, index),
            testid: `hand-${player.name}`,
          }),
        ),
      ),
      h(
        'div',
        { class: 'center', 'aria-label': 'Deck and discard pile' },
        h(
          'div',
          { class: 'pile' },
          h(
            'button',
            { class: 'card back pile-card', 'data-key': 'deck', 'data-testid': 'draw-deck', disabled: !can.drawDeck, onclick: () => shell.send('draw', { source: 'deck' }), 'aria-label': `Draw from the deck (${state.deckCount} cards)` },
            h('span', { class: 'pile-count' }, String(state.deckCount)),
          ),
          h('span', { class: 'pile-label' }, 'Deck'),
        ),
        h(
          'div',
          { class: 'pile' },
          state.discardTop >= 0
            ? h(
                'button',
                {
                  class: `card face ${valueClass(state.discardTop)}`,
                  'data-key': 'discard',
                  'data-testid': 'draw-discard',
                  'data-value': state.discardTop,
                  disabled: !can.drawDiscard,
                  onclick: () => shell.send('draw', { source: 'discard' }),
                  'aria-label': `Take the discard: ${state.discardTop}`,
                },
                String(state.discardTop),
              )
            : h('div', { class: 'card empty', 'data-testid': 'draw-discard' }),
          h('span', { class: 'pile-label' }, 'Discard'),
        ),
        drawnCard
          ? h(
              'div',
              { class: 'pile drawn' },
              cardView(drawnCard, { key: 'drawn', label: drawer!.id === me ? 'Your drawn card' : `${drawer!.name}'s drawn card`, testid: 'drawn-card' }),
              h('span', { class: 'pile-label' }, drawer!.id === me ? 'You drew' : `${drawer!.name} drew`),
            )
          : null,
      ),
      mine
        ? seatView(state, mine, {
            label: 'Your cards',
            clickable: ownClickable,
            onClick: clickOwn,
            testid: 'my-hand',
            own: true,
            selected: selectedOwn,
          })
        : h('p', { class: 'hint spectator-note', 'data-testid': 'spectator-note' }, 'You are watching: hidden cards stay hidden.'),
      mine
        ? h(
            'div',
            { class: 'actions', role: 'group', 'aria-label': 'Your actions' },
            can.ready || state.roundPhase === 'setup'
              ? h('button', { class: 'primary', 'data-key': 'ready', 'data-testid': 'ready', disabled: !can.ready, onclick: () => shell.send('ready') }, mine.ready ? 'Ready ✓' : 'I memorised them')
              : null,
            h('button', { 'data-key': 'cabo', 'data-testid': 'cabo', disabled: !can.cabo, onclick: () => shell.send('cabo'), title: 'End the round: everyone else gets one more turn' }, 'Call Cabo'),
            h('button', { 'data-key': 'discard-drawn', 'data-testid': 'discard-drawn', disabled: !can.discard, onclick: () => shell.send('discard') }, 'Discard drawn card'),
            h('button', { 'data-key': 'skip-power', 'data-testid': 'skip-power', disabled: !can.skip, onclick: () => shell.send('skip_power') }, 'Skip power'),
            can.resign ? confirmButton('resign', 'Resign', 'Resign the match?', () => shell.send('resign'), { 'data-testid': 'resign' }) : null,
          )
        : null,
      myTurn ? h('p', { class: 'hint step-hint', 'data-testid': 'step-hint' }, stepHint(state, selectedOwn)) : null,
      resultsView(state, seats, name),
    ];
  }

  function waitingView(state: CaboStateView): Child {
    const missing = Math.max(0, state.config.minPlayers - state.players.size);
    return h(
      'div',
      { class: 'waiting', 'data-testid': 'waiting' },
      h('h2', null, 'Waiting for players'),
      h('p', null, `${state.players.size} of ${state.config.maxPlayers} seats taken`, missing > 0 ? ` — ${missing} more needed to start.` : '.'),
      h('p', { class: 'hint' }, 'Invite friends with the link or the room code ', h('strong', { class: 'code' }, rs.code), '.'),
      h(
        'details',
        { class: 'rules' },
        h('summary', null, 'How to play'),
        h(
          'ul',
          null,
          h('li', null, 'You get four face-down cards. At the start you may look at two of them: remember them!'),
          h('li', null, 'On your turn draw from the deck or take the top discard, then swap it with one of your cards or discard it.'),
          h('li', null, 'Discarding a 7/8 lets you peek at your card, 9/10 spy on an opponent\u2019s, 11/12 swap blindly.'),
          h('li', null, 'Call Cabo when you think your hand is the lowest: everyone else gets one more turn.'),
          h('li', null, `Round scores add up; the match ends above ${state.config.targetScore} points and the lowest total wins.`),
        ),
      ),
    );
  }

  function turnLine(state: CaboStateView, myTurn: boolean, name: (id: string) => string): Child {
    switch (state.roundPhase) {
      case 'setup': {
        const mine = rs.isPlayer ? state.players.get(rs.me) : undefined;
        return [
          h('strong', null, `Round ${state.round}: `),
          mine ? 'Memorise your two revealed cards! ' : 'Players are memorising their cards. ',
          state.setupEndsAt ? ['Cards hide in ', countdown(state.setupEndsAt)] : null,
        ];
      }
      case 'turn':
        return [
          h('strong', { 'data-testid': 'turn-owner' }, myTurn ? 'Your turn' : `${name(state.turn)}'s turn`),
          state.turnDeadline ? [' · ', countdown(state.turnDeadline, ' s left')] : null,
          state.caboCaller ? h('span', { class: 'badge badge-cabo' }, `${name(state.caboCaller)} called Cabo — last turns`) : null,
        ];
      case 'roundOver':
        return [h('strong', null, `Round ${state.round} is over.`), state.nextRoundAt ? [' Next round in ', countdown(state.nextRoundAt)] : null];
      case 'matchOver': {
        const winner = list(state.ranking)[0];
        return [h('strong', null, 'Match over. '), winner ? `${winner === rs.me ? 'You win' : `${name(winner)} wins`}!` : null];
      }
      default:
        return state.phase === 'finished' ? h('strong', null, 'Match over.') : null;
    }
  }

  const unsubscribe = [
    rs.subscribe(update),
    rs.on('round_over', (message) => {
      const caller = message.caller ? (rs.state.players.get(message.caller)?.name ?? 'someone') : null;
      const mine = message.scores[rs.me];
      notify(`Round ${message.round} scored${caller ? ` (${caller} called Cabo)` : ''}${mine !== undefined ? `: you scored ${mine}` : ''}.`, 'info', 5000);
    }),
    rs.on('game_over', (message) => {
      const winner = message.ranking[0];
      notify(winner === rs.me ? 'You won the match!' : `${rs.state.players.get(winner)?.name ?? 'Someone'} won the match.`, 'info', 8000);
    }),
  ];
  update();
  return () => {
    unsubscribe.forEach((stop) => stop());
    shell.destroy();
  };
}

interface SeatOptions {
  label: string;
  clickable: boolean;
  onClick(index: number): void;
  testid: string;
  own?: boolean;
  selected?: number | null;
}

function seatView(state: CaboStateView, player: CaboPlayerView, options: SeatOptions): HTMLElement {
  const hand = list(player.hand);
  const classes = ['seat', options.own ? 'own' : 'opponent', state.turn === player.id ? 'turn' : '', player.forfeited ? 'out' : '', player.connected ? '' : 'away'];
  const owner = options.own ? 'Your' : `${player.name}'s`;
  return h(
    'div',
    { class: classes.filter(Boolean).join(' '), 'data-testid': options.testid, 'data-player': player.name },
    h(
      'div',
      { class: 'seat-head' },
      h('span', { class: `dot ${player.connected ? 'on' : 'off'}`, role: 'img', 'aria-label': player.connected ? 'connected' : 'disconnected' }),
      h('span', { class: 'seat-name' }, options.label),
      h('span', { class: 'muted' }, `${player.handCount} cards · ${player.total} pts`),
      state.caboCaller === player.id ? h('span', { class: 'badge badge-cabo' }, 'Cabo!') : null,
      player.forfeited ? h('span', { class: 'badge out' }, 'out') : null,
      state.roundPhase === 'setup' && player.ready ? h('span', { class: 'badge ok' }, 'ready') : null,
    ),
    h(
      'div',
      { class: 'hand', role: 'group', 'aria-label': `${owner} cards` },
      hand.map((card, index) =>
        cardView(card, {
          key: `card-${player.id}-${index}`,
          label: `${owner} card ${index + 1}`,
          clickable: options.clickable,
          onClick: () => options.onClick(index),
          selected: options.selected === index,
          index,
          testid: 'card',
        }),
      ),
    ),
  );
}

function cardView(card: CardView, options: { key: string; label: string; clickable?: boolean; onClick?: () => void; selected?: boolean; index?: number; testid: string }): HTMLElement {
  const known = card.value !== undefined && card.value !== null && card.value >= 0;
  const text = known ? String(card.value) : '';
  const power = known ? CARD_POWER[card.value!] : undefined;
  return h(
    'button',
    {
      class: `card ${known ? `face ${valueClass(card.value!)}` : 'back'}${options.selected ? ' selected' : ''}${options.clickable ? ' target' : ''}`,
      'data-key': options.key,
      'data-testid': options.testid,
      'data-known': known ? 'yes' : 'no',
      'data-index': options.index ?? null,
      disabled: !options.clickable,
      'aria-pressed': options.selected ? true : null,
      'aria-label': `${options.label}: ${known ? card.value : 'unknown'}`,
      onclick: options.clickable ? options.onClick : null,
    },
    known ? h('span', { class: 'value' }, text) : null,
    power ? h('span', { class: 'power' }, power) : null,
  );
}

function valueClass(value: number): string {
  return value <= 3 ? 'v-low' : value <= 8 ? 'v-mid' : 'v-high';
}

function stepHint(state: CaboStateView, selectedOwn: number | null): string {
  switch (state.turnPhase) {
    case 'draw':
      return state.caboCaller ? 'Draw from the deck or take the discard.' : 'Draw from the deck or take the discard — or call Cabo if you think your hand is the lowest.';
    case 'drawn':
      return state.drawnFrom === 'deck'
        ? 'Click one of your cards to swap it with the drawn card, or discard the drawn card.'
        : 'Click one of your cards to swap it with the card you took.';
    case 'power':
      if (state.pendingPower === 'peek') return 'Peek: click one of your cards to look at it (or skip).';
      if (state.pendingPower === 'spy') return 'Spy: click an opponent\u2019s card to look at it (or skip).';
      if (state.pendingPower === 'blind_swap') {
        return selectedOwn === null
          ? 'Blind swap: click one of your cards, then an opponent\u2019s card (or skip).'
          : `Now click an opponent\u2019s card to swap with your card ${selectedOwn + 1}.`;
      }
      return '';
    default:
      return '';
  }
}

function describeLastAction(state: CaboStateView, name: (id: string) => string): string {
  const a = state.lastAction;
  if (!a || !a.type) return '';
  const who = a.playerId ? name(a.playerId) : '';
  const card = (index: number) => `card ${index + 1}`;
  switch (a.type) {
    case 'ready':
      return `${who} is ready.`;
    case 'cabo':
      return `${who} called Cabo!`;
    case 'draw':
      return `${who} drew from the ${a.source === 'discard' ? 'discard pile' : 'deck'}.`;
    case 'swap':
      return `${who} swapped their ${card(a.index)}${a.value >= 0 ? ` and discarded a ${a.value}` : ''}.`;
    case 'discard':
      return `${who} discarded a ${a.value}${POWER_OF[a.value] ? ` (${POWER_OF[a.value]})` : ''}.`;
    case 'peek':
      return `${who} peeked at their ${card(a.index)}.`;
    case 'spy':
      return `${who} spied on ${name(a.targetId)}'s ${card(a.targetIndex)}.`;
    case 'blind_swap':
      return `${who} swapped their ${card(a.index)} with ${name(a.targetId)}'s ${card(a.targetIndex)}.`;
    case 'skip_power':
      return `${who} skipped the power.`;
    case 'resign':
      return `${who} resigned.`;
    case 'timeout':
      return `${who} ran out of time.`;
    case 'forfeit':
      return `${who} is out of the match.`;
    case 'end_setup':
      return 'Cards are hidden again: the round begins.';
    case 'next_round':
      return `Round ${state.round} dealt.`;
    default:
      return '';
  }
}

function resultsView(state: CaboStateView, seats: CaboPlayerView[], name: (id: string) => string): Child {
  if (state.roundPhase !== 'roundOver' && state.roundPhase !== 'matchOver') return null;
  const ranking = list(state.ranking);
  const rows = state.roundPhase === 'matchOver' && ranking.length ? ranking.map((id) => state.players.get(id)).filter((p): p is CaboPlayerView => Boolean(p)) : seats;
  return h(
    'section',
    { class: 'results', 'data-testid': state.roundPhase === 'matchOver' ? 'final-ranking' : 'round-results', 'aria-label': 'Results' },
    h('h2', null, state.roundPhase === 'matchOver' ? 'Final ranking' : `Round ${state.round} results`),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, state.roundPhase === 'matchOver' ? h('th', null, '#') : null, h('th', null, 'Player'), h('th', null, 'Hand'), h('th', null, 'Round'), h('th', null, 'Total'))),
      h(
        'tbody',
        null,
        rows.map((player, position) =>
          h(
            'tr',
            { class: player.id === state.caboCaller ? 'caller' : '' },
            state.roundPhase === 'matchOver' ? h('td', null, String(position + 1)) : null,
            h('td', null, name(player.id), player.id === state.caboCaller ? ' (Cabo)' : '', player.forfeited ? ' (out)' : ''),
            h('td', { class: 'hand-values' }, list(player.hand).map((card) => (card.value !== undefined && card.value !== null && card.value >= 0 ? String(card.value) : '?')).join(' ')),
            h('td', null, player.score >= 0 ? String(player.score) : '—'),
            h('td', null, h('strong', null, String(player.total))),
          ),
        ),
      ),
    ),
  );
}
