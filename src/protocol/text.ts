/**
 * Which strings Arena accepts from the outside (names, token claims, message payloads).
 *
 * - Every string must be well-formed Unicode: a lone UTF-16 surrogate is not text, and the schema
 *   encoder writes more bytes for it than its length prefix says, which corrupts the state stream
 *   of every client in the room; storage refuses it too.
 * - Names (display names, token `sub`/`name`/roles, character names, labels) must not contain
 *   control or invisible formatting characters (bidi overrides such as U+202E, zero-width spaces
 *   such as U+200B, line separators), which let one user impersonate or hide from another. The
 *   zero-width joiner inside an emoji sequence (👩‍💻) is the one formatting character allowed.
 * - Free text (chat, whispers, narration) may also hold line breaks and tabs.
 */
import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const INVISIBLE_IN_TEXT = /[\p{Cf}\p{Zl}\p{Zp}]|[^\P{Cc}\t\n\r]/u;
/** Zero-width joiners that join two pictographs (emoji ZWJ sequences). */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** `text` with every lone surrogate replaced by U+FFFD (the last line of defence before encoding). */
export function toWellFormed(text: string): string {
  return isWellFormed(text) ? text : text.replace(LONE_SURROGATES, '\uFFFD');
}

/** Why `text` cannot be a name, or undefined when it can. */
export function nameProblem(text: string): string | undefined {
  if (!isWellFormed(text)) return 'must be well-formed Unicode';
  if (INVISIBLE.test(text.replace(EMOJI_JOINER, ''))) return 'must not contain control or invisible formatting characters';
  return undefined;
}

/** Why `text` cannot be free text (chat), or undefined when it can. */
export function freeTextProblem(text: string): string | undefined {
  if (!isWellFormed(text)) return 'must be well-formed Unicode';
  if (INVISIBLE_IN_TEXT.test(text.replace(EMOJI_JOINER, ''))) return 'must not contain control or invisible formatting characters (line breaks and tabs are fine)';
  return undefined;
}

/** A string schema that refuses names `nameProblem` objects to (`label` starts the message). */
export function nameString(schema: z.ZodString = z.string(), label?: string): z.ZodEffects<z.ZodString> {
  return schema.superRefine((text, ctx) => {
    const problem = nameProblem(text);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: label ? `${label} ${problem}` : problem });
  });
}

/** A string schema that refuses texts `freeTextProblem` objects to. */
export function freeTextString(schema: z.ZodString = z.string()): z.ZodEffects<z.ZodString> {
  return schema.superRefine((text, ctx) => {
    const problem = freeTextProblem(text);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });
}

/**
 * The path of the first ill-formed string anywhere in `value` (keys included), or undefined.
 * Every message payload is checked with it before its own schema, whatever that allows.
 */
export function illFormedPath(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : path || '(payload)';
  if (!value || typeof value !== 'object' || depth > 16) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (!isWellFormed(key)) return here;
    const found = illFormedPath(item, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}
