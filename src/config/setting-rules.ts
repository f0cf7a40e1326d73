/**
 * The rules a setting's value must follow, shared by the flags (resolve-config.ts) and the config file's
 * schema (parse-config-file.ts), so both accept the same values and say the same thing when they do not.
 */

export interface NumericSetting {
  flag: string;
  /** Completes "must be ..." and "expected ...". */
  description: string;
  accepts(value: number): boolean;
}

const isPositiveInteger = (value: number) => Number.isSafeInteger(value) && value > 0;

/** The rules for numeric settings. */
export const numericSettings = {
  temperature: {
    flag: '--temperature',
    description: 'a number from 0 to 2',
    accepts: (value) => value >= 0 && value <= 2,
  },
  maxTokens: { flag: '--max-tokens', description: 'a positive integer', accepts: isPositiveInteger },
  seed: { flag: '--seed', description: 'an integer', accepts: Number.isSafeInteger },
  concurrency: { flag: '-c/--concurrency', description: 'a positive integer', accepts: isPositiveInteger },
  timeout: {
    flag: '--timeout',
    description: 'a positive number of seconds',
    accepts: (value) => value > 0 && Number.isFinite(value),
  },
  retries: {
    flag: '--retries',
    description: 'a non-negative integer',
    accepts: (value) => Number.isSafeInteger(value) && value >= 0,
  },
  maxRetryWait: {
    flag: '--max-retry-wait',
    description: 'a non-negative number of seconds',
    accepts: (value) => value >= 0 && Number.isFinite(value),
  },
} satisfies Record<string, NumericSetting>;

export type NumericSettingName = keyof typeof numericSettings;

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
