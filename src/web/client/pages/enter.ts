/**
 * `#/r/CODE` (and `/watch`): finds out how to enter the room — your seat (`GET /api/me/rooms`),
 * a password prompt (`hasPassword` from `GET /api/rooms/:code`), or watching a running match —
 * then mounts the game's page. When the room session ends (kicked, replaced, lost) it explains why.
 */
import { h, field, notify, lockIcon } from '../dom';
import { api } from '../api';
import { roomHash, type AppContext } from '../routes';
import { gameTitle, phaseLabel, seatsOpen } from '../games';
import { toArenaError, type ArenaClientError } from '../errors';
import type { RoomSummary } from '../../../protocol/rooms';
import type { RoomSession } from '../session';
import { mountCabo } from './cabo';
import { mountTabletop } from './tabletop';
import { mountTicTacToe } from './tictactoe';
import { mountGeneric } from './generic';

type GamePage = (main: HTMLElement, ctx: AppContext, rs: RoomSession<any>) => () => void;

const PAGES: Record<string, GamePage> = {
  cabo: mountCabo,
  tabletop: mountTabletop,
  tictactoe: mountTicTacToe,
};

export function mountRoomRoute(main: HTMLElement, ctx: AppContext, code: string, spectate: boolean): () => void {
  const { session } = ctx;
  let disposed = false;
  let unmountPage: (() => void) | undefined;
  let stopWatching: (() => void) | undefined;

  const cleanup = () => {
    unmountPage?.();
    unmountPage = undefined;
    stopWatching?.();
    stopWatching = undefined;
  };

  const mountGame = (rs: RoomSession<any>) => {
    cleanup();
    main.classList.add('wide');
    unmountPage = (PAGES[rs.game] ?? mountGeneric)(main, ctx, rs);
    stopWatching = rs.subscribe(() => {
      if (rs.status !== 'closed' || disposed) return;
      if (rs.closeInfo?.reason === 'left') return; // the page navigates itself
      cleanup();
      showClosed(rs);
    });
  };

  const message = (text: string) => main.replaceChildren(h('section', { class: 'panel' }, h('p', { class: 'loading' }, text)));

  const showClosed = (rs: RoomSession<any>) => {
    const info = rs.closeInfo!;
    if (info.reason === 'refused' && info.code === 'WRONG_PASSWORD') return void start(true);
    main.classList.remove('wide');
    const again = h('button', { class: 'primary', 'data-testid': 'rejoin' }, info.reason === 'replaced' ? 'Play here instead' : 'Try again');
    again.addEventListener('click', () => void start());
    const canRetry = info.reason === 'replaced' || info.reason === 'lost' || info.reason === 'refused';
    main.replaceChildren(
      h(
        'section',
        { class: 'panel closed', 'data-testid': 'room-closed' },
        h('h1', null, info.reason === 'kicked' ? 'Removed from the room' : info.reason === 'replaced' ? 'Opened elsewhere' : 'Room closed'),
        h('p', null, info.message),
        h('div', { class: 'actions' }, canRetry ? again : null, h('a', { class: 'button', href: '#/' }, 'Back to the lobby')),
      ),
    );
    again.focus();
  };

  const showJoinCard = (summary: RoomSummary, error?: ArenaClientError) => {
    main.classList.remove('wide');
    const open = seatsOpen(summary);
    const password = summary.hasPassword
      ? h('input', { type: 'password', name: 'password', required: true, maxlength: 64, autocomplete: 'off', 'data-testid': 'join-password', value: session.password(code) ?? '' })
      : null;
    const errorLine = h('p', { class: 'form-error', 'data-testid': 'join-error' }, error?.message ?? '');
    const join = h('button', { type: 'submit', class: 'primary', 'data-testid': 'join-submit', disabled: !open }, 'Join the table');
    const watch = h('button', { type: 'button', 'data-testid': 'watch-submit' }, 'Watch');
    const why = open ? null : h('p', { class: 'hint' }, summary.players >= summary.maxPlayers ? 'All seats are taken; you can watch.' : 'The match is running; you can watch it.');
    const form = h(
      'form',
      { class: 'panel join-card', 'aria-labelledby': 'join-title', 'data-testid': 'join-card' },
      h('h1', { id: 'join-title' }, `${gameTitle(summary.game)} room `, h('span', { class: 'code' }, summary.code), summary.hasPassword ? lockIcon('password protected') : null),
      h(
        'p',
        { class: 'room-meta' },
        summary.hostName ? h('span', null, `Host: ${summary.hostName}`) : null,
        h('span', null, `${summary.players}/${summary.maxPlayers} players`),
        h('span', { class: `phase phase-${summary.phase}` }, phaseLabel(summary.phase, summary.game)),
      ),
      password ? field('Password', password, 'Ask the host for it.') : null,
      errorLine,
      why,
      h('div', { class: 'actions' }, join, watch, h('a', { class: 'button quiet', href: '#/' }, 'Back to the lobby')),
    );
    const go = (asSpectator: boolean) => {
      if (password && !password.value) {
        errorLine.textContent = 'Enter the password.';
        password.focus();
        return;
      }
      const target = roomHash(code, asSpectator);
      if (window.location.hash !== target) history.replaceState(null, '', target);
      void tryJoin({ password: password?.value || undefined, spectate: asSpectator }, summary);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      go(false);
    });
    watch.addEventListener('click', () => go(true));
    main.replaceChildren(form);
    (password ?? (open ? join : watch)).focus();
  };

  const tryJoin = async (options: { password?: string; spectate?: boolean }, summary: RoomSummary) => {
    message(`Joining room ${code}…`);
    try {
      const rs = await session.join(code, options);
      if (!disposed) mountGame(rs);
    } catch (error) {
      if (disposed) return;
      const e = toArenaError(error);
      if (e.code === 'ROOM_GONE') return gone();
      if (e.code === 'UNAUTHORIZED') {
        notify(e.message); // expired token: sign in again, then come back to this room
        await session.signOut();
        return ctx.refresh();
      }
      showJoinCard(summary, e);
    }
  };

  const gone = () => {
    main.classList.remove('wide');
    main.replaceChildren(
      h(
        'section',
        { class: 'panel', 'data-testid': 'room-missing' },
        h('h1', null, `No room ${code}`),
        h('p', null, 'This room does not exist (any more). Check the code, or create a new room.'),
        h('a', { class: 'button primary', href: '#/' }, 'Back to the lobby'),
      ),
    );
  };

  /** You are in another room: entering this one leaves it (and forfeits a running match there). */
  const showSwitchCard = (current: RoomSession<any>) => {
    main.classList.remove('wide');
    const running = current.state?.phase === 'playing' && current.isPlayer && current.game !== 'tabletop';
    const proceed = h('button', { class: 'primary', 'data-testid': 'switch-room' }, `Leave ${current.code} and continue`);
    proceed.addEventListener('click', async () => {
      proceed.disabled = true;
      await current.leave();
      if (!disposed) void start();
    });
    main.replaceChildren(
      h(
        'section',
        { class: 'panel', 'data-testid': 'switch-card' },
        h('h1', null, `Go to room ${code}?`),
        h('p', null, `You are still in ${gameTitle(current.game)} room `, h('strong', { class: 'code' }, current.code), '.', running ? ' Leaving it now forfeits your match there.' : ''),
        h('div', { class: 'actions' }, proceed, h('a', { class: 'button', href: roomHash(current.code, !current.isPlayer) }, `Back to ${current.code}`)),
      ),
    );
    proceed.focus();
  };

  /** Decides how to enter; `askPassword` after a refused rejoin. */
  const start = async (askPassword = false) => {
    const current = session.room;
    if (!askPassword && current && current.code === code && current.status !== 'closed') return mountGame(current);
    if (current && current.code !== code && current.status !== 'closed') return showSwitchCard(current);
    message(`Looking up room ${code}…`);
    let summary: RoomSummary;
    try {
      summary = (await api.room(code)).room;
    } catch (error) {
      if (disposed) return;
      const e = toArenaError(error);
      if (e.status === 404) return gone();
      notify(e.message);
      return message(`Could not look up room ${code}: ${e.message}`);
    }
    if (disposed) return;
    const seated = await session
      .myRooms()
      .then((rooms) => rooms.some((room) => room.code === code))
      .catch(() => false);
    if (disposed) return;
    const knownPassword = session.password(code);
    if (askPassword) return showJoinCard(summary, toArenaError(new Error('WRONG_PASSWORD: enter the room password again')));
    if (seated) return tryJoin({}, summary); // your seat, back (the remembered password goes along)
    if (summary.hasPassword && !knownPassword) return showJoinCard(summary);
    if (spectate) return tryJoin({ spectate: true }, summary);
    if (!seatsOpen(summary)) return showJoinCard(summary);
    return tryJoin({}, summary);
  };

  void start();
  return () => {
    disposed = true;
    cleanup();
  };
}
