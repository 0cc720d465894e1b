import { strict as assert } from 'assert';
import { Encoder, Reflection, type Schema } from '@colyseus/schema';
import { SchemaSerializer } from '@colyseus/core';
import { CaboState } from '../../src/rooms/schema/CaboState';
import { TicTacToeState } from '../../src/rooms/schema/TicTacToeState';

function serializer(state: Schema): SchemaSerializer<Schema> {
  const serializer = new SchemaSerializer<Schema>();
  serializer.reset(state);
  return serializer;
}

describe('units: shared handshake', () => {
  it('rooms of one state class get the same bytes as Colyseus encodes, held once and not in an 8 KB buffer', () => {
    const expected = Reflection.encode(new Encoder(new CaboState()));
    const first = serializer(new CaboState()).handshake!() as Buffer;
    const second = serializer(new CaboState()).handshake!() as Buffer;
    assert.deepEqual(Buffer.from(first), Buffer.from(expected));
    assert.equal(second, first);
    assert.equal(first.buffer.byteLength, first.byteLength);
    assert.ok(first.byteLength < expected.buffer.byteLength, `handshake ${first.byteLength} bytes, Colyseus' buffer ${expected.buffer.byteLength}`);
  });

  it('another state class has its own handshake', () => {
    const cabo = serializer(new CaboState()).handshake!() as Buffer;
    const tictactoe = serializer(new TicTacToeState()).handshake!() as Buffer;
    assert.notDeepEqual(Buffer.from(tictactoe), Buffer.from(cabo));
    assert.deepEqual(Buffer.from(tictactoe), Buffer.from(Reflection.encode(new Encoder(new TicTacToeState()))));
  });
});
