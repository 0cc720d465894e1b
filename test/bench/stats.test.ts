import assert from 'assert';
import { cpuTicksFromStat, percentileSorted, prometheusValue, rssFromStatus, summarize } from '../../bench/lib/stats';
import { formatReport, cpuMsPerAction, highestHeld, ratio, table, worstSecondsShare, type BenchReport, type StepResult } from '../../bench/lib/report';
import { randomEmptyCell } from '../../bench/lib/tictactoeBots';
import { parseFlags, thinkDelay } from '../../loadtest/common';

describe('bench: percentiles and summaries', () => {
  it('uses the nearest-rank method', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentileSorted(sorted, 50), 5);
    assert.equal(percentileSorted(sorted, 90), 9);
    assert.equal(percentileSorted(sorted, 99), 10);
    assert.equal(percentileSorted(sorted, 100), 10);
    assert.equal(percentileSorted(sorted, 0), 1);
    assert.equal(percentileSorted(sorted, 10), 1);
    assert.equal(percentileSorted(sorted, 11), 2);
    assert.equal(percentileSorted([42], 99), 42);
    assert.ok(Number.isNaN(percentileSorted([], 50)));
    assert.throws(() => percentileSorted(sorted, 101), RangeError);
    assert.throws(() => percentileSorted(sorted, NaN), RangeError);
  });

  it('p99 of 1,000 samples is the 990th smallest, whatever the input order', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1).reverse();
    const summary = summarize(samples);
    assert.equal(summary.count, 1000);
    assert.equal(summary.p50, 500);
    assert.equal(summary.p99, 990);
    assert.equal(summary.max, 1000);
    assert.equal(summary.mean, 500.5);
    assert.equal(samples[0], 1000, 'input left unsorted');
  });

  it('summarises no samples as NaN, not as zero', () => {
    const summary = summarize([]);
    assert.equal(summary.count, 0);
    assert.ok(Number.isNaN(summary.p99) && Number.isNaN(summary.mean));
  });
});

describe('bench: /proc and Prometheus parsing', () => {
  it('reads utime + stime even when the process name has spaces and parentheses', () => {
    const stat = '1234 (node (tsx) x) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 11 0 100 0 0';
    assert.equal(cpuTicksFromStat(stat), 325);
    assert.throws(() => cpuTicksFromStat('garbage'));
  });

  it('reads VmRSS in bytes', () => {
    assert.equal(rssFromStatus('Name:\tnode\nVmPeak:\t 1 kB\nVmRSS:\t  204800 kB\nThreads: 11\n'), 204800 * 1024);
    assert.throws(() => rssFromStatus('Name: node'));
  });

  it('finds a metric value, skipping comments and labelled lookalikes', () => {
    const text = [
      '# HELP arena_process_nodejs_eventloop_lag_p99_seconds The 99th percentile',
      '# TYPE arena_process_nodejs_eventloop_lag_p99_seconds gauge',
      'arena_process_nodejs_eventloop_lag_p99_seconds_total 9',
      'arena_process_nodejs_eventloop_lag_p99_seconds 0.012',
    ].join('\n');
    assert.equal(prometheusValue(text, 'arena_process_nodejs_eventloop_lag_p99_seconds'), 0.012);
    assert.equal(prometheusValue('x{room="cabo"} 3\n', 'x'), 3);
    assert.equal(prometheusValue('y 1\n', 'x'), undefined);
  });
});

function step(clients: number, p99Ms: number, extra: Partial<StepResult> = {}): StepResult {
  return {
    clients,
    connected: clients,
    failedJoins: 0,
    connectSeconds: 1,
    acks: 100,
    actionsPerSecond: 10,
    p50Ms: 1,
    p99Ms,
    maxMs: p99Ms,
    matchesPerMinute: 0,
    serverLagP99Ms: 10,
    serverCpuPercent: 50,
    loadCpuPercent: 20,
    loadLagP99Ms: 10,
    serverRssMB: 100,
    rssPerClientKB: 20,
    bytesPerAction: 400,
    bytesPerClientPerAction: 100,
    rejected: {},
    slowBySecond: [],
    slowInWorst3s: 0,
    closed: 0,
    holds: p99Ms <= 50,
    reason: p99Ms <= 50 ? '' : 'p99',
    ...extra,
  };
}

