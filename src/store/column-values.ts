import { endianness } from 'node:os';
/*
 * Conversions between domain values and the portable column encodings that both dialects share:
 * ISO-8601 UTC text for times, JSON text for structured values, 0/1 for booleans, and a blob of
 * little-endian IEEE-754 doubles for a vector of numbers written on a hot path.
 */

/** A point in time handed in by the caller's clock: an ISO-8601 string or a Date. */
export type Instant = string | Date;

/** Normalises to `toISOString()` form (UTC, milliseconds) so that text order is time order. */
export function isoTime(instant: Instant): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`not a valid time: ${JSON.stringify(String(instant))}`);
  }
  return date.toISOString();
}

export function isoTimeOrNull(instant: Instant | null | undefined): string | null {
  return instant === null || instant === undefined ? null : isoTime(instant);
}

/** A prediction's out-of-range features as stored: a JSON list, or null when there are none. */
export function outOfRangeText(features: readonly string[] | null | undefined): string | null {
  return features && features.length > 0 ? JSON.stringify(features) : null;
}

/**
 * `JSON.stringify` writes each double in the shortest form that reads back to the same bits, so a
 * value survives the text column exactly. Two things do not survive: -0 becomes 0, and non-finite
 * numbers become null. `undefined` is refused rather than silently written as nothing.
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new TypeError('cannot store a value that has no JSON form (undefined, a function or a symbol)');
  }
  return text;
}

export function toJsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toJson(value);
}

export function fromJson(text: string): unknown {
  return JSON.parse(text);
}

export function fromJsonOrNull(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

const doubleBytes = 8;
const littleEndian = endianness() === 'LE';

/**
 * A vector of numbers as a blob of little-endian doubles: every value survives bit for bit
 * (NaN, -0 and infinities included), at 8 bytes each and without text to format or parse.
 */
export function float64Blob(values: ArrayLike<number>): Buffer {
  if (littleEndian) {
    // The host's own layout is the blob's: one copy of the doubles, no per-value conversion.
    const doubles = new Float64Array(values.length);
    doubles.set(values);
    return Buffer.from(doubles.buffer);
  }
  const blob = Buffer.allocUnsafe(values.length * doubleBytes);
  for (let i = 0; i < values.length; i++) blob.writeDoubleLE(values[i], i * doubleBytes);
  return blob;
}

/** `float64Blob` without the copy where it can: the blob is a view of the doubles (bind it before they change). */
export function float64BlobView(values: Float64Array): Buffer {
  return littleEndian ? Buffer.from(values.buffer, values.byteOffset, values.byteLength) : float64Blob(values);
}

export function fromFloat64Blob(blob: Uint8Array): number[] {
  if (blob.byteLength % doubleBytes !== 0) throw new RangeError(`a blob of doubles has a multiple of 8 bytes, not ${blob.byteLength}`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const values = new Array<number>(blob.byteLength / doubleBytes);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(i * doubleBytes, true);
  return values;
}

/**
 * Copies a blob of `float64Blob` into `target` from index `at`: on a little-endian host the bytes
 * are the doubles already, so the copy is the bytes' (a blob from the driver need not be 8-byte
 * aligned, so it cannot simply be viewed as a Float64Array).
 */
export function copyFloat64Blob(blob: Uint8Array, target: Float64Array, at: number): void {
  if (blob.byteLength % doubleBytes !== 0) throw new RangeError(`a blob of doubles has a multiple of 8 bytes, not ${blob.byteLength}`);
  if (littleEndian) {
    new Uint8Array(target.buffer, target.byteOffset + at * doubleBytes, blob.byteLength).set(blob);
    return;
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < blob.byteLength / doubleBytes; i++) target[at + i] = view.getFloat64(i * doubleBytes, true);
}
