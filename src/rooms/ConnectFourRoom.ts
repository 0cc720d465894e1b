/** `connectfour`: four in a row on a 7 × 6 board. Pure rules in src/games/connectfour; the engine host does the rest. */
import { ArraySchema } from '@colyseus/schema';
import { COLUMNS, connectFourEngine, type ConnectFourAction, type ConnectFourEvent, type ConnectFourOptions, type ConnectFourState as Game } from '../games/connectfour/rules';
import { connectFourArchive } from '../games/connectfour/archive';
import { EngineRoom, type Match } from './EngineRoom';
import { buildOptionSchemas } from './options';
import { ConnectFourState } from './schema/ConnectFourState';
import { connectFourMessages } from '../protocol/connectfour';
import type { GameDefinition } from '../matchmaking/registry';

export class ConnectFourRoom extends EngineRoom<ConnectFourState, Game, ConnectFourAction, ConnectFourEvent, ConnectFourOptions> {
  static override optionSchemas = buildOptionSchemas({ seatRange: [2, 2], maxPlayers: 2, minPlayers: 2, turnSeconds: 30 }, {});
  protected readonly engine = connectFourEngine;
  protected readonly messages = connectFourMessages;

  protected createState() {
    return new ConnectFourState();
  }

  protected matchOptions() {
    return {};
  }

  protected mirror(game: Game) {
    game.board.forEach((disc, cell) => {
      if (this.state.board[cell] !== disc) this.state.board[cell] = disc;
    });
    if (this.state.discs.join() !== game.players.join()) this.state.discs = new ArraySchema<string>(...game.players);
    this.state.result = game.result ? (game.result.reason === 'draw' ? 'draw' : game.result.winner) : '';
    const cells = game.result?.reason === 'four' ? game.result.cells.map(({ column, row }) => row * COLUMNS + column) : [];
    if (cells.join() !== this.state.winningCells.join()) this.state.winningCells = new ArraySchema<number>(...cells);
  }

  protected override gameOver(game: Game) {
    return { winner: game.result && game.result.reason !== 'draw' ? game.result.winner : '', cells: game.result?.reason === 'four' ? game.result.cells : [] };
  }

  protected archiveRecord({ state: game, log }: Match<Game, ConnectFourAction, ConnectFourOptions>) {
    return { result: { winner: this.state.result }, data: { players: game.players, moves: log, result: game.result } };
  }
}

export const connectFour: GameDefinition = { name: 'connectfour', room: ConnectFourRoom, archive: connectFourArchive };
