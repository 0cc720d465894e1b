/**
 * The layers hold: no import cycle anywhere in the server or the browser client, and the pure
 * game rules (src/games) import nothing outside src/games but Node's built-ins.
 */
import { strict as assert } from 'assert';
import fs from 'fs';
import path from 'path';
import { builtinModules } from 'module';
import madge from 'madge';

const ROOT = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('architecture', function () {
  this.timeout(60_000);

  it('has no import cycle in src/ (type-only imports included)', async () => {
    const graph = await madge([path.join(ROOT, 'src'), path.join(ROOT, 'arena.config.ts')], {
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.json'),
    });
    assert.deepEqual(graph.circular(), []);
  });

  it('keeps the game rules pure: src/games imports only src/games and Node built-ins', () => {
    const games = path.join(ROOT, 'src/games');
    const outside: string[] = [];
    for (const file of sourceFiles(games)) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'|\brequire\('([^']+)'\)/g)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        const builtin = builtinModules.includes(specifier.replace(/^node:/, ''));
        const inside = specifier.startsWith('.') && path.resolve(path.dirname(file), specifier).startsWith(games + path.sep);
        if (!builtin && !inside) outside.push(`${path.relative(ROOT, file)} imports ${specifier}`);
      }
    }
    assert.deepEqual(outside, []);
  });
});
