/**
 * How a game's archived record is shown over HTTP (`GET /api/games/:id`, `/replay`, `/verify`).
 * Each game registers one with its room; the API knows no game by name. A game without a
 * presenter shows only the summary (participants, result, times): archives fail closed.
 */

/** What a fair-play check of an archived match found. */
export interface VerifyResult {
  /** `sha256(seed bytes)` equals the commitment published when the match started. */
  commitmentMatches: boolean;
  /** Replaying the archived actions from the seed reproduces the archived result. */
  replayMatches: boolean;
}

export interface ArchivePresenter {
  /** The game's record (`data`) as `viewerId` (undefined: anonymous) may see it. */
  data(data: unknown, viewerId: string | undefined): unknown;
  /** A step-by-step replay for `viewerId`; absent: the game has none (404). */
  replay?(data: unknown, viewerId: string | undefined): unknown;
  /** Recomputes the seed commitment and replays the log; absent: nothing to verify (404). */
  verify?(data: unknown): VerifyResult;
}
