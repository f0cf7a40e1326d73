/**
 * `promptlab compare`: several strategies over one dataset with one shared concurrency limit, scored,
 * summarised side by side with a paired test against the baseline strategy, and gated for CI.
 */
import { readFile } from 'node:fs/promises';
import type { ThrottleReport } from '../core/adaptive-concurrency.js';
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import { summarySchemaId, type ResultRecord } from '../core/records.js';
import { InputError, UsageError } from '../errors.js';
import { numberInRange, oneOf } from '../config/flag-values.js';
import { renderCompareMarkdown } from '../render/compare-markdown.js';
import { renderCompareTable } from '../render/compare-table.js';
import { renderJunit } from '../render/junit.js';
import type { ModelPrice } from '../report/prices.js';
import { executeRun, type RunOutput } from '../run/execute-run.js';
import type { Io, OutputStream } from '../run/io.js';
import { countDatasetRecords } from '../run/read-dataset.js';
import { createResultSink } from '../run/result-sink.js';
import { outputFlag, resumeOutputPath } from '../run/resume-hints.js';
import { jobFingerprint } from '../run/run-fingerprint.js';
import { liveResults } from '../run/run-records.js';
import {
  createRunClient,
  loadRunTemplate,
  openRecords,
  requireModel,
  resolveAnswerSpec,
  resolveMatch,
  resolvePick,
  resolveRunConfig,
  strategySetup,
  temperatureFor,
} from '../run/run-setup.js';
import { checkWritableOutput, refuseInputAsOutput, runInputFiles, writeRunFile } from '../run/write-file.js';
import { buildCompareReport, defaultAlpha, type CompareReport } from '../scoring/compare-report.js';
import { reportForJson, summaryForJson } from '../scoring/json-numbers.js';
import { baselineNotes, checkAgainstBaseline, checkFailUnder } from '../scoring/gates.js';
import { parseMaxErrors } from '../scoring/max-errors.js';
import { findStrategy, strategyNames } from '../strategies/registry.js';
import { prepareStrategy, type StrategyDefinition } from '../strategies/strategy.js';
import { pricesFor } from './report-command.js';
import { progressView, sayWhereResultsWent } from './run-view.js';
import { createTerminal, type Terminal } from './terminal.js';

const compareFormats = ['table', 'json', 'jsonl', 'markdown', 'junit', 'html'] as const;
type CompareFormat = (typeof compareFormats)[number];

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

/** `0.8` gates every strategy; `cot=0.8,self-consistency=0.85` gates the named ones. */
export function parseFailUnder(
  value: unknown,
  strategies: readonly string[],
): Array<{ threshold: number; strategies?: string[] }> {
  if (value === undefined) return [];
  const text = String(value);
  if (!text.includes('=')) return [{ threshold: numberInRange(text, '--fail-under', 0, 1) }];
  return text.split(',').map((part) => {
    const [name, threshold] = part.split('=').map((piece) => piece.trim());
    if (!name || !strategies.includes(name))
      throw new UsageError(
        `--fail-under: "${name ?? ''}" is not one of the strategies compared (${strategies.join(', ')})`,
      );
    return { threshold: numberInRange(threshold, `--fail-under ${name}`, 0, 1), strategies: [name] };
  });
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
  if (output !== undefined)
    return output.endsWith('.jsonl')
      ? 'jsonl'
      : output.endsWith('.xml')
        ? 'junit'
        : output.endsWith('.md')
          ? 'markdown'
          : output.endsWith('.html')
            ? 'html'
            : 'json';
  return stdout.isTTY ? 'table' : 'json';
}

/**
 * With --resume the results go on as JSON Lines in the file; a --format that needs only the summaries
 * (markdown for a CI step summary, the table) is printed on stdout in the same run. A document of every
 * result (json, junit, html) would hold only this run's: `promptlab report FILE` reads the whole file.
 */
function resumedReportFormat(flagValues: Record<string, unknown>): 'markdown' | 'table' | null {
  if (flagValues.format === undefined) return null;
  const format = oneOf(flagValues.format, '--format', compareFormats);
  if (format === 'jsonl') return null;
  if (format === 'markdown' || format === 'table') return format;
  throw new UsageError(
    `--resume appends JSON lines to the file, and --format ${format} would hold only this run's results; use --format markdown or table, or write the ${format} afterwards from the file (promptlab report)`,
  );
}

