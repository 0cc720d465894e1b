/** Any other game room (e.g. a game added on the server without a page yet): room, players, host controls. */
import { h } from '../dom';
import type { AppContext } from '../routes';
import { RoomShell } from './shell';
import type { RoomSession } from '../session';

export function mountGeneric(main: HTMLElement, ctx: AppContext, rs: RoomSession): () => void {
  const shell = new RoomShell(ctx, rs, { seatRange: [1, 12] });
  shell.main.appendChild(h('p', { class: 'panel hint' }, `This browser client has no table for “${rs.game}” yet; the room, its players and the host controls work.`));
  main.replaceChildren(shell.root);
  const unsubscribe = rs.subscribe(() => shell.update());
  shell.update();
  return () => {
    unsubscribe();
    shell.destroy();
  };
}
