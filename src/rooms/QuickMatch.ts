/**
 * Quick match (SPEC §4): seats promised to joiners who have a reservation but have not arrived,
 * and the start countdown.
 *
 * Promises: concurrent quick joiners all find the same open room, so a joiner's reservation
 * counts as a promised seat; once seats + promises reach `maxPlayers` the room leaves the
 * quick-match listing, and a reservation beyond that is refused (the matchmaker tries another
 * room or creates one).
 *
 * Countdown: when `minPlayers` are seated it runs `countdownSeconds`, each join resets it, never
 * past 3 × `countdownSeconds` after it first started; below `minPlayers` it stops; a full room
 * starts at once.
 */
export interface QuickMatchHost {
  /** Runs `work` after `ms`, in turn with the room's messages. */
  later(ms: number, work: () => Promise<void>): { clear(): void };
  now(): number;
  /** Starts the match if the room is still waiting with enough players. */
  start(): Promise<void>;
  /** Runs `work` now, in turn with the room's messages. */
  soon(work: () => Promise<void>): void;
}

export interface QuickMatchSettings {
  minPlayers: number;
  maxPlayers: number;
  countdownSeconds: number;
}

/** A countdown never runs longer than this many countdowns from its first start. */
const COUNTDOWN_CAP = 3;

export class QuickMatch {
  /** Epoch ms when the match starts by itself; 0 when no countdown runs. */
  startsAt = 0;
  private readonly promises = new Set<string>();
  private countdown?: { clear(): void };
  private countdownStartedAt = 0;

  constructor(private readonly host: QuickMatchHost) {}

  promise(sessionId: string): void {
    this.promises.add(sessionId);
  }

  /** The promise of `sessionId` ended (it arrived, or its reservation failed); true if there was one. */
  release(sessionId: string): boolean {
    return this.promises.delete(sessionId);
  }

  /** Promises whose reservation is still pending (lapsed ones are dropped). */
  pending(isReserved: (sessionId: string) => boolean): number {
    for (const sessionId of this.promises) if (!isReserved(sessionId)) this.promises.delete(sessionId);
    return this.promises.size;
  }

  /** The number of seated players changed (`joined`: by a join): start, arm or stop the countdown. */
  seatsChanged(seated: number, joined: boolean, settings: QuickMatchSettings): void {
    if (seated >= settings.maxPlayers) {
      this.cancel();
      this.host.soon(() => this.host.start());
      return;
    }
    if (seated < settings.minPlayers) return this.cancel();
    if (this.countdown && !joined) return;
    const now = this.host.now();
    if (!this.countdown) this.countdownStartedAt = now;
    const cap = this.countdownStartedAt + COUNTDOWN_CAP * settings.countdownSeconds * 1000;
    this.startsAt = Math.min(now + settings.countdownSeconds * 1000, cap);
    this.countdown?.clear();
    this.countdown = this.host.later(this.startsAt - now, async () => {
      this.countdown = undefined;
      await this.host.start();
    });
  }

  cancel(): void {
    this.countdown?.clear();
    this.countdown = undefined;
    this.startsAt = 0;
  }
}
