/** Tic-tac-toe: the smallest game on Arena, a 3×3 board of buttons. */
import { h, render, countdown } from '../dom';
import type { AppContext } from '../routes';
import { RoomShell } from './shell';
import { list, type TicTacToeGame } from '../types';
import type { RoomSession } from '../session';

export function mountTicTacToe(main: HTMLElement, ctx: AppContext, rs: RoomSession<TicTacToeGame>): () => void {
  const shell = new RoomShell<TicTacToeGame>(ctx, rs, {
    seatRange: [2, 2],
    playerExtras: (player, state) => {
      const mark = list(state.marks).indexOf(player.id);
      return mark >= 0 ? h('span', { class: 'badge' }, mark === 0 ? 'X' : 'O') : null;
    },
  });
  const board = h('div', { class: 'ttt' });
  shell.main.appendChild(board);
  main.replaceChildren(shell.root);

  const update = () => {
    const state = rs.state;
    if (!state?.config) return;
    shell.update();
    const marks = list(state.marks);
    const myMark = marks[0] === rs.me ? 'X' : marks[1] === rs.me ? 'O' : '';
    const myTurn = state.phase === 'playing' && state.turn === rs.me;
    const name = (id: string) => state.players.get(id)?.name ?? 'someone';
    const status =
      state.phase === 'waiting'
        ? 'Waiting for two players and the host’s start.'
        : state.result === 'draw'
          ? 'Draw!'
          : state.result
            ? `${state.result === rs.me ? 'You win' : `${name(state.result)} wins`}!`
            : myTurn
              ? 'Your turn'
              : `${name(state.turn)}'s turn`;
    render(
      board,
      h('p', { class: 'turn-line', 'aria-live': 'polite' }, h('strong', null, status), myMark ? ` · you are ${myMark}` : '', state.turnDeadline && !state.result ? [' · ', countdown(state.turnDeadline, ' s left')] : null),
      h(
        'div',
        { class: 'ttt-board', role: 'grid', 'aria-label': 'Board' },
        list(state.board).map((cell, index) =>
          h(
            'button',
            {
              class: `ttt-cell${cell ? ` mark-${cell}` : ''}`,
              'data-key': `cell-${index}`,
              disabled: !myTurn || cell !== '',
              'aria-label': `Row ${Math.floor(index / 3) + 1}, column ${(index % 3) + 1}: ${cell || 'empty'}`,
              onclick: () => shell.send('place', { cell: index }),
            },
            cell,
          ),
        ),
      ),
    );
  };
  const unsubscribe = rs.subscribe(update);
  update();
  return () => {
    unsubscribe();
    shell.destroy();
  };
}
