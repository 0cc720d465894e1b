/** Result shapes of the benchmark and their text rendering (pure). */

export interface StepResult {
  clients: number;
  connected: number;
  failedJoins: number;
  connectSeconds: number;
  acks: number;
  actionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  matchesPerMinute: number;
  serverLagP99Ms: number;
  serverLagMaxMs?: number;
  serverCpuPercent: number;
  /** All load processes together (100 = one core). */
  loadCpuPercent: number;
  loadLagP99Ms: number;
  /** The longest event-loop stall of any load process during the window. */
  loadLagMaxMs?: number;
  serverRssMB: number;
  /** (server RSS at this step − RSS before any client) / connected clients. */
  rssPerClientKB: number;
  /** Bytes all clients of a room received per acknowledged action (WebSocket frames, headers included). */
  bytesPerAction: number;
  /** The same, per client of the room. */
  bytesPerClientPerAction: number;
  rejected: Record<string, number>;
  /** Acknowledgements slower than 50 ms by second of the window, all load processes together. */
  slowBySecond: number[];
  /** Share of those slow acknowledgements that fell in the window's worst three seconds (1 = all). */
  slowInWorst3s: number;
  closed: number;
  joinErrors?: Record<string, number>;
  holds: boolean;
  reason: string;
}

export interface JoinResult {
  mode: 'quick' | 'code';
  joins: number;
  ratePerSecond: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuPercent: number;
  errors: Record<string, number>;
}

import type { JournalCost as JournalCostResult } from './journalCost';
export type { JournalCostResult };

export interface BenchReport {
  startedAt: string;
  finishedAt?: string;
  durationSeconds?: number;
  smoke: boolean;
  machine: { cpus: number; cpuModel: string; memoryGB: number; node: string; platform: string };
  settings: {
    /** What-if run: Arena's journal on tmpfs (no real fsync). Not comparable with normal runs. */
    journalOnTmpfs?: boolean;
    /** Server on CPU 0, load processes on CPU 1 (taskset). */
    pinned?: boolean;
    thinkMs: number;
    windowSeconds: number;
    settleSeconds: number;
    p99TargetMs: number;
    loadProcesses: number;
    steps: number[];
    wsMessageBytes?: { up: number; down: number };
  };
  phases: {
    cabo?: StepResult[];
    joins?: JoinResult[];
    tictactoe?: StepResult[];
    boardgameio?: StepResult[];
    ws?: StepResult[];
  };
  /** Cost of one journal append (one accepted action), on disk and on tmpfs. */
  journal?: JournalCostResult[];
  summary?: { caboHeldClients: number; tictactoeHeldClients: number; boardgameioHeldClients: number; wsHeldClients: number };
  notes: string[];
  problems: string[];
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');

/** Markdown table with a header row. */
export function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** Ratio a/b as "1.23×", or "–" when either side is missing or not positive. */
export function ratio(a: number | undefined, b: number | undefined): string {
  // Values at or below 0 (e.g. a memory delta lost in the noise) make no ratio either.
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a <= 0 || b <= 0) return '–';
  return `${(a / b).toFixed(2)}×`;
}

function stepRows(name: string, steps: StepResult[] | undefined): string[][] {
  return (steps ?? []).map((s) => [
    name,
    int(s.clients),
    s.connected === s.clients ? int(s.connected) : `${int(s.connected)} (${int(s.failedJoins)} failed)`,
    int(s.actionsPerSecond),
    fixed(s.p50Ms),
    fixed(s.p99Ms),
    slowShare(s),
    s.matchesPerMinute > 0 ? int(s.matchesPerMinute) : '–',
    `${fixed(s.serverLagP99Ms)} / ${fixed(s.serverLagMaxMs ?? NaN, 0)}`,
    `${fixed(s.loadLagP99Ms)} / ${fixed(s.loadLagMaxMs ?? NaN, 0)}`,
    int(s.serverCpuPercent),
    int(s.loadCpuPercent),
    int(s.serverRssMB),
    fixed(s.rssPerClientKB),
    int(s.bytesPerAction),
    int(s.bytesPerClientPerAction),
    s.holds ? 'yes' : `no: ${s.reason}`,
  ]);
}

/** "12 of 40 (30 %)": how many slow acknowledgements, and how much of them three seconds hold. */
function slowShare(s: StepResult): string {
  const slow = (s.slowBySecond ?? []).reduce((a, b) => a + b, 0);
  return slow === 0 ? '0' : `${int(slow * s.slowInWorst3s)} of ${int(slow)} (${Math.round(100 * s.slowInWorst3s)} %)`;
}

/** Share of all slow acknowledgements that fell into the three worst seconds. */
export function worstSecondsShare(slowBySecond: number[], seconds = 3): number {
  const total = slowBySecond.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const worst = [...slowBySecond].sort((a, b) => b - a).slice(0, seconds).reduce((a, b) => a + b, 0);
  return worst / total;
}

/** Server CPU time per acknowledged action (ms): CPU % of one core × 10 / actions per second. */
export function cpuMsPerAction(s: StepResult): number {
  return s.actionsPerSecond > 0 ? (s.serverCpuPercent * 10) / s.actionsPerSecond : NaN;
}

/** The highest step that held, or undefined. */
export function highestHeld(steps: StepResult[] | undefined): StepResult | undefined {
  return (steps ?? []).filter((s) => s.holds).sort((a, b) => b.clients - a.clients)[0];
}

