/**
 * A stable alert fingerprint: FNV-1a 64 over the label set, sorted by label name, as 16 hex digits.
 * Alertmanager hashes labels with its own function; what matters here is only that every replica,
 * before and after a restart, computes the same value for the same labels whatever their order.
 */
import type { AlertLabels } from './alert.js';

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
/* 0xff never occurs in UTF-8, so `a=b,c` and `a,b=c` cannot hash alike, as in Prometheus's label hash. */
const SEPARATOR = 0xff;

const utf8 = new TextEncoder();

/** FNV-1a 64 of the bytes, as 16 lowercase hex digits. */
export function fnv1a64Hex(bytes: Iterable<number>): string {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}

export function fingerprint(labels: AlertLabels): string {
  // Sorting by UTF-16 code units is locale-free, so every process orders the names the same way.
  const names = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes: number[] = [];
  for (const name of names) {
    bytes.push(...utf8.encode(name), SEPARATOR, ...utf8.encode(labels[name]), SEPARATOR);
  }
  return fnv1a64Hex(bytes);
}
