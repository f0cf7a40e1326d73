/** Validation of strategy flag values: each failure is one UsageError line naming the flag. */
import { UsageError } from '../errors.js';

export function positiveInteger(value: unknown, flag: string): number {
  const text = String(value).trim();
  const parsed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new UsageError(`${flag} must be a positive integer, got "${String(value)}"`);
  }
  return parsed;
}

/** 0 or more: a count where none is a setting of its own (`--shots 0`, no demonstrations). */
export function nonNegativeInteger(value: unknown, flag: string): number {
  const text = String(value).trim();
  const parsed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(parsed)) {
    throw new UsageError(`${flag} must be a whole number (0 or more), got "${String(value)}"`);
  }
  return parsed;
}

export function numberInRange(
  value: unknown,
  flag: string,
  low: number,
  high: number,
  bounds: '[]' | '()' = '[]',
): number {
  const parsed = Number(String(value).trim());
  const inside = bounds === '[]' ? parsed >= low && parsed <= high : parsed > low && parsed < high;
  if (String(value).trim() === '' || !Number.isFinite(parsed) || !inside) {
    const range = bounds === '[]' ? `from ${low} to ${high}` : `strictly between ${low} and ${high}`;
    throw new UsageError(`${flag} must be a number ${range}, got "${String(value)}"`);
  }
  return parsed;
}

export function oneOf<const T extends string>(value: unknown, flag: string, choices: readonly T[]): T {
  const text = String(value);
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${text}"`);
  }
  return text as T;
}

export function requiredText(value: unknown, flag: string, why: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${flag} is required: ${why}`);
  return value;
}
