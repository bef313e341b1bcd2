import type { StringOptions, TString } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';

/*
 * Strings the API stores (or looks up in the store) are text a person can read back: no control
 * characters and valid Unicode. PostgreSQL refuses NUL in text outright (a NUL in one externalId
 * failed the whole prediction-log batch it was written in), both stores turn a lone surrogate
 * into U+FFFD (so two different ids would become one), and the other controls corrupt the log
 * lines, CSV exports and e-mails the values end up in.
 */

/** C0 controls (U+0000–U+001F), DEL and the C1 controls (U+007F–U+009F), and the surrogates. */
const singleLine = '[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]';
/** The same, but tab, line feed and carriage return are text here. */
const multiLine = '[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]';
/** A character is allowed, or it is a high surrogate followed by a low one (an astral character). */
const textPattern = (allowed: string) => `^(?:${allowed}|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$`;

export const SINGLE_LINE_TEXT = textPattern(singleLine);
export const MULTI_LINE_TEXT = textPattern(multiLine);

export interface StoredTextOptions extends StringOptions {
  /** Allow tab, line feed and carriage return (free text such as a reason); ids and labels do not. */
  readonly multiline?: boolean;
}

/**
 * The schema of every string field the API stores: no control characters (but tab and line breaks
 * when `multiline`), no lone surrogates; give a `maxLength` so a caller cannot store megabytes.
 */
export function StoredText({ multiline = false, ...options }: StoredTextOptions = {}): TString {
  return Type.String({ ...options, pattern: multiline ? MULTI_LINE_TEXT : SINGLE_LINE_TEXT });
}

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` does not match a StoredText pattern: the first character refused, by code point and
 * position (not the character itself, which may not print), or null when `pattern` is another one.
 */
export function storedTextProblem(value: string, pattern: string): string | null {
  if (pattern !== SINGLE_LINE_TEXT && pattern !== MULTI_LINE_TEXT) return null;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) return `must be valid Unicode text: a lone surrogate ${hex(code)} at position ${i}`;
    const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    const lineBreakAllowed = pattern === MULTI_LINE_TEXT && (code === 0x09 || code === 0x0a || code === 0x0d);
    if (control && !lineBreakAllowed) return `must not contain control characters: ${hex(code)} at position ${i}`;
  }
  return null;
}
