/**
 * Last line of defence for the state stream: the schema encoder sizes a string with UTF-8 rules
 * but writes a lone UTF-16 surrogate as four bytes, so one such string makes every patch of the
 * room undecodable. Strings are checked where they enter (tokens, names, message payloads); here
 * whatever still reaches the encoder is made well-formed (lone surrogates become U+FFFD).
 */
import { encode } from '@colyseus/schema';
import { toWellFormed } from '../../protocol/text';

type StringEncoder = (bytes: Buffer, value: string, it: { offset: number }) => number;

const encoders = encode as unknown as { string: StringEncoder & { wellFormed?: true } };
if (!encoders.string.wellFormed) {
  const encodeString = encoders.string;
  const guarded: StringEncoder & { wellFormed?: true } = (bytes, value, it) => encodeString(bytes, value ? toWellFormed(value) : value, it);
  guarded.wellFormed = true;
  encoders.string = guarded;
}