export async function compareCommand(flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const definitions = parseStrategyList(flagValues.strategies);
  const names = definitions.map((definition) => definition.name);
  const baselineStrategy = (flagValues.baselineStrategy as string | undefined) ?? names[0]!;
  if (!names.includes(baselineStrategy))
    throw new UsageError(`--baseline-strategy ${baselineStrategy}: not one of --strategies (${names.join(', ')})`);
  const failUnder = parseFailUnder(flagValues.failUnder, names);
  const maxErrors = parseMaxErrors(String(flagValues.maxErrors ?? '0'));
  const alpha = flagValues.alpha === undefined ? defaultAlpha : numberInRange(flagValues.alpha, '--alpha', 0, 1, '()');
  const baselinePath = flagValues.baseline as string | undefined;
  const baselineReport =
    baselinePath === undefined
      ? null
      : (await import('../scoring/baseline-report.js')).parseBaselineReport(
          await readBaseline(baselinePath),
          baselinePath,
        );
  if (flagValues.dataset === undefined)
    throw new UsageError('compare needs --dataset FILE (JSONL records with "expected")');
  const resumeOutput = resumeOutputPath(flagValues);
  const format = resumeOutput === null ? chooseCompareFormat(flagValues, io.stdout) : 'jsonl';
  const alsoPrint = resumeOutput === null ? null : resumedReportFormat(flagValues);
  const outputPath = resumeOutput ?? (flagValues.output as string | undefined) ?? null;
  if (outputPath !== null) await refuseInputAsOutput(outputFlag(flagValues, outputPath), runInputFiles(flagValues));
  if (outputPath !== null && format !== 'jsonl') await checkWritableOutput(outputPath, '-o');
  // Prices are checked before any request is paid for; only the HTML report uses them.
  const prices = format === 'html' ? await pricesFor(flagValues) : null;
  if (prices === null && flagValues.price !== undefined) terminal.warn('--price is used by --format html only');

  const config = await resolveRunConfig(flagValues, io.env);
  const template = await loadRunTemplate(flagValues);
  const answer = resolveAnswerSpec(flagValues, template);
  const match = resolveMatch(flagValues);
  const warn = (message: string) => terminal.warn(message);
  const setup = strategySetup(template, answer, resolvePick(flagValues), config, warn);
  const prepared = await Promise.all(definitions.map((definition) => prepareStrategy(definition, flagValues, setup)));
  const { records } = await openRecords(flagValues, undefined, template, io.stdin);
  const model = requireModel(config);
  const { client, throttling } = await createRunClient(
    config,
    model,
    (status, retryAfterMs) => terminal.throttled(status, retryAfterMs),
    flagValues.replay === true,
  );
  const jobs = await Promise.all(
    definitions.map(async (definition, index) => {
      const temperature = temperatureFor(definition, config.temperature, warn);
      const fingerprint = await jobFingerprint({
        template,
        definition,
        flagValues,
        temperature,
        maxTokens: config.maxTokens,
        seed: config.seed,
        answer,
        match,
      });
      return { strategy: definition.name, prepared: prepared[index]!, client, temperature, fingerprint };
    }),
  );

  await executeRun({
    source: liveResults({
      records,
      jobs,
      concurrency: config.concurrency,
      model,
      template: template.name,
      answer,
      match,
      maxTokens: config.maxTokens,
      seed: config.seed,
      warn,
    }),
    strategies: names,
    fingerprints: new Map(jobs.map((job) => [job.strategy, job.fingerprint])),
    model,
    template: template.name,
    answer,
    resume: resumeOutput === null ? null : { flagValues, outputPath: resumeOutput },
    openOutput: compareOutput({
      format,
      outputPath,
      names,
      baselineStrategy,
      alpha,
      html: prices === null ? null : { answer, match, prices },
      alsoPrint,
      terminal,
      stdout: io.stdout,
    }),
    endpoint: { label: config.baseUrl, throttling: { report: throttling.report, concurrency: config.concurrency } },
    maxErrors,
    countRecords: () => countDatasetRecords(String(flagValues.dataset)),
    gates: (ending) => {
      if (baselineReport === null)
        return failUnder.flatMap((gate) => checkFailUnder(ending.summaries, gate.threshold, gate.strategies));
      for (const note of baselineNotes(ending.summaries, baselineReport, ending.correctness)) warn(note);
      return [
        ...failUnder.flatMap((gate) => checkFailUnder(ending.summaries, gate.threshold, gate.strategies)),
        ...checkAgainstBaseline(ending.summaries, baselineReport, alpha, ending.correctness),
      ];
    },
    callbacks: {
      warn,
      note: (message) => terminal.note(message),
      ...(await progressView(terminal, String(flagValues.dataset))),
    },
  });
}

