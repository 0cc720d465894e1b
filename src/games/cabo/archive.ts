/**
 * A finished Cabo match as archived, and how the history API shows it. The match is over, so the
 * record is public in full: the seed, every action and every hand (a running match never leaves
 * the server). `verify` is the provably-fair check anyone can also run themselves.
 */
import type { ArchivePresenter, VerifyResult } from '../archive';
import { isSeed, seedCommitment, type Seed } from '../random';
import { publicReplay } from './publicReplay';
import { replay } from './replay';
import type { CaboState, LogEntry, MatchInit, PlayerId, RoundResult } from './types';

/** A seat as archived: id and display name. */
export interface CaboSeat {
  id: PlayerId;
  name: string;
}

/** What the archive keeps of one Cabo match. */
export interface CaboArchiveRecord {
  game: 'cabo';
  code: string;
  seats: CaboSeat[];
  /** The match's 256-bit seed (64 lowercase hex characters), revealed once the match is over. */
  seed: Seed;
  /** Lowercase hex SHA-256 of the seed's bytes, as published in state while the match ran. */
  seedCommitment: string;
  targetScore: number;
  actions: LogEntry[];
  rounds: RoundResult[];
  totals: Record<PlayerId, number>;
  ranking: PlayerId[];
  startedAt: number;
  endedAt: number;
}

/** The outcome of a finished match, as `game_over` announces it. */
export function caboResult(m: CaboState) {
  return { ranking: m.ranking ?? [], totals: Object.fromEntries(m.players.map((p) => [p.id, p.total])), rounds: m.rounds };
}

/** A finished match as the archive keeps it (seed and hands included: the match is over). */
export function caboArchiveRecord(code: string, match: { state: CaboState; seed: Seed; seats: CaboSeat[]; log: LogEntry[]; startedAt: number }, endedAt: number) {
  const { state: m, seed, seats, log, startedAt } = match;
  const { ranking, totals, rounds } = caboResult(m);
  const record: CaboArchiveRecord = {
    game: 'cabo', code, seats: seats.map(({ id, name }) => ({ id, name })), seed, seedCommitment: seedCommitment(seed),
    targetScore: m.targetScore, actions: log, rounds, totals, ranking, startedAt, endedAt,
  };
  return { result: { ranking, totals }, data: record };
}

function initOf(record: CaboArchiveRecord): MatchInit {
  return { seed: record.seed, players: record.seats.map((seat) => seat.id), targetScore: record.targetScore };
}

/** Whether the archived seed matches its commitment, and the log replays to the archived result. */
export function verifyCaboRecord(data: unknown): VerifyResult {
  const record = data as Partial<CaboArchiveRecord> | null;
  if (!record || !isSeed(record.seed) || !Array.isArray(record.seats) || !Array.isArray(record.actions)) {
    return { commitmentMatches: false, replayMatches: false };
  }
  const commitmentMatches = seedCommitment(record.seed) === record.seedCommitment;
  let replayMatches = false;
  try {
    const final = replay(initOf(record as CaboArchiveRecord), record.actions).at(-1)!;
    replayMatches =
      final.phase === 'matchOver' &&
      same(final.ranking, record.ranking) &&
      same(Object.fromEntries(final.players.map((p) => [p.id, p.total])), record.totals) &&
      same(final.rounds, record.rounds);
  } catch {
    replayMatches = false; // a rejected entry: the log is not the one that was played
  }
  return { commitmentMatches, replayMatches };
}

export const caboArchive: ArchivePresenter = {
  data: (data) => data,
  replay(data) {
    const record = data as CaboArchiveRecord;
    const { code, seats, seed, seedCommitment: commitment, targetScore } = record;
    return { game: 'cabo', code, seats, seed, seedCommitment: commitment, targetScore, steps: publicReplay(initOf(record), record.actions) };
  },
  verify: verifyCaboRecord,
};

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted, so key order (e.g. after a database round trip) never matters. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
