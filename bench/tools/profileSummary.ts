/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --profile`):
 * self time per function and per package, the hottest first; then the longest stretches in which
 * the event loop never went idle (what a stall is made of), with the frames busiest inside each.
 *
 *   npx tsx bench/tools/profileSummary.ts bench/results/profiles/<file>.cpuprofile [top=30]
 */
import fs from 'fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profileSummary <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/src/')) return `src/${url.split('/src/')[1]}`;
  if (url.startsWith('node:')) return url;
  return url ? url.split('/').slice(-2).join('/') : '(native)';
}

const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const place = where(url);
  const key = `${functionName || '(anonymous)'}  ${place}${url ? `:${lineNumber + 1}` : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const group = url ? place.split('/')[0] === 'src' ? place : place : functionName;
  pkg.set(group, (pkg.get(group) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nself time by function:');
for (const [key, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${key}`);
console.log('\nself time by package / file:');
for (const [key, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${key}`);

// Stalls: runs of consecutive non-idle samples (the main thread busy without a break).
const idleIds = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
/** The innermost frame of a sample that is Arena's or a package's own code (not a native leaf). */
function owner(id: number): string {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const { functionName, url } = byId.get(at)!.callFrame;
    if (url && !url.startsWith('node:')) return `${functionName || '(anonymous)'} ${where(url)}`;
  }
  return byId.get(id)!.callFrame.functionName || '(native)';
}
interface Stretch { startUs: number; us: number; samples: number[] }
const stretches: Stretch[] = [];
let current: Stretch | undefined;
let clock = profile.startTime;
profile.samples.forEach((id, i) => {
  clock += profile.timeDeltas[i] ?? 0;
  if (idleIds.has(id)) {
    if (current) stretches.push(current);
    current = undefined;
    return;
  }
  current ??= { startUs: clock, us: 0, samples: [] };
  current.us += profile.timeDeltas[i + 1] ?? 0;
  current.samples.push(id);
});
if (current) stretches.push(current);
const longest = stretches.sort((a, b) => b.us - a.us).slice(0, 8);
console.log('\nlongest busy stretches (no idle sample):');
for (const stretch of longest) {
  const counts = new Map<string, number>();
  for (const id of stretch.samples) counts.set(owner(id), (counts.get(owner(id)) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([name, n]) => `${name} ${Math.round((100 * n) / stretch.samples.length)}%`);
  console.log(`${(stretch.us / 1000).toFixed(1).padStart(7)} ms at +${((stretch.startUs - profile.startTime) / 1e6).toFixed(1)} s: ${busiest.join(', ')}`);
}
const long = stretches.filter((stretch) => stretch.us > 20_000);
console.log(`stretches over 20 ms: ${long.length}; their seconds: ${[...new Set(long.map((s) => Math.floor((s.startUs - profile.startTime) / 1e6)))].sort((a, b) => a - b).join(' ')}`);
const stalls = new Map<string, number>();
let stallSamples = 0;
for (const stretch of long) for (const id of stretch.samples) {
  stalls.set(owner(id), (stalls.get(owner(id)) ?? 0) + 1);
  stallSamples++;
}
console.log('inside them:');
for (const [name, n] of [...stalls].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${((100 * n) / stallSamples).toFixed(1).padStart(5)}%  ${name}`);
