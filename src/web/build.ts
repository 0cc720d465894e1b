/**
 * Builds the browser client into `dist/web/`: `app.js` (esbuild bundle of `client/main.ts` with
 * colyseus.js), `styles.css`, and `index.html` whose asset URLs carry a content hash (cache busting).
 * The client reads the server's types from src/protocol with `import type` (erased by esbuild);
 * a build whose bundle would contain any other module of src/ than src/web/client fails.
 * `npm run build` (scripts/build.mjs) runs this file with tsx beside tsc; tests call `buildWeb()`.
 * A build tool, not part of the compiled server (tsconfig.server.json leaves it out: esbuild is a
 * devDependency).
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { build } from 'esbuild';
import { WEB_ROOT } from './paths';

const SOURCE = __dirname;
const CLIENT = path.join(SOURCE, 'client');
/** `src/`: nothing of it but the client belongs in the bundle. */
const SOURCE_ROOT = path.dirname(SOURCE);
export { WEB_ROOT };

export interface BuildResult {
  outDir: string;
  files: string[];
  bytes: number;
}

export async function buildWeb(options: { outDir?: string; minify?: boolean } = {}): Promise<BuildResult> {
  const outDir = options.outDir ?? WEB_ROOT;
  const minify = options.minify ?? true;
  fs.mkdirSync(outDir, { recursive: true });

  const bundle = await build({
    entryPoints: [path.join(SOURCE, 'client/main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify,
    sourcemap: 'linked',
    outfile: path.join(outDir, 'app.js'),
    write: false,
    legalComments: 'linked',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
  });
  const serverCode = Object.keys(bundle.metafile.inputs)
    .map((input) => path.resolve(input))
    .filter((file) => file.startsWith(SOURCE_ROOT + path.sep) && !file.startsWith(CLIENT + path.sep));
  if (serverCode.length > 0) {
    const names = serverCode.map((file) => path.relative(path.dirname(SOURCE_ROOT), file)).join(', ');
    throw new Error(`the browser bundle must not contain server code, but it would contain ${names}: import server types with \`import type\``);
  }

  const files: Record<string, Buffer | string> = {};
  for (const file of bundle.outputFiles) files[path.basename(file.path)] = Buffer.from(file.contents);
  files['styles.css'] = fs.readFileSync(path.join(SOURCE, 'styles.css'));
  files['favicon.svg'] = fs.readFileSync(path.join(SOURCE, 'favicon.svg'));

  const hash = (name: string) => crypto.createHash('sha256').update(files[name]).digest('hex').slice(0, 10);
  files['index.html'] = fs
    .readFileSync(path.join(SOURCE, 'index.html'), 'utf8')
    .replace('%APP_JS%', `app.js?v=${hash('app.js')}`)
    .replace('%STYLES_CSS%', `styles.css?v=${hash('styles.css')}`);

  // index.html last, so a server never serves a page whose script is not written yet.
  const names = Object.keys(files).filter((name) => name !== 'index.html').concat('index.html');
  let bytes = 0;
  for (const name of names) {
    const target = path.join(outDir, name);
    fs.writeFileSync(`${target}.tmp`, files[name]);
    fs.renameSync(`${target}.tmp`, target);
    bytes += Buffer.byteLength(files[name]);
  }
  return { outDir, files: names, bytes };
}

if (require.main === module) {
  const started = Date.now();
  buildWeb()
    .then(({ outDir, files, bytes }) => {
      const where = path.relative(process.cwd(), outDir) || outDir;
      console.log(`web client built into ${where}/ (${files.length} files, ${Math.round(bytes / 1024)} kB) in ${Date.now() - started} ms`);
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
