/**
 * `tictactoe`: the smallest complete game on Arena, the one to copy. Its rules are pure
 * (src/games/tictactoe); the engine host does everything else. This room only mirrors the rules
 * state into Schema and says what the archive keeps.
 */
import { ArraySchema } from '@colyseus/schema';
import { tictactoeEngine, type TicTacToeAction, type TicTacToeEvent, type TicTacToeState as Game } from '../games/tictactoe/rules';
import { tictactoeArchive } from '../games/tictactoe/archive';
import { EngineRoom, type Match } from './EngineRoom';
import { buildOptionSchemas } from './options';
import { TicTacToeState } from './schema/TicTacToeState';
import { tictactoeMessages } from '../protocol/tictactoe';
import type { GameDefinition } from '../matchmaking/registry';

export class TicTacToeRoom extends EngineRoom<TicTacToeState, Game, TicTacToeAction, TicTacToeEvent, Record<string, never>> {
  static override optionSchemas = buildOptionSchemas({ seatRange: [2, 2], maxPlayers: 2, minPlayers: 2, turnSeconds: 20 }, {});
  protected readonly engine = tictactoeEngine;
  protected readonly messages = tictactoeMessages;

  protected createState() {
    return new TicTacToeState();
  }

  protected matchOptions() {
    return {};
  }

  protected mirror(game: Game) {
    game.board.forEach((mark, cell) => {
      if (this.state.board[cell] !== mark) this.state.board[cell] = mark;
    });
    if (this.state.marks.join() !== game.players.join()) this.state.marks = new ArraySchema<string>(...game.players);
    this.state.result = game.result;
  }

  protected override gameOver(game: Game) {
    return { result: game.result };
  }

  protected archiveRecord({ state: game, log }: Match<Game, TicTacToeAction, Record<string, never>>) {
    return { result: { winner: game.result }, data: { players: game.players, moves: log, board: game.board } };
  }
}

export const tictactoe: GameDefinition = { name: 'tictactoe', room: TicTacToeRoom, archive: tictactoeArchive };
