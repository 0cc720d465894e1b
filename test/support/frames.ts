/**
 * Records every raw WebSocket frame colyseus.js clients of this process receive, from the join
 * handshake on: the bytes a hostile client could inspect, before any decoding or filtering.
 */
import path from 'path';

// colyseus.js' package exports hide its transport; the CommonJS build the tests load is this file.
const { WebSocketTransport } = require(path.join(path.dirname(require.resolve('colyseus.js/package.json')), 'build/cjs/transport/WebSocketTransport.js'));

export interface FrameCapture {
  /** Received frames, in arrival order, each with the time it arrived. */
  readonly frames: Array<{ at: number; bytes: Buffer }>;
  stop(): void;
}

export function captureFrames(): FrameCapture {
  const prototype = WebSocketTransport.prototype as { connect(url: string, headers?: unknown): void; ws?: any };
  const connect = prototype.connect;
  const frames: FrameCapture['frames'] = [];
  prototype.connect = function (this: { ws: any }, url: string, headers?: unknown) {
    connect.call(this, url, headers);
    this.ws.addEventListener('message', (event: { data: ArrayBuffer | Buffer }) => {
      frames.push({ at: Date.now(), bytes: Buffer.from(event.data as ArrayBuffer) });
    });
  };
  return {
    frames,
    stop: () => {
      prototype.connect = connect;
    },
  };
}

/**
 * Every form in which `secret` (bytes) or any `window`-byte slice of it could appear in text or
 * binary output: the raw bytes, hex (both cases), base64 and base64url.
 */
export function secretForms(secret: Buffer, window = 16): Buffer[] {
  const forms: Buffer[] = [];
  for (let start = 0; start + window <= secret.length; start++) {
    const slice = secret.subarray(start, start + window);
    forms.push(Buffer.from(slice));
    for (const text of [slice.toString('hex'), slice.toString('hex').toUpperCase(), slice.toString('base64'), slice.toString('base64url')]) {
      forms.push(Buffer.from(text));
    }
  }
  return forms;
}

/** The first form of `forms` found in `haystack`, or undefined. */
export function findSecret(haystack: Buffer | string, forms: Buffer[]): Buffer | undefined {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  return forms.find((form) => bytes.includes(form));
}
