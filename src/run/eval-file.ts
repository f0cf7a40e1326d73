/**
 * The eval file: `promptlab eval [FILE]`, by default the nearest `promptlab.eval.yaml` (or `.yml`,
 * `.json`) at or above the working directory. It declares an evaluation once — the dataset and how to
 * score it, the template, the models, the strategies and their variants, the gates, the outputs and the
 * run's settings — and becomes what `compare`'s flags would say: run-level flag values, one entry per
 * strategy or variant with its own settings, the models, the outputs. Paths in it are relative to its
 * folder; template names are looked up in the `prompts/` beside it. Errors name the file, the line and
 * the key (eval-file-schema.ts).
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { closestKey } from '../config/closest-key.js';
import { ConfigError, UsageError } from '../errors.js';
import { formatOfPath, type CompareFormat } from '../render/compare-formats.js';
import { findStrategy } from '../strategies/registry.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import { evalFileSchema, knownKeysAt, type EvalFileData } from './eval-file-schema.js';

export const evalFileNames = ['promptlab.eval.yaml', 'promptlab.eval.yml', 'promptlab.eval.json'] as const;

export interface EvalStrategyEntry {
  definition: StrategyDefinition;
  /** The variant's name; null for an unnamed entry (the strategy with the file's settings). */
  name: string | null;
  /** The entry's own settings as flag values by attribute name, paths resolved. */
  settings: Record<string, unknown>;
}

export interface EvalOutput {
  format: CompareFormat;
  /** Resolved; null: stdout. */
  path: string | null;
  /** How errors name it: `promptlab.eval.yaml: outputs[2].path`. */
  label: string;
}

export interface EvalFile {
  /** Absolute path, and how messages name the file. */
  path: string;
  shownAs: string;
  /** The file's folder: its relative paths and its `prompts/`. */
  directory: string;
  /** Run-level settings as compare's flag values would give them (dataset, answer, template, gates, ...). */
  flagValues: Record<string, unknown>;
  /** `MODEL` or `ENDPOINT:MODEL` each; null when the file names none. */
  models: string[] | null;
  strategies: EvalStrategyEntry[];
  outputs: EvalOutput[];
  /** Attribute → how messages name the key it came from (`promptlab.eval.yaml: gates.failUnder`). */
  labels: Record<string, string>;
}

/** FILE, or the nearest eval file at or above `cwd`. */
export async function loadEvalFile(file: string | undefined, cwd: string): Promise<EvalFile> {
  const path = file === undefined ? findEvalFile(cwd) : resolve(cwd, file);
  const shownAs = file ?? (relative(cwd, path) || path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`eval ${shownAs}: cannot read (${code ?? String(error)})`);
  }
  return parseEvalFile(text, path, shownAs);
}

function findEvalFile(cwd: string): string {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    const found = evalFileNames
      .map((name) => join(directory, name))
      .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true);
    if (found.length > 1) throw new ConfigError(`${found.join(' and ')} both exist: keep one`);
    if (found[0] !== undefined) return found[0];
    if (dirname(directory) === directory)
      throw new UsageError(
        `no ${evalFileNames[0]} in ${cwd} or above: pass its path (promptlab eval FILE), or start one with promptlab eval --init`,
      );
  }
}

/** Parses and validates an eval file's text (YAML, or JSON, which YAML reads too). */
export function parseEvalFile(text: string, path: string, shownAs: string = path): EvalFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const position = lines.linePos(syntax.pos[0]);
    const firstLine = (syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${shownAs}:${position.line}:${position.col}: invalid ${format(path)}: ${firstLine}`);
  }
  const parsed = evalFileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const line = lineOf(document.contents, issue, lines);
    throw new ConfigError(`${shownAs}${line === null ? '' : `:${line}`}: ${describeIssue(issue)}`);
  }
  return evalFileOf(parsed.data, path, shownAs);
}

const format = (path: string): string => (path.endsWith('.json') ? 'JSON' : 'YAML');

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${pathText(issue.path)}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const suggestion = closestKey(key, knownKeysAt(issue.path));
    return `${where}unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `${where}is required`;
  return `${where}${issue.message}`;
}

