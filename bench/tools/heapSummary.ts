/**
 * Summarises V8 .heapsnapshot files (from `node --heapsnapshot-signal=SIGWINCH`, e.g. through
 * BENCH_ARENA_NODE_ARGS, or bench/tools/memoryPerClient.ts) and, given two, what the second holds
 * more than the first, per client:
 *   - self size by constructor / type name (with counts);
 *   - the heap split by owner: each object goes to its nearest dominator whose class is one of
 *     the owner classes (innermost wins: a Client inside a room counts as Client), so the lines add
 *     up to the whole snapshot. Native nodes (ArrayBuffer backing stores, "system / JSArrayBufferData")
 *     count where they are dominated, like any object.
 *
 *   npx tsx bench/tools/heapSummary.ts <snapshot> [top=40]
 *   npx tsx bench/tools/heapSummary.ts <before> <after> [clients] [top=40] [--owners=A,B,...]
 *
 * Parses the file without one big JSON.parse (a snapshot of a loaded server exceeds V8's
 * maximum string length), so it needs memory of about twice the file's size.
 */
import fs from 'fs';

/** Classes whose instances own what they dominate (override with --owners=…). */
const DEFAULT_OWNERS = [
  // sockets and the ws / Colyseus client layers
  'Socket', 'TCP', 'WebSocket', 'Receiver', 'Sender', 'WebSocketClient', 'ClientArray', 'IncomingMessage', 'ServerResponse',
  // rooms and what hangs off them
  // rooms (registry.withServices names every room class Served)
  'Served', 'CaboRoom', 'TictactoeRoom', 'TabletopRoom', 'ConnectFourRoom', 'StateView', 'Encoder', 'Decoder', 'SchemaSerializer', 'ChangeTree',
  'CaboState', 'CaboPlayerState', 'CardState', 'RoomJournal', 'Clock', 'Delayed', 'Membership', 'SeatRegistry', 'RoomClock',
  'Deferred', 'RoomCache', 'Timeout', 'TimerList',
];

interface Meta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

export interface Snapshot {
  file: string;
  nodes: Uint32Array;
  edges: Uint32Array;
  strings: string[];
  nodeFields: number;
  edgeFields: number;
  nodeTypes: string[];
  edgeTypes: string[];
  nodeCount: number;
  /** Offset (in `edges`) of each node's first edge; nodeCount + 1 entries. */
  firstEdge: Uint32Array;
  f: { type: number; name: number; selfSize: number; edgeCount: number };
  e: { type: number; nameOrIndex: number; toNode: number };
}

function indexOf(buf: Buffer, marker: string, from = 0): number {
  const at = buf.indexOf(marker, from, 'latin1');
  if (at < 0) throw new Error(`no ${marker} in the snapshot`);
  return at;
}

/** The unsigned integers of `buf[start, end)` (a JSON array's body of plain numbers). */
function parseNumbers(buf: Buffer, start: number, end: number): Uint32Array {
  let count = 0;
  let inNumber = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    const digit = c >= 48 && c <= 57;
    if (digit && !inNumber) count++;
    inNumber = digit;
  }
  const out = new Uint32Array(count);
  let n = 0;
  let value = 0;
  inNumber = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else if (inNumber) {
      out[n++] = value;
      value = 0;
      inNumber = false;
    }
  }
  if (inNumber) out[n++] = value;
  return out;
}

export function load(file: string): Snapshot {
  const buf = fs.readFileSync(file);
  const nodesAt = indexOf(buf, '"nodes":[');
  const edgesAt = indexOf(buf, '"edges":[', nodesAt);
  const afterEdges = indexOf(buf, ']', edgesAt);
  const stringsAt = indexOf(buf, '"strings":[', afterEdges);
  const head = buf.toString('utf8', 0, nodesAt).trim().replace(/,$/, '') + '}';
  const meta = (JSON.parse(head) as { snapshot: { meta: Meta } }).snapshot.meta;
  const nodes = parseNumbers(buf, nodesAt + 9, indexOf(buf, ']', nodesAt));
  const edges = parseNumbers(buf, edgesAt + 9, afterEdges);
  const stringsEnd = buf.lastIndexOf(']');
  const strings = JSON.parse(buf.toString('utf8', stringsAt + 10, stringsEnd + 1)) as string[];
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const f = {
    type: meta.node_fields.indexOf('type'),
    name: meta.node_fields.indexOf('name'),
    selfSize: meta.node_fields.indexOf('self_size'),
    edgeCount: meta.node_fields.indexOf('edge_count'),
  };
  const e = { type: meta.edge_fields.indexOf('type'), nameOrIndex: meta.edge_fields.indexOf('name_or_index'), toNode: meta.edge_fields.indexOf('to_node') };
  const nodeCount = nodes.length / nodeFields;
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let i = 0, offset = 0; i < nodeCount; i++) {
    firstEdge[i] = offset;
    offset += nodes[i * nodeFields + f.edgeCount] * edgeFields;
    firstEdge[i + 1] = offset;
  }
  if (firstEdge[nodeCount] !== edges.length) throw new Error(`${file}: edge counts do not match the edges (${firstEdge[nodeCount]} vs ${edges.length})`);
  return { file, nodes, edges, strings, nodeFields, edgeFields, nodeTypes: meta.node_types[0], edgeTypes: meta.edge_types[0], nodeCount, firstEdge, f, e };
}

