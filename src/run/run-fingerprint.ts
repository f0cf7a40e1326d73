/**
 * What a run was, written on every result line as `fingerprint`, so `--resume` can refuse a file made by
 * another run instead of trusting it: the record (its variables and expected answer), the template (its
 * text and partials), --system, the strategy's options (files by their content), the sampling settings
 * and the answer rules — the things that change what is sent or how it is scored. Model, strategy and
 * template name are on the line already. Options, sampling and answer rules are kept by flag with their
 * values (long texts and files as hashes), so a refusal names the flag and both values.
 *
 * A field on each line rather than a header line: every line stays a promptlab.result/v1 record, so
 * `score`, `report`, `jq` and `wc -l` read the file as before, a compare file holds each strategy's own
 * fingerprint, and a file grown by --resume or cut by kill -9 needs no header to stay whole.
 */
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import { canonicalJson, textFingerprint } from '../core/fingerprint.js';
import type { DatasetRecord } from '../core/records.js';
import { longFlag, parseOptions } from '../strategies/options.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import type { LoadedTemplate } from '../templates/load-template.js';
import { optionFiles, type OptionFiles } from './option-files.js';
import { resolvePick } from './run-setup.js';

type FlagValue = string | number | boolean | null | Array<string | number | boolean>;

/** One job's part of the fingerprint: the same on every line the job writes. */
export interface JobFingerprint {
  template: string;
  system: string | null;
  /** Each option by its flag: `--samples: 5`; a long text as `text:HASH`, a file as `file:HASH` of its content. */
  options: Record<string, FlagValue>;
  sampling: { '--temperature': number; '--max-tokens': number | null; '--seed': number | null };
  answer: Record<string, FlagValue>;
}

/** What a result line carries: the job's fingerprint and its record's. */
export interface ResultFingerprint extends JobFingerprint {
  record: string;
}

/** A job as the run layer resolved it; --system, --pick and the strategy's options are read from `flagValues`. */
export interface JobDescription {
  template: LoadedTemplate;
  definition: StrategyDefinition;
  flagValues: Record<string, unknown>;
  temperature: number;
  maxTokens: number | null;
  seed: number | null;
  answer: AnswerSpec;
  match: MatchMode;
}

/** Texts longer than this are kept as a hash: a trigger or a system prompt would swell every line. */
const longText = 24;

/** `files`: the run's option files, so a file its strategy read is hashed from that one read. */
export async function jobFingerprint(job: JobDescription, files: OptionFiles = optionFiles()): Promise<JobFingerprint> {
  const values = parseOptions(job.definition.options, job.flagValues) as Record<string, unknown>;
  const options: Record<string, FlagValue> = {};
  for (const [name, option] of Object.entries(job.definition.options)) {
    const value = values[name];
    if (value === undefined || option.changesResults === false) continue;
    const flag = longFlag(option.flags);
    options[flag] = option.file === true ? await fileFingerprints(value, flag, files) : plainValue(value);
  }
  const system = job.flagValues.system as string | undefined;
  return {
    template: job.template.fingerprint,
    system: system === undefined ? null : textFingerprint(system),
    options,
    sampling: { '--temperature': job.temperature, '--max-tokens': job.maxTokens, '--seed': job.seed },
    answer: {
      '--answer': job.answer.type === 'regex' ? `regex:${job.answer.pattern ?? ''}` : job.answer.type,
      '--normalize': job.answer.normalize === undefined ? null : job.answer.normalize.join(','),
      '--extract-mode': job.answer.extractMode ?? 'flexible',
      '--match': job.match,
      '--pick': resolvePick(job.flagValues),
    },
  };
}

/** Each record's, worked out once: a record goes through every cell of the run, and --resume checks it per cell too. */
const recordFingerprints = new WeakMap<DatasetRecord, string>();

/** A record's variables and expected answer, however its keys were ordered. */
export function recordFingerprint(record: DatasetRecord): string {
  let fingerprint = recordFingerprints.get(record);
  if (fingerprint === undefined) {
    fingerprint = textFingerprint(canonicalJson({ vars: record.vars, expected: record.expected }));
    recordFingerprints.set(record, fingerprint);
  }
  return fingerprint;
}

