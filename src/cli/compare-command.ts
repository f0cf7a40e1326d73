/**
 * `promptlab compare`: strategies × models over one dataset — every record × strategy × model (× variant,
 * from an eval file) is one cell of the matrix — scored, summarised side by side with a paired test against
 * the baseline cell, and gated for CI. `eval` runs the same matrix from a file (eval-command.ts).
 */
import { readFile } from 'node:fs/promises';
import { cellNamer, type Cell } from '../core/cells.js';
import type { ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord } from '../core/records.js';
import { findConfigFile } from '../config/config-file.js';
import { numberInRange, oneOf } from '../config/flag-values.js';
import { InputError, UsageError } from '../errors.js';
import { formatMessages } from '../render/messages.js';
import { renderRunEstimate } from '../render/run-estimate.js';
import { estimateBasis, estimateRun, type EstimatedJob } from '../run/estimate-run.js';
import { executeRun } from '../run/execute-run.js';
import type { Io } from '../run/io.js';
import { createTargetClients, parseModelList, type ModelTarget } from '../run/model-targets.js';
import { prepareJobs, withModel, type JobEntry, type PreparedJob } from '../run/prepare-job.js';
import { countDatasetRecords } from '../run/read-dataset.js';
import { outputFlag, resumeOutputPath } from '../run/resume-hints.js';
import { liveResults } from '../run/run-records.js';
import { openRecords, resolveMatch, resolveRunConfig } from '../run/run-setup.js';
import { defaultAlpha } from '../scoring/compare-report.js';
import { parseFailUnder } from '../scoring/fail-under.js';
import { baselineNotes, checkAgainstBaseline, checkFailUnder } from '../scoring/gates.js';
import { parseMaxErrors } from '../scoring/max-errors.js';
import { runInputFiles } from '../run/write-file.js';
import { findStrategy, strategyNames } from '../strategies/registry.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import type { TemplateDirs } from '../templates/load-template.js';
import { compareFormats, formatOfPath, type CompareFormat } from '../render/compare-formats.js';
import { checkOutputs, compareOutput, type OutputTarget } from './compare-output.js';
import { pricesFor } from './report-command.js';
import { progressView } from './run-view.js';
import { createTerminal, type Terminal } from './terminal.js';

export function parseStrategyList(value: unknown): StrategyDefinition[] {
  const names =
    value === undefined
      ? strategyNames()
      : String(value)
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  if (names.length === 0) throw new UsageError('--strategies: name at least one strategy');
  const definitions = names.map((name) => {
    const definition = findStrategy(name);
    if (definition === undefined)
      throw new UsageError(`--strategies: unknown strategy "${name}" (known: ${strategyNames().join(', ')})`);
    return definition;
  });
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new UsageError(`--strategies: "${duplicate}" is listed twice`);
  return definitions;
}

/**
 * The models a compare or eval names: `--models a,b` (or an eval file's list), else `-m` or the configured
 * model. `-m` takes one model: `-m a,b` would be sent to the server as one name, so it is refused.
 */
export function modelsFromFlags(flagValues: Record<string, unknown>): string[] | null {
  const models = flagValues.models as string | undefined;
  const model = flagValues.model as string | undefined;
  if (models !== undefined && model !== undefined) throw new UsageError('give --models a,b or -m MODEL, not both');
  if (model?.includes(',')) throw new UsageError(`-m takes one model; compare several with --models ${model}`);
  return models === undefined ? null : models.split(',');
}

function chooseCompareFormat(flagValues: Record<string, unknown>, stdout: { isTTY?: boolean }): CompareFormat {
  if (flagValues.json === true && flagValues.jsonl === true) throw new UsageError('--json and --jsonl: choose one');
  const shorthand = flagValues.jsonl === true ? 'jsonl' : flagValues.json === true ? 'json' : null;
  if (flagValues.format !== undefined) {
    const format = oneOf(flagValues.format, '--format', compareFormats);
    // --json says JSON and --format markdown says Markdown: one output, so one of them has to go.
    if (shorthand !== null && shorthand !== format)
      throw new UsageError(`--${shorthand} and --format ${format}: choose one`);
    return format;
  }
  if (shorthand !== null) return shorthand;
  const output = flagValues.output as string | undefined;
  if (output !== undefined) return formatOfPath(output);
  return stdout.isTTY ? 'table' : 'json';
}

