/**
 * `promptlab eval [FILE]`: the evaluation an eval file declares (run/eval-file.ts), run as compare runs
 * its matrix. Every flag of compare overrides the file: run settings, the dataset, the models, the gates,
 * and the outputs (any of --format, --json, --jsonl, -o replaces the file's outputs); a strategy flag
 * (`--samples 3`) applies to every entry that takes it. `--strategies a,b` picks entries by variant name
 * or strategy. `promptlab eval --init [FILE]` writes a commented starting file.
 */
import type { Io } from '../run/io.js';
import { loadEvalFile, type EvalFile, type EvalStrategyEntry } from '../run/eval-file.js';
import type { JobEntry } from '../run/prepare-job.js';
import { resumeOutputPath } from '../run/resume-hints.js';
import { findStrategy, strategyNames } from '../strategies/registry.js';
import { projectTemplateDirs } from '../templates/load-template.js';
import { UsageError } from '../errors.js';
import { modelsFromFlags, outputsFromFlags, runMatrix } from './compare-command.js';
import type { OutputTarget } from './compare-output.js';

export async function evalCommand(
  file: string | undefined,
  flagValues: Record<string, unknown>,
  io: Io,
): Promise<void> {
  if (flagValues.init === true) {
    await (await import('./eval-init.js')).writeEvalTemplate(file, io);
    return;
  }
  const evalFile = await loadEvalFile(file, process.cwd());
  const given = Object.fromEntries(Object.entries(flagValues).filter(([, value]) => value !== undefined));
  // A setting the command line gives is named by its flag; one the file gives, by the file's key.
  const overridden = (name: string) => given[name] !== undefined || (name === 'models' && given.model !== undefined);
  const labels = Object.fromEntries(Object.entries(evalFile.labels).filter(([name]) => !overridden(name)));
  await runMatrix(
    {
      command: 'eval',
      flagValues: { ...evalFile.flagValues, ...given },
      entries: chooseEntries(evalFile, given.strategies as string | undefined).map(
        (entry): JobEntry => ({
          definition: entry.definition,
          variant: entry.name,
          settings: { ...evalFile.flagValues, ...entry.settings, ...given },
        }),
      ),
      models: modelsFromFlags(given) ?? evalFile.models,
      outputs: outputsOf(evalFile, given, io.stdout),
      labels,
      templateDirs: projectTemplateDirs(evalFile.directory),
    },
    io,
  );
}

/**
 * `--strategies` picks the file's entries by variant name, or all entries of a strategy; a registered
 * strategy the file does not list runs with the file's settings.
 */
function chooseEntries(evalFile: EvalFile, wanted: string | undefined): EvalStrategyEntry[] {
  if (wanted === undefined) return evalFile.strategies;
  const names = wanted
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--strategies: name at least one strategy');
  const chosen = names.flatMap((name) => {
    const byName = evalFile.strategies.filter((entry) => entry.name === name);
    if (byName.length > 0) return byName;
    const byStrategy = evalFile.strategies.filter((entry) => entry.definition.name === name);
    if (byStrategy.length > 0) return byStrategy;
    const definition = findStrategy(name);
    if (definition !== undefined) return [{ definition, name: null, settings: {} }];
    const listed = evalFile.strategies.map((entry) => entry.name ?? entry.definition.name);
    throw new UsageError(
      `--strategies: "${name}" is neither in ${evalFile.shownAs} (${listed.join(', ')}) nor a strategy (${strategyNames().join(', ')})`,
    );
  });
  return [...new Set(chosen)];
}

/**
 * The file's outputs, unless the command line names one (--format, --json, --jsonl, -o). With --resume,
 * results stream to the resume file and the file's other outputs are written at the end as usual.
 */
function outputsOf(evalFile: EvalFile, given: Record<string, unknown>, stdout: { isTTY?: boolean }): OutputTarget[] {
  const named = ['format', 'json', 'jsonl', 'output'].some((name) => given[name] !== undefined);
  if (named || evalFile.outputs.length === 0) return outputsFromFlags(given, stdout);
  const resumeOutput = resumeOutputPath(given);
  if (resumeOutput === null) return evalFile.outputs;
  return [
    ...evalFile.outputs.filter((output) => output.format !== 'jsonl'),
    { format: 'jsonl', path: resumeOutput, label: '--resume' },
  ];
}
