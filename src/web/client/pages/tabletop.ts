/**
 * The tabletop session: the log (chat, whispers, dice rolls with every die, narration, actions,
 * turns), a composer (chat or whisper), a dice box with quick buttons, your character name, the
 * turn tracker, and the GM's controls (narrate, turn order, next turn, combat) when you are GM.
 */
import { h, render, notify, field, checkbox, type Child } from '../dom';
import type { AppContext } from '../routes';
import { RoomShell } from './shell';
import { entries, list, type TabletopGame } from '../types';
import type { RoomSession } from '../session';
import type { LogEntryView, RollView, TabletopClientMessages, TabletopPlayerView, TabletopStateView } from '../../../protocol/tabletop';

const QUICK_DICE: Array<[label: string, formula: string, title: string]> = [
  ['d4', 'd4', 'Roll a four-sided die'],
  ['d6', 'd6', 'Roll a six-sided die'],
  ['d8', 'd8', 'Roll an eight-sided die'],
  ['d10', 'd10', 'Roll a ten-sided die'],
  ['d12', 'd12', 'Roll a twelve-sided die'],
  ['d20', 'd20', 'Roll a twenty-sided die'],
  ['Adv', '2d20kh1', 'Advantage: 2d20, keep the highest'],
  ['Dis', '2d20kl1', 'Disadvantage: 2d20, keep the lowest'],
];

