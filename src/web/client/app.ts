/**
 * The application shell: routing (see routes.ts), the header (who is signed in) and the bar that
 * leads back to the room you are in.
 */
import { h, render, notify, setClock } from './dom';
import { Session } from './session';
import { mountSignIn } from './pages/signin';
import { mountLobby } from './pages/lobby';
import { mountRoomRoute } from './pages/enter';
import { gameTitle } from './games';
import { confirmButton } from './pages/shell';
import { parseRoute, roomHash, type AppContext } from './routes';

export function startApp(): void {
  const main = document.getElementById('main')!;
  const who = document.getElementById('who')!;
  const bar = document.getElementById('room-bar')!;
  const session = new Session();
  setClock(() => session.room?.clockOffset ?? 0);

  // `/r/CODE` (a link typed by hand) becomes `/#/r/CODE`.
  const pathRoute = /\/r\/([A-Za-z0-9]{4,12})(\/watch)?\/?$/.exec(window.location.pathname);
  if (pathRoute && !window.location.hash) {
    const base = window.location.pathname.slice(0, pathRoute.index + 1);
    history.replaceState(null, '', `${base}${roomHash(pathRoute[1].toUpperCase(), Boolean(pathRoute[2]))}`);
  }

  let unmount: (() => void) | undefined;
  let mountedKey = '';

  const ctx: AppContext = {
    session,
    route: parseRoute(window.location.hash),
    navigate(hash) {
      if (window.location.hash === hash) ctx.refresh();
      else window.location.hash = hash;
    },
    refresh() {
      mountedKey = '';
      route();
    },
  };

  function route(): void {
    ctx.route = parseRoute(window.location.hash);
    const key = session.user ? JSON.stringify(ctx.route) : 'signin';
    if (key === mountedKey) return;
    mountedKey = key;
    unmount?.();
    unmount = undefined;
    main.classList.remove('wide');
    if (!session.user) unmount = mountSignIn(main, ctx);
    else if (ctx.route.page === 'room') unmount = mountRoomRoute(main, ctx, ctx.route.code, ctx.route.spectate);
    else unmount = mountLobby(main, ctx);
    updateChrome();
    // Keyboard and screen-reader users start at the new page, not wherever focus was.
    if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }

  function updateChrome(): void {
    const user = session.user;
    render(
      who,
      user
        ? [
            h('span', { class: 'signed-in', 'data-testid': 'whoami' }, 'Playing as ', h('strong', null, user.name)),
            session.room && session.room.status !== 'closed'
              ? confirmButton('change-name', 'Change name', 'Leave the room and change name?', () => void signOut())
              : h('button', { class: 'link', 'data-key': 'change-name', onclick: () => void signOut() }, 'Change name'),
          ]
        : null,
    );
    const room = session.room;
    const elsewhere = room && room.status !== 'closed' && !(ctx.route.page === 'room' && ctx.route.code === room.code);
    bar.hidden = !elsewhere;
    if (elsewhere) {
      render(
        bar,
        h('span', null, `You are in ${gameTitle(room.game)} room `, h('strong', { class: 'code' }, room.code), '.'),
        h('a', { class: 'button primary', href: roomHash(room.code, !room.isPlayer) }, 'Back to the room'),
        h('button', { onclick: () => void session.leaveRoom() }, 'Leave it'),
      );
    }
  }

  async function signOut(): Promise<void> {
    await session.signOut();
    window.location.hash = '#/';
    ctx.refresh();
  }

  // A room that ends while you look at another page (kicked, closed, lost) is explained.
  let explained: unknown;
  session.subscribe(() => {
    const closed = session.lastClosed;
    if (closed && closed !== explained) {
      explained = closed;
      const onItsPage = ctx.route.page === 'room' && ctx.route.code === closed.code;
      if (!onItsPage && closed.closeInfo && closed.closeInfo.reason !== 'left') notify(`Room ${closed.code}: ${closed.closeInfo.message}`, 'warning');
    }
  });
  session.subscribe(updateChrome);
  window.addEventListener('hashchange', route);
  window.addEventListener('pagehide', () => session.room?.dispose());

  main.replaceChildren(h('p', { class: 'loading' }, 'Connecting…'));
  const boot = async () => {
    try {
      await session.restore();
      route();
    } catch (error) {
      const retry = h('button', { class: 'primary', onclick: () => void boot() }, 'Try again');
      main.replaceChildren(h('section', { class: 'panel' }, h('h1', null, 'Cannot reach the server'), h('p', null, (error as Error).message), retry));
      notify((error as Error).message);
    }
  };
  void boot();
}
