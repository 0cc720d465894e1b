/**
 * What the server holds per connected Cabo client: starts the compiled Arena server as the bench
 * does (bench/lib/processes startArena), records its memory at 0 clients, connects N playing Cabo
 * clients (bench/worker.ts, 4-player quick-match rooms, think time 1 s), records it again in the
 * middle of a window of play, each time with a heap snapshot, and prints both and the difference
 * per client. Then: `npx tsx bench/tools/heapSummary.ts <before> <after> <clients>`.
 *
 *   npx tsx bench/tools/memoryPerClient.ts [--clients 2000] [--window 60] [--no-snapshots]
 *   BENCH_ARENA_NODE_ARGS='--max-semi-space-size=4' npx tsx bench/tools/memoryPerClient.ts   # extra server flags
 *
 * Each point: RSS (anonymous / file-backed) from /proc, process.memoryUsage() and V8 heap space
 * sizes from a preload (--require, written next to the snapshots in bench/results/heap/<time>/),
 * then a heap snapshot (a full GC first; the point after it is printed too). The preload is a
 * measuring aid of this tool only; the server's code is unchanged. The snapshot signal is SIGWINCH:
 * SIGUSR2 would also start Colyseus' graceful shutdown. A snapshot leaves ~90 MB of freed malloc
 * memory in the process, so memory outside the JS heap is only comparable in --no-snapshots runs.
 */
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseFlags } from '../../loadtest/common';
import { ROOT, Worker, sleep, startArena } from '../lib/processes';
import type { WorkerConfig } from '../lib/protocol';
import { summarize } from '../lib/stats';

const flags = parseFlags(process.argv.slice(2));
const CLIENTS = typeof flags.clients === 'string' ? Number(flags.clients) : 2000;
const WINDOW_MS = (typeof flags.window === 'string' ? Number(flags.window) : 60) * 1000;
const SNAPSHOTS = flags['no-snapshots'] !== true;
const ROOM_SIZE = 4;
const WORKERS = 2;

const preloadSource = (dir: string) => `
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const threads = require('worker_threads');
if (threads.isMainThread) {
  // Worker threads (the SQLite journal) get this preload too, whatever execArgv they are given.
  const Base = threads.Worker;
  threads.Worker = class extends Base {
    constructor(file, options = {}) {
      super(file, { ...options, execArgv: [...(options.execArgv ?? []), '--require', __filename] });
    }
  };
}
const out = path.join(${JSON.stringify(dir)}, threads.isMainThread ? 'memory.json' : 'memory.worker' + threads.threadId + '.json');
const write = () => {
  const spaces = {};
  let physical = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    spaces[s.space_name] = { size: s.space_size, used: s.space_used_size, committed: s.physical_space_size };
    physical += s.physical_space_size;
  }
  fs.writeFileSync(out + '.tmp', JSON.stringify({ at: Date.now(), memory: { ...process.memoryUsage(), physical }, spaces }));
  fs.renameSync(out + '.tmp', out);
};
setInterval(write, 250).unref();
write();
`;

interface Point {
  label: string;
  rss: number;
  rssAnon: number;
  rssFile: number;
  threads: number;
  /** process.memoryUsage() and `physical`: the heap's resident part (sum of its spaces' physical sizes). */
  memory: NodeJS.MemoryUsage & { physical: number };
  /** Heap of the worker threads (the SQLite journal's), from their own process.memoryUsage(). */
  workers: { heapTotal: number; heapUsed: number; physical: number; external: number; arrayBuffers: number };
  spaces: Record<string, { size: number; used: number; committed: number }>;
  snapshot?: string;
}

function status(pid: number): { rss: number; rssAnon: number; rssFile: number; threads: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile') + kb('RssShmem'), threads: kb('Threads') / 1024 };
}

type Reading = { at: number; memory: Point['memory']; spaces: Point['spaces'] };

