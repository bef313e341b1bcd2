import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { MULTI_LINE_TEXT, SINGLE_LINE_TEXT, StoredText, storedTextProblem } from '../../src/http/stored-text.js';

describe('StoredText: the strings the API stores', () => {
  const single = TypeCompiler.Compile(StoredText());
  const multi = TypeCompiler.Compile(StoredText({ multiline: true }));

  it('the schema check and the problem it names agree on every UTF-16 code unit', () => {
    let refusedSingle = 0;
    let refusedMulti = 0;
    for (let code = 0; code <= 0xffff; code++) {
      const text = `a${String.fromCharCode(code)}b`;
      const singleProblem = storedTextProblem(text, SINGLE_LINE_TEXT);
      const multiProblem = storedTextProblem(text, MULTI_LINE_TEXT);
      if (single.Check(text) === (singleProblem !== null) || multi.Check(text) === (multiProblem !== null)) {
        throw new Error(`U+${code.toString(16)}: the pattern and the problem disagree`);
      }
      if (singleProblem) refusedSingle++;
      if (multiProblem) refusedMulti++;
    }
    // C0 (32) + DEL and C1 (33) + surrogates (2048); tab, LF and CR are text when multiline.
    expect(refusedSingle).toBe(32 + 33 + 2048);
    expect(refusedMulti).toBe(refusedSingle - 3);
  });

  it('takes astral characters (surrogate pairs) and names the first character refused', () => {
    expect(single.Check('🏥 Zürich ✓')).toBe(true);
    expect(single.Check('')).toBe(true);
    expect(storedTextProblem('🏥\ud83c', SINGLE_LINE_TEXT)).toBe('must be valid Unicode text: a lone surrogate U+D83C at position 2');
    expect(storedTextProblem('\udc00🏥', SINGLE_LINE_TEXT)).toBe('must be valid Unicode text: a lone surrogate U+DC00 at position 0');
    expect(storedTextProblem('line\r\nnext\u0000', MULTI_LINE_TEXT)).toBe('must not contain control characters: U+0000 at position 10');
    expect(storedTextProblem('line\nnext', SINGLE_LINE_TEXT)).toBe('must not contain control characters: U+000A at position 4');
    // Another pattern is not described as this one.
    expect(storedTextProblem('x', '^[0-9]+$')).toBeNull();
  });
});