/** `strategies[2].samples` */
const pathText = (path: readonly PropertyKey[]): string =>
  path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`))
    .join('');

/** The line an issue is about: its key's line for an unknown key, else the value's (or its parent's). */
function lineOf(root: unknown, issue: z.core.$ZodIssue, lines: LineCounter): number | null {
  let node = root as Node | null;
  let found: number | null = node?.range ? lines.linePos(node.range[0]).line : null;
  const steps: PropertyKey[] = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  for (const step of steps) {
    const child = childOf(node, step);
    if (child === null) break;
    found = lines.linePos(child.at).line;
    node = child.node;
  }
  return found;
}

function childOf(node: Node | null, step: PropertyKey): { node: Node | null; at: number } | null {
  if (node === null) return null;
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === step);
    const key = pair?.key as Node | undefined;
    return pair === undefined || key?.range == null ? null : { node: (pair.value as Node) ?? null, at: key.range[0] };
  }
  const items = (node as { items?: unknown[] }).items;
  if (typeof step === 'number' && Array.isArray(items)) {
    const item = items[step] as Node | undefined;
    return item?.range == null ? null : { node: item, at: item.range[0] };
  }
  return null;
}

function evalFileOf(data: EvalFileData, path: string, shownAs: string): EvalFile {
  const directory = dirname(path);
  const inFolder = (value: string) => (isAbsolute(value) ? value : join(directory, value));
  const pathLike = (value: string) => value.includes('/') || value.endsWith('.prompt');
  const labels: Record<string, string> = {};
  const flagValues: Record<string, unknown> = {};
  const set = (attribute: string, value: unknown, key: string) => {
    if (value === undefined) return;
    flagValues[attribute] = value;
    labels[attribute] = `${shownAs}: ${key}`;
  };
  const { dataset, gates } = data;
  set('dataset', inFolder(dataset.file), 'dataset.file');
  set('answer', dataset.answer, 'dataset.answer');
  set('normalize', joined(dataset.normalize), 'dataset.normalize');
  set('match', dataset.match, 'dataset.match');
  set('extractMode', dataset.extractMode, 'dataset.extractMode');
  set('template', data.template === undefined ? undefined : templateOf(data.template), 'template');
  set('system', data.system, 'system');
  set('baselineStrategy', data.baselineStrategy, 'baselineStrategy');
  set('baselineModel', data.baselineModel, 'baselineModel');
  for (const name of ['concurrency', 'temperature', 'maxTokens', 'seed', 'timeout', 'retries'] as const)
    set(name, data[name] === undefined ? undefined : String(data[name]), name);
  set('cache', typeof data.cache === 'string' ? inFolder(data.cache) : data.cache, 'cache');
  set('failUnder', failUnderText(gates?.failUnder), 'gates.failUnder');
  set('baseline', gates?.baseline === undefined ? undefined : inFolder(gates.baseline), 'gates.baseline');
  set('maxErrors', gates?.maxErrors === undefined ? undefined : String(gates.maxErrors), 'gates.maxErrors');
  set('alpha', gates?.alpha === undefined ? undefined : String(gates.alpha), 'gates.alpha');
  if (data.models !== undefined) labels.models = `${shownAs}: models`;

  function templateOf(value: string): string {
    return pathLike(value) ? inFolder(value) : value;
  }

  const strategies = data.strategies.map((entry): EvalStrategyEntry => {
    const { strategy, name, ...options } = typeof entry === 'string' ? { strategy: entry } : entry;
    const definition = findStrategy(strategy)!;
    const settings: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options)) {
      if (definition.options[key]?.file === true)
        settings[key] = Array.isArray(value) ? value.map((item) => inFolder(String(item))) : inFolder(String(value));
      else if (key === 'template') settings[key] = templateOf(String(value));
      else if (key === 'normalize') settings[key] = joined(value as string | string[]);
      else settings[key] = value;
    }
    return { definition, name: typeof name === 'string' ? name : null, settings };
  });
  checkEntryNames(strategies, shownAs);
  return {
    path,
    shownAs,
    directory,
    flagValues,
    models:
      data.models?.map((model) => (typeof model === 'string' ? model : `${model.endpoint}:${model.model ?? ''}`)) ??
      null,
    strategies,
    outputs: (data.outputs ?? []).map((output, index) => {
      const { format: declared, path: written } = typeof output === 'string' ? { format: output } : output;
      const resolved = written === undefined ? null : inFolder(written);
      return {
        format: declared ?? formatOfPath(written!),
        path: resolved,
        label: `${shownAs}: outputs[${index}].path`,
      };
    }),
    labels,
  };
}

/** Two entries of one strategy are two variants: each needs a name, and no name is given twice. */
function checkEntryNames(entries: readonly EvalStrategyEntry[], shownAs: string): void {
  const seen = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const label = entry.name ?? entry.definition.name;
    const earlier = seen.get(label);
    if (earlier !== undefined) {
      const why =
        entry.name === null
          ? `a second ${label} entry needs a name of its own (name: ...), as strategies[${earlier}] is ${label}`
          : `the name "${label}" is given twice (strategies[${earlier}] too)`;
      throw new ConfigError(`${shownAs}: strategies[${index}]: ${why}`);
    }
    seen.set(label, index);
  }
}

const joined = (value: string | readonly string[] | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : value.join(',');

/** `0.8`, or `{ cot: 0.8, "a/zero-shot": 0.6 }` as --fail-under spells it. */
function failUnderText(value: number | Record<string, number> | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  return Object.entries(value)
    .map(([key, threshold]) => `${key}=${threshold}`)
    .join(',');
}
