/** Display names and per-game facts the lobby needs. */
export const GAMES: Record<string, { title: string; blurb: string; midMatchJoin: boolean }> = {
  cabo: { title: 'Cabo', blurb: 'Card game for 2–6: remember your cards, lowest hand wins.', midMatchJoin: false },
  tabletop: { title: 'Tabletop', blurb: 'Role-playing session: chat, whisper, dice and a GM.', midMatchJoin: true },
  tictactoe: { title: 'Tic-tac-toe', blurb: 'Two players, three in a row.', midMatchJoin: false },
};

export function gameTitle(game: string): string {
  return GAMES[game]?.title ?? game;
}

export function phaseLabel(phase: string, game = ''): string {
  if (game === 'tabletop' && phase === 'playing') return 'In session';
  return phase === 'waiting' ? 'Waiting' : phase === 'playing' ? 'Playing' : phase === 'finished' ? 'Finished' : phase;
}

/** Whether a new player may take a seat now (spectators may always try). */
export function seatsOpen(room: { game: string; phase: string; players: number; maxPlayers: number }): boolean {
  const joinablePhase = room.phase !== 'playing' || Boolean(GAMES[room.game]?.midMatchJoin);
  return joinablePhase && room.players < room.maxPlayers;
}
