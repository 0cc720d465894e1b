/**
 * Lobby: live list of public rooms (the `lobby` room), quick match, join or watch by code,
 * "your rooms" (seats you hold, `GET /api/me/rooms`) and the create-room form.
 */
import { h, render, field, checkbox, notify, plural, lockIcon } from '../dom';
import { roomHash, type AppContext } from '../routes';
import { GAMES, gameTitle, phaseLabel, seatsOpen } from '../games';
import type { RoomMetadata } from '../../../protocol/rooms';

/** Seat range, defaults and which options apply, per game (README: create options). */
const CREATE: Record<string, { seats: [number, number, number]; turn?: number; target?: boolean }> = {
  cabo: { seats: [2, 6, 4], turn: 30, target: true },
  tabletop: { seats: [1, 12, 8] },
  tictactoe: { seats: [2, 2, 2], turn: 20 },
};

export function mountLobby(main: HTMLElement, ctx: AppContext): () => void {
  const { session } = ctx;
  main.classList.add('wide');

  // ---- quick match / by code --------------------------------------------------------------
  const quick = h('button', { class: 'primary big', 'data-testid': 'quick-match' }, 'Quick match: Cabo');
  quick.addEventListener('click', async () => {
    quick.disabled = true;
    try {
      const room = await session.quickMatch('cabo');
      ctx.navigate(roomHash(room.code));
    } catch (error) {
      notify((error as Error).message);
      quick.disabled = false;
    }
  });

  const codeInput = h('input', {
    name: 'code',
    placeholder: 'ABC234',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    maxlength: 12,
    class: 'code-input',
    'data-testid': 'join-code',
  });
  const byCode = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Join a room by code' },
    field('Room code', codeInput),
    h('button', { type: 'submit', 'data-testid': 'join-code-submit' }, 'Join'),
    h('button', { type: 'button', 'data-action': 'watch' }, 'Watch'),
  );
  const goToCode = (spectate: boolean) => {
    const code = codeInput.value.trim().toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (code.length < 4) {
      notify('Enter the room code you were given (6 letters and digits).', 'warning');
      codeInput.focus();
      return;
    }
    ctx.navigate(roomHash(code, spectate));
  };
  byCode.addEventListener('submit', (event) => {
    event.preventDefault();
    goToCode(false);
  });
  byCode.querySelector('[data-action="watch"]')!.addEventListener('click', () => goToCode(true));

  // ---- your rooms ---------------------------------------------------------------------------
  const mine = h('div', { class: 'my-rooms', 'data-testid': 'my-rooms' });
  void session
    .myRooms()
    .then((rooms) => {
      if (rooms.length === 0) return;
      render(
        mine,
        h('h2', null, 'Your seats'),
        h(
          'ul',
          { class: 'room-list' },
          rooms.map((room) =>
            h(
              'li',
              { class: 'room-row' },
              roomInfo(room),
              h('a', { class: 'button primary', href: roomHash(room.code), 'data-testid': `rejoin-${room.code}` }, 'Rejoin'),
            ),
          ),
        ),
      );
    })
    .catch(() => undefined);

  // ---- create ---------------------------------------------------------------------------------
  const game = h(
    'select',
    { name: 'game', 'data-testid': 'create-game' },
    Object.entries(GAMES).map(([id, info]) => h('option', { value: id }, info.title)),
  );
  const seats = h('input', { type: 'number', name: 'maxPlayers', inputmode: 'numeric', 'data-testid': 'create-seats' });
  const turn = h('input', { type: 'number', name: 'turnSeconds', min: 2, max: 600, inputmode: 'numeric' });
  const target = h('input', { type: 'number', name: 'targetScore', min: 1, max: 1000, value: 100, inputmode: 'numeric' });
  const isPrivate = h('input', { type: 'checkbox', name: 'private', 'data-testid': 'create-private' });
  const password = h('input', { type: 'password', name: 'password', maxlength: 64, autocomplete: 'new-password', placeholder: 'optional', 'data-testid': 'create-password' });
  const spectators = h('input', { type: 'checkbox', name: 'allowSpectators', checked: true });
  const blurb = h('p', { class: 'hint' });
  const seatsField = field('Seats', seats);
  const turnField = field('Turn time (s)', turn);
  const targetField = field('Target score', target, 'The match ends when a total goes above it.');
  const createButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-submit' }, 'Create room');
  const createForm = h(
    'form',
    { class: 'panel create', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Create a room'),
    field('Game', game),
    blurb,
    h('div', { class: 'grid-2' }, seatsField, turnField, targetField),
    field('Password', password, 'Players and spectators need it to join.'),
    checkbox('Private (not listed; join by code or link)', isPrivate),
    checkbox('Allow spectators', spectators),
    createButton,
  );
  const applyGame = () => {
    const spec = CREATE[game.value] ?? CREATE.cabo;
    const [min, max, initial] = spec.seats;
    seats.min = String(min);
    seats.max = String(max);
    seats.value = String(initial);
    seatsField.hidden = min === max;
    turnField.hidden = spec.turn === undefined;
    turn.value = String(spec.turn ?? 30);
    targetField.hidden = !spec.target;
    blurb.textContent = GAMES[game.value]?.blurb ?? '';
  };
  game.addEventListener('change', applyGame);
  applyGame();
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const spec = CREATE[game.value] ?? CREATE.cabo;
    const options: Record<string, unknown> = {
      private: isPrivate.checked,
      allowSpectators: spectators.checked,
    };
    if (spec.seats[0] !== spec.seats[1]) options.maxPlayers = Number(seats.value);
    if (spec.turn !== undefined) options.turnSeconds = Number(turn.value);
    if (spec.target) options.targetScore = Number(target.value);
    if (password.value) options.password = password.value;
    createButton.disabled = true;
    try {
      const room = await session.create(game.value, options);
      ctx.navigate(roomHash(room.code));
    } catch (error) {
      notify((error as Error).message);
      createButton.disabled = false;
    }
  });

  // ---- public rooms (live) ---------------------------------------------------------------------
  const listStatus = h('span', { class: 'muted', 'aria-live': 'polite' }, 'connecting…');
  const list = h('div', { 'data-testid': 'room-list' }, h('p', { class: 'muted' }, 'Loading rooms…'));
  const stop = session.watchLobby((rooms, status) => {
    listStatus.textContent = status === 'live' ? `${plural(rooms.length, 'room')} · live` : 'connecting…';
    if (status !== 'live' && rooms.length === 0) return;
    const order = (room: RoomMetadata) => (seatsOpen(room) ? 0 : room.phase === 'playing' ? 1 : 2);
    const sorted = rooms.sort((a, b) => order(a) - order(b) || a.code.localeCompare(b.code));
    render(
      list,
      sorted.length === 0
        ? h('p', { class: 'empty' }, 'No public rooms right now. Create one, or start a quick match.')
        : h('ul', { class: 'room-list' }, sorted.map((room) => publicRoomRow(room))),
    );
  });

  render(
    main,
    h(
      'div',
      { class: 'lobby' },
      h(
        'section',
        { class: 'panel play', 'aria-labelledby': 'play-title' },
        h('h1', { id: 'play-title' }, 'Play'),
        h('p', { class: 'lead' }, 'Jump into a Cabo table with whoever is around, or join friends with their room code.'),
        quick,
        byCode,
        mine,
      ),
      h(
        'section',
        { class: 'panel rooms', 'aria-labelledby': 'rooms-title' },
        h('div', { class: 'section-head' }, h('h2', { id: 'rooms-title' }, 'Open rooms'), listStatus),
        list,
      ),
      createForm,
    ),
  );
  // One room at a time: while you are in one, quick match and create wait until you leave it.
  const busyNote = h('p', { class: 'hint', 'data-testid': 'busy-note' });
  quick.after(busyNote);
  const reflectBusy = () => {
    const current = session.room && session.room.status !== 'closed' ? session.room : undefined;
    quick.disabled = Boolean(current);
    createButton.disabled = Boolean(current);
    busyNote.hidden = !current;
    busyNote.textContent = current ? `You are in room ${current.code}: go back to it or leave it (bar above) to start another.` : '';
  };
  const stopBusy = session.subscribe(reflectBusy);
  reflectBusy();

  return () => {
    stop();
    stopBusy();
  };
}