async function probe(pid: number, dir: string, label: string): Promise<Point> {
  const since = Date.now();
  // A fresh reading of the preload (it writes every 250 ms); /proc/<pid>/smaps kept for a closer look.
  for (let i = 0; i < 40; i++) {
    await sleep(100);
    const reading = JSON.parse(fs.readFileSync(path.join(dir, 'memory.json'), 'utf8')) as Reading;
    if (reading.at < since) continue;
    fs.writeFileSync(path.join(dir, `smaps.${label.replace(/\W+/g, '-')}.txt`), fs.readFileSync(`/proc/${pid}/smaps`));
    const workers = { heapTotal: 0, heapUsed: 0, physical: 0, external: 0, arrayBuffers: 0 };
    for (const name of fs.readdirSync(dir).filter((n) => /^memory\.worker\d+\.json$/.test(n))) {
      const { memory } = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Reading;
      for (const key of Object.keys(workers) as Array<keyof typeof workers>) workers[key] += memory[key];
    }
    return { label, ...status(pid), memory: reading.memory, workers, spaces: reading.spaces };
  }
  throw new Error('the memory probe did not answer');
}

async function snapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(pid, 'SIGWINCH');
  const deadline = Date.now() + 120_000;
  let last = -1;
  while (Date.now() < deadline) {
    await sleep(500);
    const file = fs.readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
    if (!file) continue;
    const size = fs.statSync(path.join(dir, file)).size;
    // Written in one go by the main thread: complete once it ends with the strings array.
    if (size === last && size > 0 && fs.readFileSync(path.join(dir, file)).subarray(-2).toString() === ']}') return path.join(dir, file);
    last = size;
  }
  throw new Error('no heap snapshot within 120 s');
}

const MB = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function print(points: Point[], clients: number): void {
  const rows: Array<[string, (p: Point) => number]> = [
    ['RSS', (p) => p.rss],
    ['  RssAnon', (p) => p.rssAnon],
    ['  RssFile+Shmem', (p) => p.rssFile],
    ['heapTotal', (p) => p.memory.heapTotal],
    ['  resident (spaces\' physical)', (p) => p.memory.physical],
    ['heapUsed', (p) => p.memory.heapUsed],
    ['external', (p) => p.memory.external],
    ['  arrayBuffers', (p) => p.memory.arrayBuffers],
    ['new space (size)', (p) => p.spaces.new_space?.size ?? 0],
    ['old space (size)', (p) => p.spaces.old_space?.size ?? 0],
    ['old space (used)', (p) => p.spaces.old_space?.used ?? 0],
    ['worker threads heapTotal', (p) => p.workers.heapTotal],
    ['worker threads heapUsed', (p) => p.workers.heapUsed],
    ['worker threads resident', (p) => p.workers.physical],
    ['RSS − heaps resident − arrayBuffers', (p) => p.rss - p.memory.physical - p.workers.physical - p.memory.arrayBuffers],
  ];
  const [idle] = points;
  const loaded = points.find((p) => p.label.startsWith(`${clients} clients`)) ?? points[points.length - 1];
  console.log(`\n${'MB'.padEnd(32)}${points.map((p) => p.label.padStart(24)).join('')}   KB/client (${loaded.label} − ${idle.label})`);
  for (const [name, get] of rows) {
    console.log(`${name.padEnd(32)}${points.map((p) => MB(get(p)).padStart(24)).join('')}   ${((get(loaded) - get(idle)) / 1024 / clients).toFixed(1).padStart(8)}`);
  }
  console.log(`${'threads'.padEnd(32)}${points.map((p) => String(p.threads).padStart(24)).join('')}`);
}