/**
 * The outputs `--format`, `--json`, `--jsonl` and `-o` describe: one, or with --resume its JSON Lines file
 * and, for --format markdown or table, that report on stdout in the same run (a CI step summary). A
 * document of every result (json, junit, html) would hold only this run's: `promptlab report FILE` reads
 * the whole file.
 */
export function outputsFromFlags(flagValues: Record<string, unknown>, stdout: { isTTY?: boolean }): OutputTarget[] {
  const resumeOutput = resumeOutputPath(flagValues);
  if (resumeOutput === null)
    return [
      {
        format: chooseCompareFormat(flagValues, stdout),
        path: (flagValues.output as string | undefined) ?? null,
        label: '-o',
      },
    ];
  const resumed: OutputTarget = {
    format: 'jsonl',
    path: resumeOutput,
    label: outputFlag(flagValues, resumeOutput).flag,
  };
  if (flagValues.format === undefined) return [resumed];
  const format = oneOf(flagValues.format, '--format', compareFormats);
  if (format === 'jsonl') return [resumed];
  if (format === 'markdown' || format === 'table') return [resumed, { format, path: null, label: '--format' }];
  throw new UsageError(
    `--resume appends JSON lines to the file, and --format ${format} would hold only this run's results; use --format markdown or table, or write the ${format} afterwards from the file (promptlab report)`,
  );
}

export async function compareCommand(flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const entries = parseStrategyList(flagValues.strategies).map(
    (definition): JobEntry => ({ definition, variant: null, settings: flagValues }),
  );
  await runMatrix(
    {
      command: 'compare',
      flagValues,
      entries,
      models: modelsFromFlags(flagValues),
      outputs: outputsFromFlags(flagValues, io.stdout),
      labels: {},
    },
    io,
  );
}

/** A matrix run as a command describes it: compare from its flags, eval from its file under its flags. */
export interface MatrixPlan {
  command: 'compare' | 'eval';
  /** Run-level settings as flag values: the command line's (over an eval file's). */
  flagValues: Record<string, unknown>;
  /** The strategies and their variants, each with the settings it runs under (prepare-job.ts). */
  entries: readonly JobEntry[];
  /** The models as written (`MODEL` or `ENDPOINT:MODEL`); null: the run's one configured model. */
  models: readonly string[] | null;
  outputs: readonly OutputTarget[];
  /** How messages name a setting that came from a file rather than a flag (attribute → `file: key`). */
  labels: Readonly<Record<string, string>>;
  /** Where template names are looked up (an eval file's folder); default the working directory's. */
  templateDirs?: TemplateDirs;
}