/** Grouping name of a node: constructor for objects, "(type)" or "type name" otherwise. */
export function groupName(s: Snapshot, node: number): string {
  const type = s.nodeTypes[s.nodes[node * s.nodeFields + s.f.type]];
  const name = s.strings[s.nodes[node * s.nodeFields + s.f.name]];
  switch (type) {
    case 'object':
      return name;
    case 'closure':
      return `closure ${name || '(anonymous)'}`;
    case 'native':
    case 'hidden':
    case 'synthetic':
    case 'array':
    case 'object shape':
      return name.startsWith('system / ') || name.startsWith('(') ? name : `${type} ${name.length > 60 ? name.slice(0, 57) + '…' : name}`;
    case 'code':
      return '(compiled code)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    default:
      return `(${type})`;
  }
}

const selfSize = (s: Snapshot, node: number) => s.nodes[node * s.nodeFields + s.f.selfSize];

/**
 * Immediate dominators (Cooper, Harvey & Kennedy's iterative algorithm over the post order, as
 * Chrome DevTools does), from the root (node 0) over every edge but weak ones and shortcuts
 * not at the root. Returns post-order numbers and idom by post-order number; unreachable: -1.
 */
function dominators(s: Snapshot): { postOrder: Int32Array; order: Uint32Array; idom: Int32Array; reachable: number } {
  const { nodeCount, edges, firstEdge, edgeFields } = s;
  const weak = s.edgeTypes.indexOf('weak');
  const shortcut = s.edgeTypes.indexOf('shortcut');
  const essential = (from: number, edge: number) => {
    const type = edges[edge + s.e.type];
    return type !== weak && (type !== shortcut || from === 0);
  };
  const postOrder = new Int32Array(nodeCount).fill(-1);
  const order = new Uint32Array(nodeCount); // post-order number → node
  const visited = new Uint8Array(nodeCount);
  const stackNode = new Uint32Array(nodeCount);
  const stackEdge = new Uint32Array(nodeCount);
  let top = 0;
  let count = 0;
  stackNode[0] = 0;
  stackEdge[0] = firstEdge[0];
  visited[0] = 1;
  while (top >= 0) {
    const node = stackNode[top];
    let edge = stackEdge[top];
    const end = firstEdge[node + 1];
    let pushed = false;
    for (; edge < end; edge += edgeFields) {
      if (!essential(node, edge)) continue;
      const to = edges[edge + s.e.toNode] / s.nodeFields;
      if (visited[to]) continue;
      visited[to] = 1;
      stackEdge[top] = edge + edgeFields;
      top++;
      stackNode[top] = to;
      stackEdge[top] = firstEdge[to];
      pushed = true;
      break;
    }
    if (!pushed) {
      postOrder[node] = count;
      order[count++] = node;
      top--;
    }
  }
  // Retainers (predecessors) by post-order number, reachable nodes only.
  const predCount = new Uint32Array(count + 1);
  for (let node = 0; node < nodeCount; node++) {
    if (postOrder[node] < 0) continue;
    for (let edge = firstEdge[node]; edge < firstEdge[node + 1]; edge += edgeFields) {
      if (!essential(node, edge)) continue;
      const to = postOrder[edges[edge + s.e.toNode] / s.nodeFields];
      predCount[to + 1]++;
    }
  }
  for (let i = 0; i < count; i++) predCount[i + 1] += predCount[i];
  const preds = new Uint32Array(predCount[count]);
  const fill = predCount.slice(0, count);
  for (let node = 0; node < nodeCount; node++) {
    const from = postOrder[node];
    if (from < 0) continue;
    for (let edge = firstEdge[node]; edge < firstEdge[node + 1]; edge += edgeFields) {
      if (!essential(node, edge)) continue;
      const to = postOrder[edges[edge + s.e.toNode] / s.nodeFields];
      preds[fill[to]++] = from;
    }
  }
  const root = count - 1;
  const idom = new Int32Array(count).fill(-1);
  idom[root] = root;
  for (let changed = true; changed; ) {
    changed = false;
    for (let v = root - 1; v >= 0; v--) {
      let next = -1;
      for (let p = predCount[v]; p < predCount[v + 1]; p++) {
        let a = preds[p];
        if (idom[a] < 0) continue;
        if (next < 0) {
          next = a;
          continue;
        }
        let b = next;
        while (a !== b) {
          while (a < b) a = idom[a];
          while (b < a) b = idom[b];
        }
        next = a;
      }
      if (next >= 0 && idom[v] !== next) {
        idom[v] = next;
        changed = true;
      }
    }
  }
  return { postOrder, order, idom, reachable: count };
}

