/**
 * The candidate axes from tune's flags: --templates, --systems FILE (one instruction per paragraph),
 * --triggers FILE (one per line), --shots with --examples and --demo-sets (K seeded random sets per shot
 * count, DSPy's random search over demonstrations). Which axes a strategy has follows from the options it
 * declares (a trigger, demonstrations from --examples, a --shots count), never from its name.
 */
import { nonNegativeInteger } from '../config/flag-values.js';
import { createRandom, hashString, shuffled } from '../core/seeded-random.js';
import { InputError, UsageError } from '../errors.js';
import type { OptionFiles } from '../run/option-files.js';
import type { Demonstration } from '../strategies/demonstrations.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import type { Axis, AxisValue } from './candidate-product.js';

export interface AxisFlags {
  templates?: string;
  systems?: string;
  triggers?: string;
  shots?: string;
  demoSets?: number;
}

export interface AxisSources {
  definition: StrategyDefinition;
  flags: AxisFlags;
  /** The demonstrations of --examples (null without it). */
  examples: { path: string; items: Demonstration[] } | null;
  seed: number;
  /** Reads --systems and --triggers, as the run reads its option files (errors name the flag and file). */
  files: OptionFiles;
}

/** What the strategy's options say it can vary. */
export function strategyAxes(definition: StrategyDefinition) {
  return {
    trigger: 'trigger' in definition.options,
    shots: 'shots' in definition.options,
    examples: 'examples' in definition.options,
  };
}

export async function buildAxes(sources: AxisSources): Promise<Axis[]> {
  const { definition, flags } = sources;
  const can = strategyAxes(definition);
  const axes: Axis[] = [];
  if (flags.templates !== undefined) {
    const names = distinct(listOf(flags.templates, '--templates'));
    axes.push({
      flag: '--templates',
      values: names.map((name) => given(`template: ${name}`, { template: name })),
    });
  }
  if (flags.systems !== undefined) {
    const systems = distinct(paragraphs(await readText(sources.files, flags.systems, '--systems')));
    if (systems.length === 0) throw new InputError(`--systems ${flags.systems}: no instructions in the file`);
    axes.push({
      flag: '--systems',
      values: systems.map((system) => given(`system: ${firstLine(system)}`, { system })),
    });
  }
  if (flags.triggers !== undefined) {
    if (!can.trigger)
      throw new UsageError(`--triggers: ${definition.name} takes no trigger (cot and self-consistency do)`);
    const triggers = distinct(lines(await readText(sources.files, flags.triggers, '--triggers')));
    if (triggers.length === 0) throw new InputError(`--triggers ${flags.triggers}: no triggers in the file`);
    axes.push({ flag: '--triggers', values: triggers.map((trigger) => given(`trigger: ${trigger}`, { trigger })) });
  }
  const shots = demonstrationAxis(sources);
  if (shots !== null) axes.push(shots);
  return axes;
}

function demonstrationAxis({ definition, flags, examples, seed }: AxisSources): Axis | null {
  const can = strategyAxes(definition);
  if (flags.shots === undefined) {
    if (flags.demoSets !== undefined) throw new UsageError('--demo-sets: give the shot counts with --shots, e.g. 2,4');
    return null;
  }
  if (!can.shots) throw new UsageError(`--shots: ${definition.name} takes no demonstrations`);
  const counts = distinct(listOf(flags.shots, '--shots').map((count) => nonNegativeInteger(count, '--shots')));
  if (!can.examples) {
    // Demonstrations chosen per input (in-context): only how many can vary.
    if (flags.demoSets !== undefined)
      throw new UsageError(`--demo-sets: ${definition.name} picks demonstrations per input; vary --shots alone`);
    return { flag: '--shots', values: counts.map((count) => given(`${count} shots`, { shots: count })) };
  }
  if (examples === null)
    throw new UsageError('--shots: give --examples FILE, the demonstrations the sets are drawn from');
  const largest = Math.max(...counts);
  if (largest > examples.items.length)
    throw new UsageError(
      `--shots ${largest} is more than the ${examples.items.length} demonstration(s) in ${examples.path}`,
    );
  const sets = flags.demoSets ?? 1;
  const values = counts.flatMap((count): AxisValue[] => {
    if (count === 0) return [given('0 shots', { shots: 0, demonstrations: { set: 0, items: [] } })];
    return Array.from({ length: sets }, (_, index) => {
      const random = createRandom(hashString(`${seed}:shots ${count}:set ${index + 1}`));
      const items = shuffled(examples.items, random).slice(0, count);
      const label = sets === 1 ? `${count} shots` : `${count} shots, set ${index + 1}`;
      return given(label, { shots: count, demonstrations: { set: index + 1, items } });
    });
  });
  return { flag: '--shots', values };
}

const given = (label: string, settings: AxisValue['settings']): AxisValue => ({ label, source: 'given', settings });

function listOf(value: string, flag: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`${flag}: give a comma-separated list`);
  return items;
}

function distinct<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** One instruction per paragraph: blank lines separate them, and a paragraph may span lines. */
export function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
}

export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const firstLine = (text: string): string => text.split('\n')[0]!;

async function readText(files: OptionFiles, path: string, flag: string): Promise<string> {
  return (await files.read(path, flag)).bytes.toString('utf8');
}
