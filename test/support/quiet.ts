/**
 * colyseus.js prints every refused join and server-closed connection to the console. The tests
 * provoke hundreds of those on purpose; they assert on the errors instead, so these lines go.
 */
const EXPECTED_CLIENT_NOISE = [
  /^colyseus\.js - onError =>/,
  /^Room connection was closed unexpectedly/,
  /^colyseus\.js: onMessage\(\) not registered/,
];

for (const method of ['error', 'warn', 'info'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && EXPECTED_CLIENT_NOISE.some((pattern) => pattern.test(args[0] as string))) return;
    original(...args);
  };
}
