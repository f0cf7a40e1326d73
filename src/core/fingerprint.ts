/**
 * Short content hashes for a run's fingerprint (src/run/run-fingerprint.ts): 12 hex digits of SHA-256,
 * plenty to tell one template, file or record from another, short enough to sit on every result line.
 */
import { createHash } from 'node:crypto';

export const textFingerprint = (text: string | Buffer): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 12);

/** JSON with object keys sorted at every depth: the same value, however its keys were written, hashes alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
