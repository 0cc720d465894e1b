/** IPC between the benchmark orchestrator (bench/run.ts) and its load processes (bench/worker.ts). */

export interface WorkerConfig {
  kind: 'cabo' | 'ttt' | 'bgio' | 'ws' | 'join';
  workerId: number;
  /** Distinguishes bot identities between runs and phases. */
  runId: string;
  /** ws://127.0.0.1:port for Arena and bare ws; http://127.0.0.1:port for boardgame.io. */
  endpoint: string;
  /** Arena's JWT_SECRET: bots sign their own tokens. */
  secret?: string;
  thinkMs: number;
  /** Players per room (Cabo quick match maxPlayers; bare-ws room size). */
  roomSize: number;
  /** Joins in flight at once while ramping. */
  concurrency: number;
  /** Bare ws: client → server message size. */
  upBytes?: number;
}

export type ToWorker =
  | { type: 'add'; count: number; start: number }
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'joins'; mode: 'quick' | 'code'; count: number; ratePerSecond: number; start: number }
  | { type: 'stop' };

export interface WindowReport {
  type: 'window';
  /** Action → acknowledgement latencies (ms) of the window. */
  samples: number[];
  /** Acknowledgements slower than 50 ms, by whole second of the window (do slow moves bunch?). */
  slowBySecond: number[];
  acks: number;
  matches: number;
  rejected: Record<string, number>;
  /** Connections the server closed during the window. */
  closed: number;
  requeues: number;
  clients: number;
  /** Bytes received on the client sockets (WebSocket frames incl. headers) during the window. */
  bytes: number;
  seconds: number;
  cpuPercent: number;
  lagP99Ms: number;
  lagMaxMs: number;
  rssBytes: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'added'; ok: number; failed: number; ms: number; errors: Record<string, number> }
  | WindowReport
  | { type: 'joins'; samples: number[]; failed: number; errors: Record<string, number>; seconds: number }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };
