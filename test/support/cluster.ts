/**
 * Three Arena processes on one Redis database and one PostgreSQL schema of their own, for the
 * suites that test what several processes do together (test/e2e/cluster, stall). Call it inside
 * a `describe`: it starts the processes before the suite and removes everything after it.
 */
import crypto from 'crypto';
import fs from 'fs';
import Redis from 'ioredis';
import { Client } from 'colyseus.js';
import { Pool } from 'pg';
import { freePort, httpJson, tempDir } from './arena';
import { startArenaProcess, type ArenaProcess } from './process';
import { requireService } from './services';

export interface ClusterNode {
  server: ArenaProcess;
  /** host:port, also its PUBLIC_ADDRESS. */
  address: string;
  port: number;
  dataDir: string;
  url: string;
  http: string;
}

export interface Identity {
  token: string;
  user: { id: string };
}

export interface Cluster {
  /** The running processes (a suite may replace one it killed). */
  nodes: ClusterNode[];
  redis: Redis;
  /** Starts one more process, or restarts one under the same port, address and data directory. */
  startNode(reuse?: { port: number; dataDir: string }): Promise<ClusterNode>;
  guest(node: ClusterNode, name: string): Promise<Identity>;
  client(node: ClusterNode, token: string): Client;
}

export function threeProcesses(options: { redisDb: number; name: string; leaseSeconds: number }): Cluster {
  let env: Record<string, string> = {};
  let schema: string | undefined;
  const dataDirs: string[] = [];
  const cluster: Cluster = {
    nodes: [],
    redis: undefined as unknown as Redis,
    async startNode(reuse) {
      const port = reuse?.port ?? (await freePort());
      const address = `127.0.0.1:${port}`;
      const dataDir = reuse?.dataDir ?? tempDir(`arena-${options.name}-`);
      if (!reuse) dataDirs.push(dataDir);
      const server = startArenaProcess({ ...env, PORT: String(port), PUBLIC_ADDRESS: address, DATA_DIR: dataDir });
      await server.waitUntilHealthy();
      return { server, address, port, dataDir, url: `ws://${address}`, http: `http://${address}` };
    },
    async guest(node, name) {
      return (await httpJson(node.http, 'POST', '/api/auth/guest', { body: { name } })).body;
    },
    client(node, token) {
      const client = new Client(node.url);
      client.auth.token = token;
      return client;
    },
  };

  before(async function () {
    const redisUrl = new URL(requireService(this, 'REDIS_URL'));
    const databaseUrl = requireService(this, 'DATABASE_URL');
    redisUrl.pathname = `/${options.redisDb}`;
    cluster.redis = new Redis(redisUrl.toString());
    await cluster.redis.flushdb();
    schema = `arena_${options.name}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    env = {
      REDIS_URL: redisUrl.toString(),
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      JWT_SECRET: crypto.randomBytes(32).toString('base64url'),
      LEASE_SECONDS: String(options.leaseSeconds),
      LOG_LEVEL: 'warn',
    };
    cluster.nodes = [await cluster.startNode(), await cluster.startNode(), await cluster.startNode()];
  });

  after(async () => {
    // a process a test stopped (SIGSTOP) must run again to be killed cleanly
    for (const node of cluster.nodes) if (node.server.child.pid && node.server.child.exitCode === null) node.server.child.kill('SIGCONT');
    await Promise.all(cluster.nodes.map((node) => node.server.stop('SIGKILL')));
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (cluster.redis) {
      await cluster.redis.flushdb();
      cluster.redis.disconnect();
    }
    if (schema && process.env.DATABASE_URL) {
      const pool = new Pool({ connectionString: process.env.DATABASE_URL });
      await pool.query(`drop schema if exists "${schema}" cascade`);
      await pool.end();
    }
  });
  return cluster;
}