/** The largest client count measured in both runs. */
function commonStep(a: StepResult[] | undefined, b: StepResult[] | undefined): [StepResult, StepResult] | undefined {
  const counts = (a ?? []).map((s) => s.clients).filter((n) => (b ?? []).some((t) => t.clients === n));
  if (counts.length === 0) return undefined;
  const n = Math.max(...counts);
  return [a!.find((s) => s.clients === n)!, b!.find((s) => s.clients === n)!];
}

function comparison(label: string, a: StepResult[] | undefined, b: StepResult[] | undefined): string[][] {
  const rows: string[][] = [];
  const heldA = highestHeld(a)?.clients ?? 0;
  const heldB = highestHeld(b)?.clients ?? 0;
  rows.push([label, 'CCU held at p99 ≤ 50 ms', int(heldA), int(heldB), ratio(heldA, heldB)]);
  const common = commonStep(a, b);
  if (common) {
    const [x, y] = common;
    const at = `at ${int(x.clients)} clients`;
    rows.push([label, `p99 ms ${at}`, fixed(x.p99Ms), fixed(y.p99Ms), ratio(x.p99Ms, y.p99Ms)]);
    rows.push([label, `server CPU % ${at}`, int(x.serverCpuPercent), int(y.serverCpuPercent), ratio(x.serverCpuPercent, y.serverCpuPercent)]);
    rows.push([label, `server CPU ms per action ${at}`, fixed(cpuMsPerAction(x), 3), fixed(cpuMsPerAction(y), 3), ratio(cpuMsPerAction(x), cpuMsPerAction(y))]);
    rows.push([label, `server KB per client ${at}`, fixed(x.rssPerClientKB), fixed(y.rssPerClientKB), ratio(x.rssPerClientKB, y.rssPerClientKB)]);
    rows.push([label, `bytes per move (all clients) ${at}`, int(x.bytesPerAction), int(y.bytesPerAction), ratio(x.bytesPerAction, y.bytesPerAction)]);
  }
  return rows;
}

export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const parts: string[] = [];
  parts.push(
    `Arena benchmark ${report.smoke ? '(smoke) ' : ''}— ${report.startedAt}, ${fixed(report.durationSeconds ?? NaN, 0)} s\n` +
      `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}. ` +
      `Think time ${report.settings.thinkMs} ms, window ${report.settings.windowSeconds} s after ${report.settings.settleSeconds} s settle, ` +
      `${report.settings.loadProcesses} load processes on the same machine${report.settings.pinned ? ' (server pinned to CPU 0, load processes and orchestrator to CPU 1)' : ' (unpinned: servers and load share both CPUs)'}.`,
  );
  if (report.settings.journalOnTmpfs) {
    parts.push('**WHAT-IF RUN: Arena journaled to tmpfs (/dev/shm), so its fsyncs cost nothing. Not a headline figure.**');
  }
  const header = ['scenario', 'clients', 'connected', 'actions/s', 'p50 ms', 'p99 ms', 'slow (> 50 ms) in worst 3 s', 'matches/min', 'srv lag p99 / max ms', 'load lag p99 / max ms', 'srv CPU %', 'load CPU %', 'srv RSS MB', 'KB/client', 'B/action (room)', 'B/client/action', 'holds p99 ≤ 50 ms'];
  parts.push(
    table(header, [
      ...stepRows('Arena Cabo (4p)', report.phases.cabo),
      ...stepRows('Arena tic-tac-toe', report.phases.tictactoe),
      ...stepRows('boardgame.io tic-tac-toe', report.phases.boardgameio),
      ...stepRows('bare ws (Cabo sizes, 4p)', report.phases.ws),
    ]),
  );
  if (report.phases.joins?.length) {
    parts.push(
      table(
        ['join', 'joins', 'rate/s', 'ok', 'failed', 'p50 ms', 'p99 ms', 'max ms', 'srv CPU %'],
        report.phases.joins.map((j) => [j.mode === 'quick' ? 'quick match' : 'by code', int(j.joins), int(j.ratePerSecond), int(j.ok), int(j.failed), fixed(j.p50Ms), fixed(j.p99Ms), fixed(j.maxMs), int(j.serverCpuPercent)]),
      ),
    );
  }
  if (report.journal?.length) {
    parts.push(
      table(
        ['journal append (1 accepted action)', 'rooms appending at once', 'appends', 'mean µs', 'p50 µs', 'p99 µs', 'appends/s', 'appends per commit'],
        report.journal.map((j) => [j.where, int(j.rooms), int(j.appends), int(j.meanUs), int(j.p50Us), int(j.p99Us), int(j.appendsPerSecond), j.appendsPerCommit.toFixed(1)]),
      ),
    );
  }
  const ratios = [
    ...comparison('Arena / boardgame.io (tic-tac-toe)', report.phases.tictactoe, report.phases.boardgameio),
    ...comparison('Arena tic-tac-toe / bare ws', report.phases.tictactoe, report.phases.ws),
    ...comparison('Arena Cabo / bare ws', report.phases.cabo, report.phases.ws),
  ];
  if (ratios.length) parts.push(table(['ratio', 'metric', 'Arena', 'other', 'Arena / other'], ratios));
  if (report.notes.length) parts.push(`Notes:\n${report.notes.map((n) => `- ${n}`).join('\n')}`);
  if (report.problems.length) parts.push(`Problems:\n${report.problems.map((n) => `- ${n}`).join('\n')}`);
  return parts.join('\n\n');
}