function roomInfo(room: RoomMetadata): HTMLElement {
  return h(
    'div',
    { class: 'room-info' },
    h(
      'div',
      { class: 'room-title' },
      h('strong', null, gameTitle(room.game)),
      ' ',
      h('span', { class: 'code' }, room.code),
      room.hasPassword ? lockIcon('password required') : null,
      room.mode === 'quick' ? h('span', { class: 'badge' }, 'quick') : null,
    ),
    h(
      'div',
      { class: 'room-meta' },
      h('span', { 'data-testid': 'room-players' }, `${room.players}/${room.maxPlayers} players`),
      room.spectators ? h('span', null, `${room.spectators} watching`) : null,
      h('span', { class: `phase phase-${room.phase}` }, phaseLabel(room.phase, room.game)),
      room.hostName ? h('span', null, `host ${room.hostName}`) : null,
    ),
  );
}

function publicRoomRow(room: RoomMetadata): HTMLElement {
  const open = seatsOpen(room);
  return h(
    'li',
    { class: 'room-row', 'data-code': room.code, 'data-testid': 'room-row' },
    roomInfo(room),
    h(
      'div',
      { class: 'row-actions' },
      open ? h('a', { class: 'button primary', href: roomHash(room.code), 'aria-label': `Join ${gameTitle(room.game)} room ${room.code}` }, 'Join') : null,
      h('a', { class: 'button', href: roomHash(room.code, true), 'aria-label': `Watch ${gameTitle(room.game)} room ${room.code}` }, 'Watch'),
    ),
  );
}
