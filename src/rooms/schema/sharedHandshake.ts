/**
 * Colyseus' SchemaSerializer keeps each room's handshake (the Reflection of its state's types, sent
 * in every JOIN_ROOM) as a view into the 8 KB buffer of the throwaway Encoder that produced it:
 * about 1 KB of bytes holding 8 KB per room. Every room of one state class has the same TypeContext
 * (`TypeContext.cache`) and so the same handshake: it is encoded once per context, into a buffer of
 * its own size, and shared by all of them (Colyseus only copies it into each JOIN_ROOM message).
 */
import { Reflection, type Encoder } from '@colyseus/schema';
import { SchemaSerializer } from '@colyseus/core';

interface PatchedSerializer {
  encoder?: Encoder;
  handshakeCache?: Buffer;
}

type Context = Encoder['context'];

/** One handshake per type context, valid while the context holds the same number of types. */
const handshakes = new WeakMap<Context, { types: number; root: unknown; bytes: Buffer }>();

const prototype = SchemaSerializer.prototype as unknown as { handshake(): Buffer | undefined; handshakeShared?: true };

if (!prototype.handshakeShared) {
  prototype.handshakeShared = true;
  prototype.handshake = function (this: PatchedSerializer): Buffer | undefined {
    if (!this.handshakeCache && this.encoder?.state) this.handshakeCache = sharedHandshake(this.encoder);
    return this.handshakeCache;
  };
}

export function sharedHandshake(encoder: Encoder): Buffer {
  const context = encoder.context;
  const root = encoder.state.constructor;
  const known = handshakes.get(context);
  if (known && known.types === context.schemas.size && known.root === root) return known.bytes;
  const encoded = Reflection.encode(encoder);
  const bytes = Buffer.allocUnsafeSlow(encoded.byteLength); // a copy of its own size, not the encoder's whole buffer
  encoded.copy(bytes);
  handshakes.set(context, { types: context.schemas.size, root, bytes });
  return bytes;
}