export async function runMatrix(plan: MatrixPlan, io: Io): Promise<void> {
  const { flagValues } = plan;
  const labelOf = (name: string, flag: string) => plan.labels[name] ?? flag;
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const dryRun = flagValues.dryRun === true;
  if (flagValues.dataset === undefined)
    throw new UsageError(`${plan.command} needs --dataset FILE (JSONL records with "expected")`);

  // Everything a user can get wrong is checked before any template loads or request is sent.
  // Named endpoints matter only to a model written ENDPOINT:MODEL.
  const named = plan.models?.some((model) => model.includes(':')) === true;
  const endpoints = (named ? (await findConfigFile(process.cwd()))?.data.endpoints : undefined) ?? {};
  const config = await resolveRunConfig(flagValues, io.env);
  const targets: ModelTarget[] =
    plan.models === null
      ? [unnamedTarget(config.model, dryRun)]
      : parseModelList(plan.models, endpoints, labelOf('models', '--models'));
  const cells = targets.flatMap((target) =>
    plan.entries.map(
      (entry): Cell => ({ model: target.label, strategy: entry.definition.name, variant: entry.variant }),
    ),
  );
  const baseline = baselineCell(plan, targets, labelOf);
  const failUnder =
    flagValues.failUnder === undefined
      ? []
      : parseFailUnder(String(flagValues.failUnder), cells, labelOf('failUnder', '--fail-under'));
  const maxErrors = parseMaxErrors(String(flagValues.maxErrors ?? '0'));
  const alpha =
    flagValues.alpha === undefined
      ? defaultAlpha
      : numberInRange(flagValues.alpha, labelOf('alpha', '--alpha'), 0, 1, '()');
  const baselinePath = flagValues.baseline as string | undefined;
  const baselineReport =
    baselinePath === undefined
      ? null
      : (await import('../scoring/baseline-report.js')).parseBaselineReport(
          await readBaseline(baselinePath),
          baselinePath,
        );
  const resumeOutput = resumeOutputPath(flagValues);
  // An eval entry may read files of its own (examples, pool, context): no output may name one either.
  const inputs = [flagValues, ...plan.entries.map((entry) => entry.settings)].flatMap(runInputFiles);
  if (!dryRun) await checkOutputs(plan.outputs, inputs);
  const writesHtml = plan.outputs.some((output) => output.format === 'html');
  // Prices are checked before any request is paid for; only the HTML report uses them.
  const prices = writesHtml ? await pricesFor(flagValues) : null;
  if (prices === null && flagValues.price !== undefined && !dryRun)
    terminal.warn('--price is used by --format html only');

  const warn = (message: string) => terminal.warn(message);
  const prepared = await prepareJobs(plan.entries, { config, warn, templateDirs: plan.templateDirs });
  const { records } = await openRecords(
    flagValues,
    undefined,
    prepared.map((job) => job.template),
    io.stdin,
  );
  const jobsOf = <T>(make: (job: PreparedJob, target: ModelTarget) => T): T[] =>
    targets.flatMap((target) => prepared.map((job) => make(job, target)));

  if (dryRun) {
    const estimated = jobsOf(
      (job, target): EstimatedJob => ({
        model: target.label,
        strategy: job.strategy,
        variant: job.variant,
        prepared: job.prepared,
      }),
    );
    await printEstimate(plan, records, estimated, targets, terminal, io);
    return;
  }

  const clients = await createTargetClients(
    targets,
    config,
    flagValues,
    io.env,
    (status, retryAfterMs) => terminal.throttled(status, retryAfterMs),
    flagValues.replay === true,
  );
  const jobs = jobsOf((job, target) => withModel(job, target.label, clients.clientOf(target.label)));
  const match = resolveMatch(flagValues);

  await executeRun({
    source: liveResults({ records, jobs, concurrency: clients.concurrency, match, seed: config.seed, warn }),
    cells: jobs,
    resume: resumeOutput === null ? null : { flagValues, outputPath: resumeOutput },
    openOutput: compareOutput({
      targets: plan.outputs,
      cells,
      baseline,
      alpha,
      // The run's answer spec (the dataset's); a variant with an answer type of its own is re-voted as recorded.
      html:
        prices === null ? null : { answer: prepared[0]!.answer, match, prices, source: `promptlab ${plan.command}` },
      terminal,
      stdout: io.stdout,
    }),
    endpoint: { label: clients.label, throttling: clients.throttling },
    maxErrors,
    countRecords: () => countDatasetRecords(String(flagValues.dataset)),
    gates: (ending) => {
      const underThreshold = failUnder.flatMap((gate) =>
        checkFailUnder(ending.summaries, gate.threshold, gate.selector),
      );
      if (baselineReport === null) return underThreshold;
      for (const note of baselineNotes(ending.summaries, baselineReport, ending.correctness)) warn(note);
      return [...underThreshold, ...checkAgainstBaseline(ending.summaries, baselineReport, alpha, ending.correctness)];
    },
    callbacks: {
      warn,
      note: (message) => terminal.note(message),
      ...(await progressView(terminal, String(flagValues.dataset))),
    },
  });
}

/** The configured model, when no list names any (a dry run needs none: it calls nothing). */
function unnamedTarget(model: string | null, dryRun: boolean): ModelTarget {
  if (model === null && !dryRun)
    throw new UsageError(
      'no model: pass --models a,b or -m NAME, set PROMPTLAB_MODEL, or put "model" in promptlab.config.json',
    );
  const label = model ?? '(no model set)';
  return { label, model: label, endpoint: null };
}