export function mountTabletop(main: HTMLElement, ctx: AppContext, rs: RoomSession<TabletopGame>): () => void {
  const shell = new RoomShell<TabletopGame>(ctx, rs, {
    startable: false,
    playerExtras: (player) => [
      player.isGM ? h('span', { class: 'badge gm', title: 'Game master' }, 'GM') : null,
      player.character ? h('span', { class: 'character', title: 'Character' }, `as ${player.character}`) : null,
    ],
  });
  const seen = new Map<string, string>(); // user id → last known name (for people who left)
  const nameOf = (id: string) => rs.state.players.get(id)?.name ?? seen.get(id) ?? 'someone';

  // ---- log ------------------------------------------------------------------------------------
  const log = h('ol', { class: 'log', 'data-testid': 'log', 'aria-label': 'Session log', 'aria-live': 'polite', tabindex: 0 });
  const rendered = new Map<string, HTMLElement>();
  let lastSeq = -1;

  const renderLog = () => {
    const state = rs.state;
    const items = entries<LogEntryView>(state.log);
    for (const [, entry] of items) if (entry.from) seen.set(entry.from, entry.name);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const keys = new Set(items.map(([key]) => key));
    for (const [key, element] of rendered) {
      if (!keys.has(key)) {
        element.remove();
        rendered.delete(key);
      }
    }
    let added = false;
    for (const [key, entry] of items) {
      if (rendered.has(key)) continue;
      const element = entryView(entry, nameOf, rs.me);
      rendered.set(key, element);
      added = true;
      if (entry.seq > lastSeq) log.appendChild(element);
      else {
        const next = Array.from(log.children).find((child) => Number((child as HTMLElement).dataset.seq) > entry.seq);
        log.insertBefore(element, next ?? null);
      }
      lastSeq = Math.max(lastSeq, entry.seq);
    }
    if (items.length === 0 && !log.querySelector('.empty')) log.appendChild(h('li', { class: 'empty' }, 'Nothing yet. Say hello or roll a die!'));
    if (items.length > 0) log.querySelector('.empty')?.remove();
    if (added && (atBottom || log.childElementCount <= items.length)) log.scrollTop = log.scrollHeight;
  };

  // ---- composer ---------------------------------------------------------------------------------
  const to = h('select', { name: 'to', 'data-testid': 'chat-to', 'aria-label': 'Send to' }, h('option', { value: '' }, 'Everyone'));
  const text = h('input', { name: 'text', maxlength: 500, autocomplete: 'off', placeholder: 'Say something…', 'data-testid': 'chat-input', 'aria-label': 'Message' });
  const composer = h(
    'form',
    { class: 'composer', 'aria-label': 'Chat' },
    to,
    text,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'chat-send' }, 'Send'),
  );
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) return text.focus();
    if (to.value) shell.send('whisper', { to: to.value, text: value });
    else shell.send('chat', { text: value });
    text.value = '';
    text.focus();
  });

  const formula = h('input', { name: 'formula', maxlength: 100, autocomplete: 'off', placeholder: '2d20kh1+5', 'data-testid': 'dice-formula', 'aria-label': 'Dice formula' });
  const label = h('input', { name: 'label', maxlength: 100, autocomplete: 'off', placeholder: 'Label (optional)', 'aria-label': 'Roll label' });
  const secret = h('input', { type: 'checkbox', name: 'secret', 'data-testid': 'dice-secret' });
  const roll = (value: string) => {
    const payload: TabletopClientMessages['roll'] = { formula: value };
    if (label.value.trim()) payload.label = label.value.trim();
    if (secret.checked) payload.secret = true;
    shell.send('roll', payload);
  };
  const diceForm = h(
    'form',
    { class: 'dice-form', 'aria-label': 'Roll dice' },
    formula,
    label,
    checkbox('Secret (you and the GM)', secret),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'dice-roll' }, 'Roll'),
  );
  diceForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = formula.value.trim();
    if (!value) {
      notify('Type a formula such as 2d6+3, or use a quick button.', 'warning');
      return formula.focus();
    }
    roll(value);
  });
  const quick = h(
    'div',
    { class: 'quick-dice', role: 'group', 'aria-label': 'Quick rolls' },
    QUICK_DICE.map(([caption, value, title]) =>
      h('button', { type: 'button', title, 'aria-label': title, 'data-testid': `quick-${value}`, onclick: () => roll(value) }, caption),
    ),
  );

  const character = h('input', { name: 'character', maxlength: 64, autocomplete: 'off', placeholder: 'Character name', 'aria-label': 'Character name' });
  const characterForm = h('form', { class: 'inline-form' }, character, h('button', { type: 'submit' }, 'Set character'));
  characterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    shell.send('set_character', { name: character.value.trim() });
  });
  const actionKind = h('input', { name: 'kind', maxlength: 32, autocomplete: 'off', placeholder: 'e.g. attack, search', 'aria-label': 'Action' });
  const actionForm = h('form', { class: 'inline-form' }, actionKind, h('button', { type: 'submit' }, 'Do it'));
  actionForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const kind = actionKind.value.trim();
    if (!kind) return actionKind.focus();
    shell.send('action', { kind });
    actionKind.value = '';
  });

  const writer = h(
    'div',
    { class: 'writer' },
    composer,
    h('div', { class: 'dice-box' }, quick, diceForm),
    h('details', { class: 'more' }, h('summary', null, 'Character and actions'), characterForm, actionForm),
  );
  const readOnly = h('p', { class: 'hint spectator-note', 'data-testid': 'spectator-note' }, 'You are watching: spectators read the public log but cannot write.');

  // ---- turn tracker and GM controls --------------------------------------------------------------
  const tracker = h('div', { class: 'tracker', 'data-testid': 'turn-tracker' });
  const narrate = h('textarea', { name: 'narrate', maxlength: 1000, rows: 3, placeholder: 'Describe the scene…', 'data-testid': 'narrate-text', 'aria-label': 'Narration' });
  const narrateForm = h('form', { class: 'narrate' }, narrate, h('button', { type: 'submit', 'data-testid': 'narrate-send' }, 'Narrate'));
  narrateForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = narrate.value.trim();
    if (!value) return narrate.focus();
    shell.send('narrate', { text: value });
    narrate.value = '';
  });
  let orderDraft: string[] = [];
  let draftTouched = false;
  const orderEditor = h('ol', { class: 'order-editor', 'aria-label': 'Turn order draft' });
  const combatRound = h('input', { type: 'number', min: 1, max: 10000, value: 1, name: 'round', 'aria-label': 'Combat round', class: 'small-number' });
  const gmPanel = h(
    'section',
    { class: 'gm-panel', 'data-testid': 'gm-panel', 'aria-labelledby': 'gm-title' },
    h('h3', { id: 'gm-title' }, 'Game master'),
    narrateForm,
    h('h4', null, 'Turn order'),
    orderEditor,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', 'data-testid': 'set-order', onclick: () => ((draftTouched = false), shell.send('set_turn_order', { order: orderDraft })) }, 'Set turn order'),
      h('button', { type: 'button', class: 'quiet', onclick: () => ((draftTouched = false), shell.send('set_turn_order', { order: [] })) }, 'Clear'),
    ),
    h('h4', null, 'Combat'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', 'data-testid': 'combat-start', onclick: () => shell.send('combat', { active: true }) }, 'Start combat'),
      h('button', { type: 'button', 'data-testid': 'combat-end', onclick: () => shell.send('combat', { active: false }) }, 'End combat'),
    ),
    h(
      'form',
      {
        class: 'inline-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          shell.send('combat', { active: true, round: Number(combatRound.value) });
        },
      },
      field('Round', combatRound),
      h('button', { type: 'submit' }, 'Set round'),
    ),
  );
  shell.sideExtra.append(tracker, gmPanel);

  const renderOrderEditor = (state: TabletopStateView) => {
    const seated = entries<TabletopPlayerView>(state.players)
      .map(([, p]) => p)
      .sort((a, b) => a.seat - b.seat);
    const ids = new Set(seated.map((p) => p.id));
    if (!draftTouched) orderDraft = list(state.turnOrder).filter((id) => ids.has(id));
    orderDraft = orderDraft.filter((id) => ids.has(id));
    const excluded = seated.filter((p) => !orderDraft.includes(p.id));
    const move = (index: number, delta: number) => {
      const target = index + delta;
      if (target < 0 || target >= orderDraft.length) return;
      [orderDraft[index], orderDraft[target]] = [orderDraft[target], orderDraft[index]];
      draftTouched = true;
      renderOrderEditor(rs.state);
    };
    render(
      orderEditor,
      orderDraft.map((id, index) =>
        h(
          'li',
          null,
          h('span', { class: 'grow' }, nameOf(id)),
          h('button', { type: 'button', class: 'icon', 'data-key': `up-${id}`, 'aria-label': `Move ${nameOf(id)} up`, disabled: index === 0, onclick: () => move(index, -1) }, '↑'),
          h('button', { type: 'button', class: 'icon', 'data-key': `down-${id}`, 'aria-label': `Move ${nameOf(id)} down`, disabled: index === orderDraft.length - 1, onclick: () => move(index, 1) }, '↓'),
          h(
            'button',
            {
              type: 'button',
              class: 'icon',
              'data-key': `out-${id}`,
              'aria-label': `Remove ${nameOf(id)} from the order`,
              onclick: () => {
                orderDraft.splice(index, 1);
                draftTouched = true;
                renderOrderEditor(rs.state);
              },
            },
            '×',
          ),
        ),
      ),
      excluded.map((p) =>
        h(
          'li',
          { class: 'excluded' },
          h('span', { class: 'grow muted' }, p.name),
          h(
            'button',
            {
              type: 'button',
              class: 'quiet small',
              'data-key': `in-${p.id}`,
              'data-testid': `order-add-${p.name}`,
              onclick: () => {
                orderDraft.push(p.id);
                draftTouched = true;
                renderOrderEditor(rs.state);
              },
            },
            'Add',
          ),
        ),
      ),
    );
  };

  const renderTracker = (state: TabletopStateView) => {
    const order = list(state.turnOrder);
    const me = rs.player;
    const canPass = Boolean(me) && order.length > 0 && (me!.isGM || state.turn === rs.me);
    render(
      tracker,
      h('h3', null, 'Turns'),
      state.combat ? h('p', { class: 'combat', 'data-testid': 'combat' }, `⚔ Combat — round ${state.combatRound}`) : null,
      order.length
        ? h(
            'ol',
            { class: 'turn-order' },
            order.map((id) => h('li', { class: id === state.turn ? 'current' : '' }, nameOf(id), id === state.turn ? h('span', { class: 'badge' }, 'now') : null)),
          )
        : h('p', { class: 'muted' }, 'No turn order yet.'),
      canPass ? h('button', { class: 'primary', 'data-key': 'next-turn', 'data-testid': 'next-turn', onclick: () => shell.send('next_turn') }, state.turn === rs.me ? 'End my turn' : 'Next turn') : null,
    );
  };

  // ---- players' names for whispers ---------------------------------------------------------------
  let toKey = '';
  const renderRecipients = (state: TabletopStateView) => {
    const others = entries<TabletopPlayerView>(state.players)
      .map(([, p]) => p)
      .filter((p) => p.id !== rs.me)
      .sort((a, b) => a.seat - b.seat);
    const key = others.map((p) => `${p.id}:${p.name}`).join('|');
    if (key === toKey) return;
    toKey = key;
    const selected = to.value;
    to.replaceChildren(h('option', { value: '' }, 'Everyone'), ...others.map((p) => h('option', { value: p.id }, `Whisper to ${p.name}`)));
    to.value = others.some((p) => p.id === selected) ? selected : '';
  };

  const area = h('div', { class: 'tabletop' }, log, writer, readOnly);
  shell.main.appendChild(area);
  main.replaceChildren(shell.root);

  const update = () => {
    const state = rs.state;
    if (!state?.config) return;
    shell.update();
    const me = rs.player;
    writer.hidden = !me;
    readOnly.hidden = Boolean(me);
    gmPanel.hidden = !me?.isGM;
    if (me && !character.matches(':focus') && character.value === '' && me.character) character.value = me.character;
    renderRecipients(state);
    renderLog();
    renderTracker(state);
    if (me?.isGM) renderOrderEditor(state);
  };
  const unsubscribe = rs.subscribe(update);
  update();
  return () => {
    unsubscribe();
    shell.destroy();
  };
}

