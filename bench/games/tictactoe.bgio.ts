/**
 * Tic-tac-toe as a boardgame.io Game, for the side-by-side benchmark: the very same pure rules
 * Arena's `tictactoe` room uses (`src/games/tictactoe/rules.ts`), so both servers run identical
 * game logic. Moves run on the server only (`client: false`), like Arena's authoritative rooms.
 */
import type { Game } from 'boardgame.io';
import { INVALID_MOVE } from 'boardgame.io/core';
import { apply, createGame, type TicTacToeState } from '../../src/games/tictactoe/rules';

export const TicTacToeGame: Game<TicTacToeState> = {
  name: 'tictactoe',
  minPlayers: 2,
  maxPlayers: 2,
  setup: () => createGame(['0', '1']),
  turn: { minMoves: 1, maxMoves: 1 },
  moves: {
    place: {
      move: ({ G, playerID }, cell: number) => {
        const result = apply(G, playerID, { type: 'place', cell });
        return result.ok ? result.state : INVALID_MOVE;
      },
      client: false,
    },
  },
  endIf: ({ G }) => (G.result ? { winner: G.result } : undefined),
};