interface Summary {
  total: number;
  nodes: number;
  bySelf: Map<string, { size: number; count: number }>;
  byOwner: Map<string, { size: number; owners: number }>;
  /** What each owner holds, by self-size name. */
  inOwner: Map<string, Map<string, number>>;
  /** What each owner holds, by the owner's property that leads to it ("(self)": the owner's own nodes). */
  viaOwner: Map<string, Map<string, number>>;
}

function summarize(file: string, owners: Set<string>): Summary {
  const s = load(file);
  const bySelf = new Map<string, { size: number; count: number }>();
  let total = 0;
  const names: string[] = new Array(s.nodeCount);
  for (let node = 0; node < s.nodeCount; node++) {
    const name = groupName(s, node);
    names[node] = name;
    const size = selfSize(s, node);
    total += size;
    const row = bySelf.get(name) ?? { size: 0, count: 0 };
    row.size += size;
    row.count++;
    bySelf.set(name, row);
  }
  const { order, idom, reachable } = dominators(s);
  const ownerOf: string[] = new Array(reachable);
  const ownerNode = new Int32Array(reachable).fill(-1);
  const via = new Int32Array(reachable).fill(-1);
  const viaName = new Map<number, string>();
  const viaOwner = new Map<string, Map<string, number>>();
  const edgeName = (from: number, to: number): string => {
    for (let edge = s.firstEdge[from]; edge < s.firstEdge[from + 1]; edge += s.edgeFields) {
      if (s.edges[edge + s.e.toNode] / s.nodeFields !== to) continue;
      const type = s.edgeTypes[s.edges[edge + s.e.type]];
      const value = s.edges[edge + s.e.nameOrIndex];
      return type === 'element' || type === 'hidden' ? `[${type} ${value}]` : type === 'property' ? `.${s.strings[value]}` : `(${type} ${s.strings[value]})`;
    }
    return `(indirect) ${groupName(s, to)}`;
  };
  const byOwner = new Map<string, { size: number; owners: number }>();
  const inOwner = new Map<string, Map<string, number>>();
  let claimed = 0;
  for (let v = reachable - 1; v >= 0; v--) {
    const node = order[v];
    const own = owners.has(names[node]) ? names[node] : undefined;
    const owner = own ?? (v === reachable - 1 ? '(not owned)' : ownerOf[idom[v]]);
    ownerOf[v] = owner;
    if (own) ownerNode[v] = v;
    else if (v !== reachable - 1) {
      const parent = idom[v];
      ownerNode[v] = ownerNode[parent];
      via[v] = ownerNode[parent] === parent ? v : via[parent];
    }
    if (ownerNode[v] >= 0) {
      let label = '(self)';
      if (via[v] >= 0) {
        label = viaName.get(via[v]) ?? edgeName(order[ownerNode[v]], order[via[v]]);
        viaName.set(via[v], label);
      }
      const byVia = viaOwner.get(owner) ?? new Map<string, number>();
      byVia.set(label, (byVia.get(label) ?? 0) + selfSize(s, node));
      viaOwner.set(owner, byVia);
    }
    const row = byOwner.get(owner) ?? { size: 0, owners: 0 };
    row.size += selfSize(s, node);
    if (own && ownerOf[idom[v]] !== own) row.owners++;
    byOwner.set(owner, row);
    const held = inOwner.get(owner) ?? new Map<string, number>();
    held.set(names[node], (held.get(names[node]) ?? 0) + selfSize(s, node));
    inOwner.set(owner, held);
    claimed += selfSize(s, node);
  }
  byOwner.set('(reachable only through weak edges)', { size: total - claimed, owners: 0 });
  return { total, nodes: s.nodeCount, bySelf, byOwner, inOwner, viaOwner };
}

const KB = (bytes: number) => (bytes / 1024).toFixed(1);

