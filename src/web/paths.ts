/**
 * Where the built client lives (shared by the build script and the server, which must not load
 * esbuild): `dist/web/`, beside the compiled server (`dist/src/…`, see tsconfig.server.json).
 * Resolved from this file, never from the working directory: two levels up from `src/web/` is the
 * package root when running the TypeScript sources (tsx: tests, tools, `npm run build`) and `dist/`
 * when running the compiled server (`node dist/src/index.js`).
 */
import path from 'path';

const compiled = path.extname(__filename) === '.js';
const up = path.resolve(__dirname, '../..');

/** The build's output directory: the compiled server and the web client. */
export const DIST = compiled ? up : path.join(up, 'dist');
export const WEB_ROOT = path.join(DIST, 'web');