async function main(): Promise<void> {
  const dir = path.join(ROOT, 'bench/results/heap', new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  const preload = path.join(dir, 'memoryProbe.cjs');
  fs.writeFileSync(preload, preloadSource(dir));
  const extra = process.env.BENCH_ARENA_NODE_ARGS ?? '';
  process.env.BENCH_ARENA_NODE_ARGS = `--heapsnapshot-signal=SIGWINCH --diagnostic-dir=${dir} --require=${preload} ${extra}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-memory-'));
  const secret = crypto.randomBytes(32).toString('base64url');
  const server = await startArena({ secret, dataDir });
  const runId = crypto.randomBytes(3).toString('hex');
  const workers = Array.from({ length: WORKERS }, (_, workerId) => new Worker({
    kind: 'cabo', workerId, runId: `${runId}cabo`, endpoint: `ws://127.0.0.1:${server.port}`, secret, thinkMs: 1000, roomSize: ROOM_SIZE, concurrency: 16,
  } satisfies WorkerConfig));
  const points: Point[] = [];
  try {
    console.log(`server pid ${server.pid}, node flags: ${process.env.BENCH_ARENA_NODE_ARGS}`);
    await sleep(3000);
    points.push(await probe(server.pid, dir, '0 clients'));
    if (SNAPSHOTS) {
      const file = await snapshot(server.pid, dir);
      points[points.length - 1].snapshot = file;
      points.push(await probe(server.pid, dir, '0, after snapshot'));
    }
    const perWorker = Math.floor(CLIENTS / ROOM_SIZE / WORKERS) * ROOM_SIZE;
    const counts = [perWorker, CLIENTS - perWorker];
    let start = 0;
    const added = await Promise.all(workers.map((worker, i) => {
      const from = start;
      start += counts[i];
      return worker.request({ type: 'add', count: counts[i], start: from }, 'added', 60_000 + counts[i] * 50);
    }));
    const connected = added.reduce((sum, a) => sum + a.ok, 0);
    console.log(`connected ${connected} of ${CLIENTS} (${added.reduce((sum, a) => sum + a.failed, 0)} failed)`);
    await sleep(4000);
    await Promise.all(workers.map((w) => w.request({ type: 'window-start' }, 'ready', 10_000)));
    // RSS every second of the window: one reading lands anywhere on the GC's saw-tooth.
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(status(server.pid).rss), 1000);
    await sleep(WINDOW_MS / 2);
    points.push(await probe(server.pid, dir, `${CLIENTS} clients`));
    if (SNAPSHOTS) {
      points[points.length - 1].snapshot = await snapshot(server.pid, dir);
      points.push(await probe(server.pid, dir, `${CLIENTS}, after snapshot`));
    }
    await sleep(WINDOW_MS / 2);
    clearInterval(sampler);
    const windows = await Promise.all(workers.map((w) => w.request({ type: 'window-end' }, 'window', 30_000)));
    const acks = windows.reduce((sum, w) => sum + w.acks, 0);
    const seconds = windows[0].seconds;
    const latency = summarize(windows.flatMap((w) => w.samples));
    console.log(`window: ${(acks / seconds).toFixed(0)} actions/s, action → ack p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (snapshot pauses included), ${windows.reduce((sum, w) => sum + w.closed, 0)} closed`);
    print(points, CLIENTS);
    const perClient = (rss: number) => ((rss - points[0].rss) / 1024 / CLIENTS).toFixed(1);
    const readings = rssSamples.filter((_, i) => !SNAPSHOTS || i < WINDOW_MS / 2000 - 1); // before the snapshot
    const window = summarize(readings);
    console.log(`RSS over the window (${window.count} readings${SNAPSHOTS ? ', until the snapshot' : ''}), KB per client above 0 clients: min ${perClient(Math.min(...readings))}, mean ${perClient(window.mean)}, max ${perClient(window.max)}`);
    fs.writeFileSync(path.join(dir, 'points.json'), JSON.stringify({ clients: CLIENTS, connected, nodeArgs: process.env.BENCH_ARENA_NODE_ARGS, points }, null, 2));
    const files = points.filter((p) => p.snapshot).map((p) => path.relative(ROOT, p.snapshot!));
    if (files.length === 2) console.log(`\nnpx tsx bench/tools/heapSummary.ts ${files.join(' ')} ${connected}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
