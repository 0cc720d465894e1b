/**
 * The two storage backends, for suites that run once per backend: SQLite (always) and
 * PostgreSQL (with DATABASE_URL; pending with a warning otherwise), each PostgreSQL suite in a
 * schema of its own that is dropped afterwards.
 */
import crypto from 'crypto';
import { Pool } from 'pg';
import type { Settings } from '../../src/config';
import { requireService } from './services';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Settings overrides selecting the backend (call inside a mocha hook). */
  settings(context: Mocha.Context): Partial<Settings>;
  /** Drops what the suite created. */
  cleanup(): Promise<void>;
}

export function backends(): Backend[] {
  const schemas: string[] = [];
  return [
    { name: 'sqlite', settings: () => ({}), cleanup: async () => {} },
    {
      name: 'postgres',
      settings(context) {
        const url = requireService(context, 'DATABASE_URL');
        const schema = `arena_t${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
        schemas.push(schema);
        return { databaseUrl: url, databaseSchema: schema };
      },
      async cleanup() {
        if (!process.env.DATABASE_URL || schemas.length === 0) return;
        const pool = new Pool({ connectionString: process.env.DATABASE_URL });
        try {
          for (const schema of schemas.splice(0)) await pool.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await pool.end();
        }
      },
    },
  ];
}
