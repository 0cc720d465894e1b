#!/usr/bin/env node
/**
 * `npm run build`: the server compiled by tsc (tsconfig.server.json) into `dist/` and the browser
 * client bundled by esbuild (src/web/build.ts, run with tsx) into `dist/web/`, side by side.
 * `dist/` is emptied first, so files moved or deleted under src/ leave nothing stale behind;
 * `dist/.build-stamp` is written last and marks a complete build.
 *
 *   node scripts/build.mjs              build
 *   node scripts/build.mjs --if-stale   build only when an input changed since the last build (prestart)
 *
 * Plain Node, no dependency of its own; the build itself needs the devDependencies.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const STAMP = path.join(DIST, '.build-stamp');

/** Inputs compared by mtime, relative to the package root (a directory with everything under it). */
const BY_MTIME = ['src', 'arena.config.ts', 'scripts/build.mjs'];
const isTsconfig = (name) => /^tsconfig.*\.json$/.test(name);
/** Inputs compared by content: npm rewrites them unchanged (`npm install`, `npm prune`). */
const BY_CONTENT = ['package.json', 'package-lock.json'];

const BUILD_TOOLS = ['typescript/bin/tsc', 'tsx', 'esbuild'];

/**
 * The newest input by mtime. Directories count too: moving, adding or deleting a file changes its
 * directory's mtime even when the file's own mtime is old.
 */
export function newestInput() {
  let newest = { file: undefined, mtimeMs: 0 };
  const visit = (file) => {
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return; // absent: e.g. a deployed tree without sources
    }
    if (stat.mtimeMs > newest.mtimeMs) newest = { file, mtimeMs: stat.mtimeMs };
    if (stat.isDirectory()) for (const name of fs.readdirSync(file)) visit(path.join(file, name));
  };
  for (const input of BY_MTIME) visit(path.join(ROOT, input));
  for (const name of fs.readdirSync(ROOT)) if (isTsconfig(name)) visit(path.join(ROOT, name));
  return newest;
}

function contentHashes() {
  const hashes = {};
  for (const name of BY_CONTENT) {
    const file = path.join(ROOT, name);
    hashes[name] = fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : null;
  }
  return hashes;
}

/** Why `dist/` must be rebuilt, or undefined when it is up to date. */
export function staleReason() {
  let builtAtMs;
  let stamp;
  try {
    builtAtMs = fs.statSync(STAMP).mtimeMs;
    stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    return 'no complete build in dist/';
  }
  const newest = newestInput();
  if (newest.mtimeMs > builtAtMs) return `${path.relative(ROOT, newest.file)} changed since the last build`;
  const hashes = contentHashes();
  for (const name of BY_CONTENT) {
    if (stamp.sha256?.[name] !== hashes[name]) return `${name} changed since the last build`;
  }
  return undefined;
}

const resolveFromRoot = (specifier) => createRequire(path.join(ROOT, 'package.json')).resolve(specifier);

function buildToolsInstalled() {
  try {
    BUILD_TOOLS.forEach(resolveFromRoot);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a devDependency of the build, or explains that the devDependencies are missing. */
function devDependency(specifier) {
  try {
    return resolveFromRoot(specifier);
  } catch {
    throw new Error(`the build needs the devDependencies (${specifier} is not installed): run npm ci`);
  }
}

function run(label, args) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(Date.now() - started);
      else reject(new Error(`${label} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

export async function build() {
  const started = new Date();
  const hashes = contentHashes();
  const [tsc] = BUILD_TOOLS.map(devDependency);
  fs.rmSync(DIST, { recursive: true, force: true });
  const [serverMs] = await Promise.all([
    run('tsc -p tsconfig.server.json', [tsc, '-p', 'tsconfig.server.json']),
    run('the web client build (src/web/build.ts)', ['--import', 'tsx', 'src/web/build.ts']),
  ]);
  // The stamp's mtime is the time the build started: a source saved during the build is newer.
  fs.writeFileSync(STAMP, `${JSON.stringify({ builtAt: started.toISOString(), sha256: hashes }, null, 2)}\n`);
  fs.utimesSync(STAMP, started, started);
  console.log(`server compiled into dist/ in ${serverMs} ms; build complete in ${Date.now() - started.getTime()} ms`);
}

async function main() {
  if (process.argv.includes('--if-stale')) {
    const reason = staleReason();
    if (!reason) return;
    if (fs.existsSync(STAMP) && !buildToolsInstalled()) {
      // e.g. a tree pruned with --omit=dev after a build: run what was built rather than refuse.
      console.warn(`dist/ may be out of date (${reason}), but the devDependencies that build it are not installed: using it as it is`);
      return;
    }
    console.log(`building dist/: ${reason}`);
  }
  await build();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
