/** A finished tic-tac-toe game has no secrets: the history API shows its record in full. */
import type { ArchivePresenter } from '../archive';

export const tictactoeArchive: ArchivePresenter = {
  data: (data) => data,
};