/**
 * The cell every other is paired with: `--baseline-model` (default the first model) and
 * `--baseline-strategy` (a variant's name or a strategy; default the first entry).
 */
function baselineCell(
  plan: MatrixPlan,
  targets: readonly ModelTarget[],
  labelOf: (name: string, flag: string) => string,
): Cell {
  const wantedModel = plan.flagValues.baselineModel as string | undefined;
  const target =
    wantedModel === undefined
      ? targets[0]!
      : (targets.find((candidate) => candidate.label === wantedModel) ??
        targets.find((candidate) => candidate.model === wantedModel));
  if (target === undefined)
    throw new UsageError(
      `${labelOf('baselineModel', '--baseline-model')} ${wantedModel}: not one of the models compared (${targets.map((candidate) => candidate.label).join(', ')})`,
    );
  const wanted = plan.flagValues.baselineStrategy as string | undefined;
  const entry =
    wanted === undefined
      ? plan.entries[0]!
      : (plan.entries.find((candidate) => candidate.variant === wanted) ??
        plan.entries.find((candidate) => candidate.definition.name === wanted && candidate.variant === null) ??
        plan.entries.find((candidate) => candidate.definition.name === wanted));
  if (entry === undefined) {
    const names = plan.entries.map((candidate) => candidate.variant ?? candidate.definition.name);
    throw new UsageError(
      `${labelOf('baselineStrategy', '--baseline-strategy')} ${wanted}: not one of the strategies compared (${names.join(', ')})`,
    );
  }
  return { model: target.label, strategy: entry.definition.name, variant: entry.variant };
}

/**
 * `--dry-run`: nothing is called. The records are read and rendered (so a missing variable shows now),
 * and the size of the matrix and its estimate are printed — with --json / --jsonl, every request's
 * messages too; on a terminal, the first record's in each cell.
 */
async function printEstimate(
  plan: MatrixPlan,
  records: AsyncIterable<DatasetRecord>,
  jobs: readonly EstimatedJob[],
  targets: readonly ModelTarget[],
  terminal: Terminal,
  io: Io,
): Promise<void> {
  const format = dryRunFormat(plan.flagValues, io.stdout);
  const nameOf = cellNamer(jobs);
  const rendered: Array<Cell & { id: string; messages: ChatMessage[] }> = [];
  const run = await estimateRun(records, jobs, (record, job, messages) => {
    const entry = { id: record.id, model: job.model, strategy: job.strategy, variant: job.variant, messages };
    if (format === 'jsonl') io.stdout.write(`${JSON.stringify(entry)}\n`);
    else if (format === 'json') rendered.push(entry);
    else if (record.index === 0) io.stdout.write(`${formatMessages(`${record.id} · ${nameOf(job)}`, messages)}\n`);
  });
  const models = targets.map((target) => target.label);
  const entries = plan.entries.map((entry) => entry.variant ?? entry.definition.name);
  const matrix = { records: run.records, models, strategies: entries, cells: run.cells.length };
  const estimate = { ...run.estimate, basis: estimateBasis };
  if (format === 'human') {
    io.stdout.write(
      `${renderRunEstimate({ ...run, models, entries, basis: estimateBasis }, terminal.stdoutColors, terminal.stdoutColumns)}\n`,
    );
  } else if (format === 'jsonl') {
    io.stdout.write(`${JSON.stringify({ dryRun: true, matrix, cells: run.cells, estimate })}\n`);
  } else {
    io.stdout.write(
      `${JSON.stringify({ dryRun: true, matrix, cells: run.cells, estimate, requests: rendered }, null, 2)}\n`,
    );
  }
}

/**
 * JSON Lines or JSON as the run would print (or on a pipe); the human view for a terminal, or for any other
 * --format. The run's own choice, flags refused alike, but on stdout: a dry run writes no -o file.
 */
function dryRunFormat(flagValues: Record<string, unknown>, stdout: { isTTY?: boolean }): 'jsonl' | 'json' | 'human' {
  const format = chooseCompareFormat({ ...flagValues, output: undefined }, stdout);
  return format === 'jsonl' || format === 'json' ? format : 'human';
}

async function readBaseline(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--baseline ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
