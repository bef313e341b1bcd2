import { randomFillSync } from 'node:crypto';

const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Random bytes are drawn from the operating system a pool at a time (as `crypto.randomUUID` does):
 * one call per id cost more than the rest of making it.
 */
const randomBytesPerId = 10; // 74 random bits: 12 after the version, 62 after the variant
const pool = new Uint8Array(randomBytesPerId * 400);
let poolOffset = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made later sort
 * later, so the prediction log's primary-key index grows at its end instead of taking each new id
 * at a random place (which made every logged prediction cost several page writes).
 */
export function predictionId(nowMs: number): string {
  if (poolOffset + randomBytesPerId > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += randomBytesPerId;
  // 12 hex digits of milliseconds, then version 7, then the RFC 9562 variant bits in byte 8.
  const ms = nowMs.toString(16).padStart(12, '0');
  return (
    `${ms.slice(0, 8)}-${ms.slice(8)}-7${hex[pool[r] & 0x0f][1]}${hex[pool[r + 1]]}-` +
    `${hex[(pool[r + 2] & 0x3f) | 0x80]}${hex[pool[r + 3]]}-` +
    `${hex[pool[r + 4]]}${hex[pool[r + 5]]}${hex[pool[r + 6]]}${hex[pool[r + 7]]}${hex[pool[r + 8]]}${hex[pool[r + 9]]}`
  );
}
