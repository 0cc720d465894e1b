/**
 * boardgame.io tic-tac-toe bots: a pair of real boardgame.io clients (`boardgame.io/client` with
 * the socket.io transport) in one match, created through the server's Lobby API. Same behaviour as
 * the Arena bot: random empty cell after a think time; after the game, player 0 asks for a rematch
 * with the Lobby API's `playAgain` and both move to the next match over their open sockets.
 */
import type { Socket } from 'net';
import { Client } from 'boardgame.io/client';
import { SocketIO } from 'boardgame.io/multiplayer';
import { TicTacToeGame } from '../games/tictactoe.bgio';
import { randomEmptyCell, type TttEvents } from './tictactoeBots';
import { thinkDelay } from '../../loadtest/common';

type BgioClient = ReturnType<typeof Client>;

interface BgioState {
  G: { board: string[] };
  ctx: { currentPlayer: string; gameover?: unknown };
  _stateID: number;
}

async function lobby<T>(base: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}/games/tictactoe${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`lobby ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

class Seat {
  readonly client: BgioClient;
  private pending?: { stateID: number; sentAt: number };
  private timer?: NodeJS.Timeout;
  stopped = false;

  constructor(
    readonly pair: BgioPair,
    readonly playerID: '0' | '1',
    matchID: string,
    credentials: string,
    base: string,
    private readonly thinkMs: number,
    private readonly events: TttEvents,
    onSocket: (socket: Socket) => void,
  ) {
    this.client = Client({
      game: TicTacToeGame,
      numPlayers: 2,
      multiplayer: SocketIO({ server: base, socketOpts: { transports: ['websocket'], forceNew: true, reconnection: false } }),
      matchID,
      playerID,
      credentials,
      debug: false,
    });
    this.client.start();
    const socket = (this.client as unknown as { transport: { socket: any } }).transport.socket;
    socket.on('connect', () => {
      const raw = socket.io?.engine?.transport?.ws?._socket as Socket | undefined;
      if (raw) onSocket(raw);
    });
    socket.on('disconnect', () => {
      if (!this.stopped) this.events.finished('closed');
      this.stop();
    });
    const confirm = (stateID: number) => {
      if (this.pending && stateID > this.pending.stateID) {
        this.events.ack(performance.now() - this.pending.sentAt);
        this.pending = undefined;
      }
    };
    socket.on('update', (_matchID: string, state: BgioState) => confirm(state._stateID));
    socket.on('patch', (_matchID: string, _prev: number, stateID: number) => confirm(stateID));
    this.client.subscribe((state) => this.onState(state as unknown as BgioState | null));
  }

  private onState(state: BgioState | null): void {
    if (!state || this.stopped) return;
    if (state.ctx.gameover) {
      this.pending = undefined;
      if (this.playerID === '0') this.pair.gameOver(state);
      return;
    }
    this.pair.playing();
    if (this.timer || this.pending || state.ctx.currentPlayer !== this.playerID) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = this.client.getState() as unknown as BgioState | null;
      if (!now || this.stopped || this.pending || now.ctx.gameover || now.ctx.currentPlayer !== this.playerID) return;
      const cell = randomEmptyCell(now.G.board);
      if (cell < 0) return;
      this.pending = { stateID: now._stateID, sentAt: performance.now() };
      this.client.moves.place(cell);
    }, thinkDelay(this.thinkMs));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.client.stop();
  }
}

/** Two clients in one boardgame.io match, rematching after each game. */
export class BgioPair {
  private seats: Seat[] = [];
  private matchID = '';
  private credentials: [string, string] = ['', ''];
  private rematching = false;

  private constructor(
    private readonly base: string,
    private readonly thinkMs: number,
    private readonly events: TttEvents,
  ) {}

  static async open(base: string, index: number, thinkMs: number, events: TttEvents, onSocket: (socket: Socket) => void): Promise<BgioPair> {
    const pair = new BgioPair(base, thinkMs, events);
    await pair.newMatch(index);
    pair.seats = (['0', '1'] as const).map(
      (playerID, seat) => new Seat(pair, playerID, pair.matchID, pair.credentials[seat], base, thinkMs, events, onSocket),
    );
    return pair;
  }

  private async newMatch(index: number): Promise<void> {
    const { matchID } = await lobby<{ matchID: string }>(this.base, '/create', { numPlayers: 2 });
    await this.joinBoth(matchID, index);
  }

  private async joinBoth(matchID: string, index: number): Promise<void> {
    const credentials = await Promise.all(
      (['0', '1'] as const).map(async (playerID) => {
        const joined = await lobby<{ playerCredentials: string }>(this.base, `/${matchID}/join`, { playerID, playerName: `bot${index}-${playerID}` });
        return joined.playerCredentials;
      }),
    );
    this.matchID = matchID;
    this.credentials = [credentials[0], credentials[1]];
  }

  /** Player 0 saw the game end: count it and start the rematch after a think time. */
  gameOver(_state: BgioState): void {
    if (this.rematching) return;
    this.rematching = true;
    this.events.matchOver(true);
    setTimeout(() => void this.rematch(), thinkDelay(this.thinkMs));
  }

  /** A state of a running game: any rematch is in place, so the next game-over counts. */
  playing(): void {
    this.rematching = false;
  }

  private async rematch(): Promise<void> {
    if (this.seats.some((seat) => seat.stopped)) return;
    try {
      const { nextMatchID } = await lobby<{ nextMatchID: string }>(this.base, `/${this.matchID}/playAgain`, {
        playerID: '0',
        credentials: this.credentials[0],
      });
      await this.joinBoth(nextMatchID, 0);
      this.seats.forEach((seat, i) => {
        seat.client.updateCredentials(this.credentials[i]);
        seat.client.updateMatchID(nextMatchID);
      });
    } catch (error) {
      this.events.rejected(String((error as Error).message ?? error));
    }
  }

  close(): void {
    for (const seat of this.seats) seat.close();
  }
}