function table(title: string, rows: string[][]): void {
  console.log(`\n${title}`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}

function main(): void {
  const args = process.argv.slice(2);
  const ownersFlag = args.find((a) => a.startsWith('--owners='));
  const owners = new Set(ownersFlag ? ownersFlag.slice(9).split(',') : DEFAULT_OWNERS);
  const positional = args.filter((a) => !a.startsWith('--'));
  const files = positional.filter((a) => a.endsWith('.heapsnapshot'));
  const numbers = positional.filter((a) => !a.endsWith('.heapsnapshot')).map(Number);
  if (files.length < 1 || files.length > 2) {
    console.error('usage: heapSummary <snapshot> [top]  |  heapSummary <before> <after> [clients] [top] [--owners=A,B]');
    process.exit(2);
  }
  if (files.length === 1) {
    const [top = 40] = numbers;
    const one = summarize(files[0], owners);
    console.log(`${files[0]}: ${one.nodes.toLocaleString()} nodes, ${KB(one.total)} KB`);
    const bySelf = [...one.bySelf].sort((a, b) => b[1].size - a[1].size).slice(0, top);
    table('self size by name', [['name', 'KB', 'count'], ...bySelf.map(([name, r]) => [name, KB(r.size), String(r.count)])]);
    const byOwner = [...one.byOwner].sort((a, b) => b[1].size - a[1].size);
    table('by owner (nearest dominating owner class)', [['owner', 'KB', 'owners'], ...byOwner.map(([name, r]) => [name, KB(r.size), String(r.owners)])]);
    return;
  }
  const [clients = 1, top = 40] = numbers;
  const before = summarize(files[0], owners);
  const after = summarize(files[1], owners);
  const per = (bytes: number) => (bytes / 1024 / clients).toFixed(2);
  console.log(`before: ${files[0]}: ${before.nodes.toLocaleString()} nodes, ${KB(before.total)} KB`);
  console.log(`after:  ${files[1]}: ${after.nodes.toLocaleString()} nodes, ${KB(after.total)} KB`);
  console.log(`difference: ${KB(after.total - before.total)} KB = ${per(after.total - before.total)} KB per client (${clients} clients)`);
  const selfNames = new Set([...before.bySelf.keys(), ...after.bySelf.keys()]);
  const selfDiff = [...selfNames]
    .map((name) => {
      const a = before.bySelf.get(name) ?? { size: 0, count: 0 };
      const b = after.bySelf.get(name) ?? { size: 0, count: 0 };
      return { name, size: b.size - a.size, count: b.count - a.count };
    })
    .sort((x, y) => Math.abs(y.size) - Math.abs(x.size))
    .slice(0, top);
  table(`self size by name, after − before (top ${top})`, [
    ['name', 'KB', 'KB/client', 'count', 'count/client'],
    ...selfDiff.map((r) => [r.name, KB(r.size), per(r.size), String(r.count), (r.count / clients).toFixed(2)]),
  ]);
  const ownerNames = new Set([...before.byOwner.keys(), ...after.byOwner.keys()]);
  const ownerDiff = [...ownerNames]
    .map((name) => {
      const a = before.byOwner.get(name) ?? { size: 0, owners: 0 };
      const b = after.byOwner.get(name) ?? { size: 0, owners: 0 };
      return { name, size: b.size - a.size, owners: b.owners - a.owners };
    })
    .sort((x, y) => Math.abs(y.size) - Math.abs(x.size));
  table('by owner (nearest dominating owner class), after − before', [
    ['owner', 'KB', 'KB/client', 'instances', 'B/instance'],
    ...ownerDiff.map((r) => [r.name, KB(r.size), per(r.size), String(r.owners), r.owners > 0 ? (r.size / r.owners).toFixed(0) : '']),
  ]);
  const detail: string[][] = [['owner / held', 'KB', 'KB/client']];
  for (const { name, size } of ownerDiff) {
    if (Math.abs(size) / 1024 / clients < 0.2) continue;
    detail.push([name, KB(size), per(size)]);
    const a = before.inOwner.get(name) ?? new Map<string, number>();
    const b = after.inOwner.get(name) ?? new Map<string, number>();
    const held = [...new Set([...a.keys(), ...b.keys()])].map((k) => ({ k, d: (b.get(k) ?? 0) - (a.get(k) ?? 0) })).sort((x, y) => Math.abs(y.d) - Math.abs(x.d));
    for (const { k, d } of held.slice(0, DETAIL)) detail.push([`    ${k}`, KB(d), per(d)]);
    const va = before.viaOwner.get(name) ?? new Map<string, number>();
    const vb = after.viaOwner.get(name) ?? new Map<string, number>();
    const paths = [...new Set([...va.keys(), ...vb.keys()])].map((k) => ({ k, d: (vb.get(k) ?? 0) - (va.get(k) ?? 0) })).sort((x, y) => Math.abs(y.d) - Math.abs(x.d));
    for (const { k, d } of paths.slice(0, DETAIL)) if (Math.abs(d) / 1024 / clients >= 0.05) detail.push([`    via ${k}`, KB(d), per(d)]);
  }
  table(`what the owners above 0.2 KB/client hold: top ${DETAIL} names, then the owner's properties it is reached by (≥ 0.05 KB/client)`, detail);
}

const DETAIL = 8;

if (require.main === module) main();
