import { ArraySchema, type } from '@colyseus/schema';
import { GameState, RoomConfigState } from './GameState';

export class ConnectFourState extends GameState {
  @type(RoomConfigState) config = new RoomConfigState();
  /** 7 × 6 cells, bottom row first (cell (column, row) at `row * 7 + column`): 'red', 'yellow' or ''. */
  @type(['string']) board = new ArraySchema<string>(...Array(42).fill(''));
  /** Player ids by colour: [red, yellow]. */
  @type(['string']) discs = new ArraySchema<string>();
  /** Winner's user id, 'draw', or '' while playing. */
  @type('string') result = '';
  /** The four winning cells as board indexes (empty otherwise). */
  @type(['uint8']) winningCells = new ArraySchema<number>();
}
