import { ArraySchema, type } from '@colyseus/schema';
import { GameState, RoomConfigState } from './GameState';

export class TicTacToeState extends GameState {
  @type(RoomConfigState) config = new RoomConfigState();
  /** Nine cells, row by row: 'X', 'O' or ''. */
  @type(['string']) board = new ArraySchema<string>(...Array(9).fill(''));
  /** Player ids by mark: [X, O]. */
  @type(['string']) marks = new ArraySchema<string>();
  /** Winner's user id, 'draw', or '' while playing. */
  @type('string') result = '';
}