/**
 * Where compare's results go: JSON Lines as each finishes (then one summary line per strategy), or kept
 * for the report written at the end (JSON with the results, JUnit, the HTML page), or only counted
 * (table, Markdown). A person at a terminal sees the comparison whatever -o says; a log gets one line
 * per strategy when the results went to a file.
 */
function compareOutput(options: {
  format: CompareFormat;
  outputPath: string | null;
  names: readonly string[];
  baselineStrategy: string;
  alpha: number;
  /** What the HTML page needs beyond the results (null unless the format is html). */
  html: HtmlOptions | null;
  /** A resumed run's report for stdout (--resume with --format markdown|table); null otherwise. */
  alsoPrint: 'markdown' | 'table' | null;
  terminal: Terminal;
  stdout: OutputStream;
}): (append: boolean) => Promise<RunOutput> {
  const { format, outputPath, names, terminal, stdout } = options;
  return async (append) => {
    const sink = await createResultSink({
      format: format === 'jsonl' ? 'jsonl' : 'json',
      outputPath: format === 'jsonl' ? outputPath : null,
      append,
      renderHuman: () => '',
      stdout,
    });
    const keepResults = format === 'json' || format === 'junit' || format === 'html';
    const kept: Array<{ result: ResultRecord; index: number }> = [];
    return {
      get resumable() {
        return format === 'jsonl' && sink.wroteFile ? outputPath : null;
      },
      async write(result, record) {
        if (format === 'jsonl') await sink.write(result, record);
        else if (keepResults) kept.push({ result, index: record.index });
      },
      abandon: () => sink.abandon(),
      async finish(ending) {
        const report = buildCompareReport(
          ending.summaries,
          ending.correctness,
          options.baselineStrategy,
          options.alpha,
        );
        kept.sort(
          (left, right) =>
            left.index - right.index || names.indexOf(left.result.strategy) - names.indexOf(right.result.strategy),
        );
        const results = kept.map((entry) => entry.result);
        const rendered =
          options.html === null
            ? renderReport(format, report, results, ending.endpoint!, terminal)
            : await renderHtml(report, results, options.html, terminal);
        if (format === 'jsonl') {
          // After the result lines, one summary line per strategy: consumers tell them apart by `schema`.
          for (const summary of report.strategies)
            await sink.writeLine({ schema: summarySchemaId, ...summaryForJson(summary) });
          await sink.close(() => null);
        } else if (outputPath !== null) {
          // A run that errored at every record leaves the last good report in place.
          await writeRunFile(outputPath, withNewline(rendered), ending.statistics.answered);
        } else {
          stdout.write(withNewline(rendered));
        }
        if (options.alsoPrint !== null)
          terminal.out(withNewline(renderReport(options.alsoPrint, report, [], ending.endpoint!, terminal)));
        // The table and Markdown on stdout are the comparison; a resumed run's --format printed it just now.
        const shownOnStdout =
          options.alsoPrint !== null || (outputPath === null && (format === 'table' || format === 'markdown'));
        sayWhereResultsWent(
          terminal,
          { outputPath, summaries: report.strategies, interrupted: ending.statistics.interrupted },
          shownOnStdout ? null : () => renderCompareTable(report, terminal.stdoutColors, terminal.stdoutColumns),
        );
      },
    };
  };
}

function renderReport(
  format: CompareFormat,
  report: CompareReport,
  results: ResultRecord[],
  endpoint: ThrottleReport,
  terminal: Terminal,
): string {
  switch (format) {
    case 'table':
      return renderCompareTable(report, terminal.stdoutColors, terminal.stdoutColumns);
    case 'markdown':
      return renderCompareMarkdown(report);
    case 'junit':
      return renderJunit(report, results);
    case 'json':
      return `${JSON.stringify({ ...reportForJson(report), endpoint, results }, null, 2)}\n`;
    case 'jsonl':
    case 'html':
      return '';
  }
}

interface HtmlOptions {
  answer: AnswerSpec;
  match: MatchMode;
  prices: Map<string, ModelPrice>;
}

/** The HTML report of this run (src/report, loaded only here: it brings the chart library). */
async function renderHtml(
  report: CompareReport,
  results: ResultRecord[],
  options: HtmlOptions,
  terminal: Terminal,
): Promise<string> {
  const { renderHtmlReport } = await import('../report/html-report.js');
  const html = renderHtmlReport(
    { results, summaries: report.strategies, alpha: report.alpha },
    {
      prices: options.prices,
      answer: options.answer,
      match: options.match,
      baseline: { strategy: report.baselineStrategy },
      alpha: report.alpha,
    },
    { source: 'promptlab compare' },
  );
  for (const note of html.notes) terminal.warn(note);
  return html.html;
}

const withNewline = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

async function readBaseline(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--baseline ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