describe('bench: report', () => {
  it('finds the highest step that held and forms ratios', () => {
    assert.equal(highestHeld([step(1000, 10), step(2000, 40), step(5000, 80)])?.clients, 2000);
    assert.equal(highestHeld([step(1000, 80)]), undefined);
    assert.equal(ratio(2000, 1000), '2.00×');
    assert.equal(ratio(1, 0), '–');
    assert.equal(ratio(undefined, 3), '–');
    assert.equal(table(['a', 'b'], [['1', '2']]), '| a | b |\n|---|---|\n| 1 | 2 |');
  });

  it('derives server CPU time per action from CPU % and actions per second', () => {
    assert.equal(cpuMsPerAction(step(1000, 10, { serverCpuPercent: 50, actionsPerSecond: 1000 })), 0.5);
    assert.ok(Number.isNaN(cpuMsPerAction(step(1000, 10, { actionsPerSecond: 0 }))));
  });

  it('measures how much of the slow acknowledgements three seconds hold', () => {
    assert.equal(worstSecondsShare([]), 0);
    assert.equal(worstSecondsShare([0, 0, 0]), 0);
    assert.equal(worstSecondsShare([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 0.3);
    assert.equal(worstSecondsShare([0, 9, 0, 0, 1, 0, 0, 0, 0, 0]), 1);
    assert.equal(worstSecondsShare([5, 1, 1, 1, 4, 1, 1, 1, 1, 4]), 13 / 20);
  });

  it('renders a whole report with every section', () => {
    const report: BenchReport = {
      startedAt: '2026-01-01T00:00:00.000Z',
      durationSeconds: 100,
      smoke: false,
      machine: { cpus: 2, cpuModel: 'cpu', memoryGB: 8, node: 'v20', platform: 'Linux' },
      settings: { thinkMs: 1000, windowSeconds: 10, settleSeconds: 4, p99TargetMs: 50, loadProcesses: 2, steps: [1000, 2000] },
      phases: {
        cabo: [step(1000, 10), step(2000, 60)],
        joins: [{ mode: 'quick', joins: 1000, ratePerSecond: 100, ok: 1000, failed: 0, p50Ms: 3, p99Ms: 15, maxMs: 30, serverCpuPercent: 20, errors: {} }],
        tictactoe: [step(1000, 10), step(2000, 20)],
        boardgameio: [step(1000, 30), step(2000, 70, { bytesPerAction: 2000 })],
        ws: [step(1000, 1), step(2000, 1)],
      },
      journal: [{ where: 'disk', rooms: 1, appends: 10, meanUs: 250, p50Us: 200, p99Us: 600, appendsPerSecond: 4000, appendsPerCommit: 1 }],
      notes: ['a note'],
      problems: [],
    };
    const text = formatReport(report);
    assert.match(text, /\| Arena Cabo \(4p\) \| 2,000 \|/);
    assert.match(text, /no: p99/);
    assert.match(text, /Arena \/ boardgame\.io \(tic-tac-toe\) \| CCU held at p99 ≤ 50 ms \| 2,000 \| 1,000 \| 2\.00×/);
    assert.match(text, /bytes per move \(all clients\) at 2,000 clients \| 400 \| 2,000 \| 0\.20×/);
    assert.match(text, /\| quick match \| 1,000 \|/);
    assert.match(text, /journal append/);
    assert.match(text, /- a note/);
  });
});

describe('bench: bot helpers', () => {
  it('picks only empty cells, and -1 on a full board', () => {
    const board = ['X', '', 'O', 'X', 'O', '', 'X', 'O', 'X'];
    for (let i = 0; i < 50; i++) assert.ok([1, 5].includes(randomEmptyCell(board)));
    assert.equal(randomEmptyCell(Array(9).fill('X')), -1);
    assert.equal(randomEmptyCell(['', 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'X'], () => 0.999), 0);
  });

  it('spreads think times over [0.5, 1.5] × the mean', () => {
    assert.equal(thinkDelay(1000, () => 0), 500);
    assert.equal(thinkDelay(1000, () => 0.5), 1000);
    assert.ok(thinkDelay(1000, () => 0.999999) < 1500);
  });

  it('parses flags in both spellings', () => {
    assert.deepEqual(parseFlags(['--numClients', '200', '--smoke', '--only=cabo,ws', '--x']), { numClients: '200', smoke: true, only: 'cabo,ws', x: true });
  });
});