export function withRecord(job: JobFingerprint, record: DatasetRecord): ResultFingerprint {
  return { record: recordFingerprint(record), ...job };
}

function plainValue(value: unknown): FlagValue {
  if (typeof value === 'string') return value.length > longText ? `text:${textFingerprint(value)}` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => plainValue(item) as string | number | boolean);
  return value === null ? null : canonicalJson(value);
}

async function fileFingerprints(value: unknown, flag: string, files: OptionFiles): Promise<FlagValue> {
  const hash = async (path: unknown) => (await files.read(String(path), flag)).fingerprint;
  return Array.isArray(value) ? Promise.all(value.map(hash)) : hash(value);
}

/** What a result line says made it. */
export interface RecordedRun {
  model: string;
  template: string;
  fingerprint?: unknown;
}

/** What the resuming run is, per strategy. */
export interface CurrentRun {
  model: string;
  template: string;
  /** None where the run has none to compare (then model and template name alone are). */
  fingerprint?: JobFingerprint | undefined;
}

/**
 * How a line's run differs from the current one, one phrase per difference ("--temperature 0 in the
 * file, 0.5 now"); empty when it is the same run. A line without a fingerprint (an earlier promptlab)
 * is checked on model and template name alone.
 */
export function runDifferences(recorded: RecordedRun, current: CurrentRun): string[] {
  const differences: string[] = [];
  if (recorded.model !== current.model) differences.push(`model ${recorded.model} in the file, ${current.model} now`);
  if (recorded.template !== current.template)
    differences.push(`template ${recorded.template} in the file, ${current.template} now`);
  const fingerprint = asFingerprint(recorded.fingerprint);
  const now = current.fingerprint;
  if (fingerprint === null || now === undefined || differences.length > 0) return differences;
  if (fingerprint.template !== now.template)
    differences.push(`template ${current.template} changed since the file was written`);
  if (fingerprint.system !== now.system) differences.push('--system differs from the file’s');
  for (const group of ['options', 'sampling', 'answer'] as const) {
    const before = fingerprint[group] as Record<string, FlagValue>;
    const after = now[group] as Record<string, FlagValue>;
    for (const flag of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
      const was = before[flag] ?? null;
      const is = after[flag] ?? null;
      if (canonicalJson(was) !== canonicalJson(is)) differences.push(describeChange(flag, was, is));
    }
  }
  return differences;
}

function describeChange(flag: string, was: FlagValue, is: FlagValue): string {
  const hashed = (value: FlagValue) => typeof value === 'string' && /^(file|text):[0-9a-f]+$/.test(value);
  const isFile = (value: FlagValue) =>
    (typeof value === 'string' && value.startsWith('file:')) ||
    (Array.isArray(value) && value.some((item) => String(item).startsWith('file:')));
  if (isFile(was) || isFile(is)) return `${flag} file’s content differs from the file’s`;
  if (hashed(was) || hashed(is)) return `${flag} differs from the file’s`;
  return `${flag} ${shown(was)} in the file, ${shown(is)} now`;
}

const shown = (value: FlagValue): string =>
  value === null
    ? 'none'
    : Array.isArray(value)
      ? value.join(',')
      : typeof value === 'string' && /\s/.test(value)
        ? JSON.stringify(value)
        : String(value);

/** A recorded fingerprint, when the line has one of the shape written here. */
export function asFingerprint(value: unknown): ResultFingerprint | null {
  if (value === null || typeof value !== 'object') return null;
  const candidate = value as Partial<ResultFingerprint>;
  const isObject = (item: unknown) => item !== null && typeof item === 'object' && !Array.isArray(item);
  return typeof candidate.record === 'string' &&
    typeof candidate.template === 'string' &&
    isObject(candidate.options) &&
    isObject(candidate.sampling) &&
    isObject(candidate.answer)
    ? (candidate as ResultFingerprint)
    : null;
}
