/**
 * Fix for @colyseus/schema 3.0.x with StateViews: when an encode outgrows its buffer (8 KB by
 * default) the encoder re-encodes into a larger buffer, but `encodeView` / `encodeAllView` and
 * Colyseus' SchemaSerializer keep using the old buffer and offsets, so a client with a view gets a
 * truncated, undecodable patch or full state, and its state stops syncing (a tabletop log, a large
 * roll). Here an encode that overflowed is simply run again into a buffer large enough, and the
 * serializer keeps the grown buffers, so every room's buffers grow to what it needs, no more.
 */
import { Encoder, type StateView } from '@colyseus/schema';
import { SchemaSerializer } from '@colyseus/core';

type Iterator = { offset: number };
type ViewChanges = StateView['changes'];

interface PatchedEncoder {
  sharedBuffer: Buffer;
  encodeView(view: StateView, sharedOffset: number, it: Iterator, bytes?: Buffer): Buffer;
  encodeAllView(view: StateView, sharedOffset: number, it: Iterator, bytes?: Buffer): Buffer;
  encodeAll(it: Iterator, buffer?: Buffer): Buffer;
  root: { changes: { next?: unknown; length?: number } };
}

interface PatchedSerializer {
  encoder: PatchedEncoder;
  hasFilters: boolean;
  needFullEncode: boolean;
  fullEncodeBuffer: Buffer;
  fullEncodeCache: Buffer;
  sharedOffsetCache: Iterator;
}

const prototype = Encoder.prototype as unknown as PatchedEncoder & { capacityFixed?: true };

if (!prototype.capacityFixed) {
  prototype.capacityFixed = true;
  const encodeView = prototype.encodeView;
  const encodeAllView = prototype.encodeAllView;

  prototype.encodeView = function (this: PatchedEncoder, view, sharedOffset, it, bytes = this.sharedBuffer) {
    const start = it.offset;
    const pending = copyChanges(view.changes);
    const encoded = encodeView.call(this, view, sharedOffset, it, bytes);
    if (it.offset <= bytes.byteLength) return encoded;
    const bigger = grown(bytes, sharedOffset, it.offset);
    if (bytes === this.sharedBuffer) this.sharedBuffer = bigger;
    view.changes = pending; // encodeView consumed them: they go into the retry
    it.offset = start;
    return this.encodeView(view, sharedOffset, it, bigger);
  };

  prototype.encodeAllView = function (this: PatchedEncoder, view, sharedOffset, it, bytes = this.sharedBuffer) {
    const start = it.offset;
    const encoded = encodeAllView.call(this, view, sharedOffset, it, bytes);
    if (it.offset <= bytes.byteLength) return encoded;
    const bigger = grown(bytes, sharedOffset, it.offset);
    if (bytes === this.sharedBuffer) this.sharedBuffer = bigger;
    it.offset = start;
    return this.encodeAllView(view, sharedOffset, it, bigger);
  };

  /** As Colyseus', but the full-state buffer keeps up when an encode outgrows it. */
  (SchemaSerializer.prototype as unknown as { getFullState(client?: { view?: StateView }): Buffer }).getFullState = function (
    this: PatchedSerializer,
    client?: { view?: StateView },
  ): Buffer {
    const changes = this.encoder.root.changes;
    if (this.needFullEncode || (changes.length ?? 0) > 0 || changes.next !== undefined) {
      this.sharedOffsetCache = { offset: 1 };
      this.fullEncodeCache = this.encoder.encodeAll(this.sharedOffsetCache, this.fullEncodeBuffer);
      if (this.fullEncodeCache.buffer !== this.fullEncodeBuffer.buffer) {
        this.fullEncodeBuffer = grown(this.fullEncodeCache, this.fullEncodeCache.byteLength, this.fullEncodeCache.byteLength);
      }
      this.needFullEncode = false;
    }
    if (!this.hasFilters || !client?.view) return this.fullEncodeCache;
    const encoded = this.encoder.encodeAllView(client.view, this.sharedOffsetCache.offset, { ...this.sharedOffsetCache }, this.fullEncodeBuffer);
    if (encoded.byteLength > this.fullEncodeBuffer.byteLength) {
      this.fullEncodeBuffer = grown(this.fullEncodeBuffer, this.sharedOffsetCache.offset, encoded.byteLength);
    }
    return encoded;
  };
}

/** A buffer of at least twice `need` bytes (whole kilobytes) holding `old`'s first `keep` bytes. */
function grown(old: Buffer, keep: number, need: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.ceil((need * 2) / 1024) * 1024);
  old.copy(buffer, 0, 0, keep);
  return buffer;
}

function copyChanges(changes: ViewChanges): ViewChanges {
  const copy: ViewChanges = new Map();
  for (const [refId, operations] of changes) copy.set(refId, { ...operations });
  return copy;
}
