import { expect, it } from 'vitest';
import { predictionId } from '../../src/app/prediction-id.js';

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

it('makes RFC 9562 version-7 UUIDs that carry their millisecond and sort by it', () => {
  const start = Date.UTC(2026, 10, 27, 8, 0, 0, 123);
  const ids = Array.from({ length: 5000 }, (_, i) => predictionId(start + Math.floor(i / 7)));
  for (const id of ids) expect(id).toMatch(uuidV7);
  expect(parseInt(ids[0].replace('-', '').slice(0, 12), 16)).toBe(start);
  expect(parseInt(ids.at(-1)!.replace('-', '').slice(0, 12), 16)).toBe(start + Math.floor(4999 / 7));
  // Ids of different milliseconds sort by time; within one millisecond only the random bits differ.
  const byMs = ids.filter((_, i) => i % 7 === 0);
  expect([...byMs].sort()).toEqual(byMs);
  expect(new Set(ids).size).toBe(ids.length);
});

it('spreads its random bits over every hex digit that is not version, variant or time', () => {
  const ids = Array.from({ length: 4000 }, () => predictionId(0).replaceAll('-', ''));
  for (const position of [13, 14, 15, 17, 18, 19, 20, 25, 31]) {
    const digits = new Set(ids.map((id) => id[position]));
    expect(digits.size, `hex digit ${position}`).toBe(16);
  }
  // The variant digit takes only 8, 9, a and b.
  expect(new Set(ids.map((id) => id[16]))).toEqual(new Set(['8', '9', 'a', 'b']));
});
