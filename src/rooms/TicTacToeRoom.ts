/**
 * `tictactoe`: the smallest complete game on Arena — the example to copy when adding one.
 * Rules live in `src/games/tictactoe` (pure); this room only validates, journals, applies and
 * mirrors. Everything else (codes, seats, host, reconnection, timers, limits) is the base's.
 */
import { z } from 'zod';
import { ArraySchema } from '@colyseus/schema';
import { GameRoom, type BaseRoomOptions } from './GameRoom';
import { buildOptionSchemas } from './options';
import { TicTacToeState } from './schema/TicTacToeState';
import { messageSchema } from '../protocol/messages';
import { ArenaError } from '../protocol/errors';
import { archive } from './archive';
import { apply, createGame, type TicTacToeAction, type TicTacToeState as Game } from '../games/tictactoe/rules';

/** Client messages of the game (the catalogue entry for tictactoe). */
export const tictactoeMessages = {
  /** Put your mark on cell 0–8 (row by row). */
  place: messageSchema({ cell: z.number().int() }),
};

export class TicTacToeRoom extends GameRoom<TicTacToeState> {
  static override optionSchemas = buildOptionSchemas({ seatRange: [2, 2], maxPlayers: 2, minPlayers: 2, turnSeconds: 20 }, {});

  private game?: Game;
  private moves: Array<{ playerId: string; action: TicTacToeAction }> = [];
  private startedAt = 0;

  protected createState() {
    return new TicTacToeState();
  }

  protected override registerMessages() {
    this.handle('place', tictactoeMessages.place, 'player', async ({ userId }, { cell }) => {
      this.requirePlaying();
      await this.play(userId, { type: 'place', cell });
    });
  }

  protected async onMatchStart() {
    const [x, o] = this.seatedPlayers();
    this.game = createGame([x, o]);
    this.moves = [];
    this.startedAt = Date.now();
    await this.journal.saveNow({ resetLog: true });
    this.mirror();
  }

  protected override async onTurnTimeout(userId: string) {
    if (this.state.phase === 'playing') await this.play(userId, { type: 'timeout' });
  }

  protected override onForfeit(userId: string) {
    this.runSystemTask(() => (this.state.phase === 'playing' ? this.play(userId, { type: 'resign' }) : undefined));
  }

  protected override gameSnapshot() {
    return this.game ? { players: this.game.players, startedAt: this.startedAt } : null;
  }

  protected override restoreGame(snapshot: unknown, events: unknown[]) {
    const saved = snapshot as { players: [string, string]; startedAt: number } | null;
    if (!saved) return;
    this.startedAt = saved.startedAt;
    this.game = createGame(saved.players);
    for (const move of events as typeof this.moves) {
      const result = apply(this.game, move.playerId, move.action);
      if (result.ok) this.game = result.state;
      this.moves.push(move);
    }
    this.mirror();
  }

  /** Rule → journal → state: a refused move throws and changes nothing. */
  private async play(playerId: string, action: TicTacToeAction) {
    if (!this.game) throw new ArenaError('GAME_NOT_STARTED', 'no game yet');
    const result = apply(this.game, playerId, action);
    if (!result.ok) throw new ArenaError(result.code, result.message);
    await this.journal.append({ playerId, action });
    this.game = result.state;
    this.moves.push({ playerId, action });
    this.mirror();
    if (this.game.result) this.finish();
  }

  private mirror() {
    const game = this.game!;
    game.board.forEach((mark, cell) => {
      if (this.state.board[cell] !== mark) this.state.board[cell] = mark;
    });
    if (this.state.marks.join() !== game.players.join()) this.state.marks = new ArraySchema<string>(...game.players);
    this.state.result = game.result;
    if (game.turn) this.turnTimer.start(game.turn, this.options.turnSeconds);
  }

  private finish() {
    const game = this.game!;
    this.finishMatch();
    this.broadcast('game_over', { result: game.result });
    archive.submit({
      game: 'tictactoe',
      code: this.roomId,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      participants: game.players.map((id) => ({ userId: id, name: this.state.players.get(id)?.name ?? '' })),
      result: { winner: game.result },
      data: { players: game.players, moves: this.moves, board: game.board },
    });
  }
}