function time(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function entryView(entry: LogEntryView, nameOf: (id: string) => string, me: string): HTMLElement {
  const who = (id: string, fallback = '') => h('span', { class: 'who' }, id === me ? 'You' : fallback || nameOf(id));
  let body: Child;
  switch (entry.kind) {
    case 'join':
      body = [who(entry.from, entry.name), ' joined the table.'];
      break;
    case 'leave':
      body = [who(entry.from, entry.name), entry.text === 'kicked' ? ' was removed.' : entry.text === 'disconnected' ? ' lost the connection and left.' : ' left.'];
      break;
    case 'chat':
      body = [who(entry.from, entry.name), ': ', h('span', { class: 'text' }, entry.text)];
      break;
    case 'whisper':
      body = [h('span', { class: 'badge whisper' }, 'whisper'), ' ', who(entry.from, entry.name), ' → ', who(entry.to), ': ', h('span', { class: 'text' }, entry.text)];
      break;
    case 'narrate':
      body = h('span', { class: 'narration' }, entry.text);
      break;
    case 'roll':
      body = [
        entry.isPrivate ? [h('span', { class: 'badge whisper' }, 'secret'), ' '] : null,
        who(entry.from, entry.name),
        ' rolled ',
        entry.text ? [h('span', { class: 'roll-label' }, entry.text), ' '] : null,
        entry.roll ? rollView(entry.roll) : null,
      ];
      break;
    case 'action':
      body = [who(entry.from, entry.name), ' ', h('span', { class: 'action-kind' }, entry.text), entry.details ? h('code', { class: 'details' }, ` ${entry.details}`) : null];
      break;
    case 'character':
      body = entry.text
        ? [who(entry.to), ' now plays ', h('strong', null, entry.text), '.']
        : [who(entry.to), ' no longer has a character name.'];
      break;
    case 'turn_order': {
      let ids: string[] = [];
      try {
        ids = JSON.parse(entry.details || '[]');
      } catch {
        ids = [];
      }
      body = ids.length ? ['Turn order: ', ids.map((id) => nameOf(id)).join(' → '), '.'] : 'Turn order cleared.';
      break;
    }
    case 'turn': {
      let round = 0;
      try {
        round = Number(JSON.parse(entry.details || '{}').round) || 0;
      } catch {
        round = 0;
      }
      body = [entry.to === me ? 'Your turn' : [who(entry.to), '\u2019s turn'], round ? ` (round ${round})` : '', '.'];
      break;
    }
    case 'combat':
      body = entry.text === 'start' ? '⚔ Combat starts!' : entry.text === 'end' ? 'Combat is over.' : (() => {
        try {
          return `Combat round ${JSON.parse(entry.details).round}.`;
        } catch {
          return 'Combat round changed.';
        }
      })();
      break;
    default:
      body = [who(entry.from, entry.name), ' ', entry.text];
  }
  return h(
    'li',
    { class: `entry kind-${entry.kind}${entry.isPrivate ? ' private' : ''}`, 'data-testid': 'log-entry', 'data-kind': entry.kind, 'data-seq': entry.seq },
    h('time', { datetime: new Date(entry.at).toISOString() }, time(entry.at)),
    h('div', { class: 'entry-body' }, body),
  );
}

function rollView(roll: RollView): HTMLElement {
  const terms = list(roll.terms);
  return h(
    'span',
    { class: 'roll', 'data-testid': 'roll' },
    h('code', { class: 'formula' }, roll.formula),
    ' ',
    terms.map((term, index) => {
      const sign = term.sign < 0 ? '− ' : index > 0 ? '+ ' : '';
      if (term.kind === 'constant') return h('span', { class: 'term' }, `${sign}${term.value} `);
      const kept = list(term.kept);
      return h(
        'span',
        { class: 'term' },
        sign,
        h(
          'span',
          { class: 'dice', 'aria-label': `${term.count}d${term.sides}` },
          list(term.dice).map((value, i) => {
            const keep = kept[i] !== false;
            return h(
              'span',
              { class: `die${keep ? ' kept' : ' dropped'}${value === term.sides ? ' max' : value === 1 ? ' min' : ''}`, title: keep ? `d${term.sides}` : `d${term.sides}, dropped`, 'data-testid': keep ? 'die-kept' : 'die-dropped' },
              String(value),
            );
          }),
        ),
        ' ',
      );
    }),
    '= ',
    h('strong', { class: 'total', 'data-testid': 'roll-total' }, String(roll.total)),
  );
}
