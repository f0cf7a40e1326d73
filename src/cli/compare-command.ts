/**
 * `promptlab compare`: several strategies over one dataset with one shared concurrency limit, scored,
 * summarised side by side with a paired test against the baseline strategy, and gated for CI.
 */
import { readFile } from 'node:fs/promises';
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import type { ResultRecord } from '../core/records.js';
import type { ThrottleReport } from '../core/adaptive-concurrency.js';
import { runRecords, type RunJob, type RunStatistics } from '../core/run-records.js';
import { newEndpointKnowledge } from '../core/sample-completions.js';
import { GateError, InputError, UsageError, EndpointError } from '../errors.js';
import { renderCompareMarkdown } from '../render/compare-markdown.js';
import { renderCompareTable } from '../render/compare-table.js';
import { renderJunit } from '../render/junit.js';
import type { ModelPrice } from '../report/prices.js';
import { buildCompareReport, defaultAlpha, type CompareReport } from '../scoring/compare-report.js';
import {
  baselineNotes,
  checkAgainstBaseline,
  checkFailUnder,
  checkMaxErrors,
  parseMaxErrors,
  type GateOutcome,
} from '../scoring/gates.js';
import { createSummaryAccumulator, type SummaryAccumulator } from '../scoring/summary.js';
import { numberInRange, oneOf } from '../strategies/flag-values.js';
import { findStrategy, strategyNames } from '../strategies/registry.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import { stoppingMessage, watchInterrupts } from './interrupts.js';
import { pricesFor } from './report-command.js';
import { createResultSink } from './result-sink.js';
import { countDatasetRecords } from './read-dataset.js';
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
  throttleNote,
} from './run-setup.js';
import { interruptedError, loadResume, resumeAfterFailureHint, resumeOutputPath } from './resume-hints.js';
import { createTerminal, type Terminal } from './terminal.js';
import { checkWritableOutput, writeFileAtomic } from './write-file.js';

export const summarySchemaId = 'promptlab.summary/v1';

type CompareFormat = 'table' | 'json' | 'jsonl' | 'markdown' | 'junit' | 'html';

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

function chooseCompareFormat(flagValues: Record<string, unknown>): CompareFormat {
  if (flagValues.format !== undefined)
    return oneOf(flagValues.format, '--format', ['table', 'json', 'jsonl', 'markdown', 'junit', 'html'] as const);
  if (flagValues.jsonl === true) return 'jsonl';
  if (flagValues.json === true) return 'json';
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
  return process.stdout.isTTY ? 'table' : 'json';
}

export async function compareCommand(flagValues: Record<string, unknown>): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true });
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
  if (resumeOutput !== null && flagValues.format !== undefined && flagValues.format !== 'jsonl') {
    throw new UsageError(`--resume appends JSON lines to the file; drop --format ${String(flagValues.format)}`);
  }
  const format = resumeOutput === null ? chooseCompareFormat(flagValues) : 'jsonl';
  const outputPath = resumeOutput ?? (flagValues.output as string | undefined) ?? null;
  if (outputPath !== null && format !== 'jsonl') await checkWritableOutput(outputPath, '-o');
  // Prices are checked before any request is paid for; only the HTML report uses them.
  const prices = format === 'html' ? await pricesFor(flagValues) : null;
  if (prices === null && flagValues.price !== undefined) terminal.warn('--price is used by --format html only');

  const config = await resolveRunConfig(flagValues);
  const template = await loadRunTemplate(flagValues);
  const answer = resolveAnswerSpec(flagValues, template);
  const setup = strategySetup(template, answer, resolvePick(flagValues), config, terminal);
  const prepared = await Promise.all(
    definitions.map(async (definition) => (await definition.load()).prepare(flagValues, setup)),
  );
  const { records } = await openRecords(flagValues, undefined, template);
  const model = requireModel(config);
  const { client, throttling } = await createRunClient(config, model, terminal, flagValues.replay === true);
  const accumulators = new Map<string, SummaryAccumulator>(names.map((name) => [name, createSummaryAccumulator(name)]));
  const resume = await loadResume(
    flagValues,
    resumeOutput,
    { model, template: template.name, strategies: names },
    (result) => accumulators.get(result.strategy)!.add(result),
    terminal,
  );
  const interrupts = watchInterrupts((signal, graceMs) => terminal.warn(stoppingMessage(signal, graceMs)));
  const endpoint = newEndpointKnowledge();
  const jobs: RunJob[] = definitions.map((definition, index) => ({
    strategy: definition.name,
    prepared: prepared[index]!,
    context: {
      client,
      temperature: config.temperature ?? definition.defaultTemperature,
      maxTokens: config.maxTokens,
      seed: config.seed,
      endpoint,
      signal: interrupts.abortSignal,
      warn: (message) => terminal.warn(message),
    },
  }));

  // Results are kept only where the format needs them whole (json, junit); jsonl streams them.
  const sink = await createResultSink({
    format: format === 'jsonl' ? 'jsonl' : 'json',
    outputPath: format === 'jsonl' ? outputPath : null,
    append: resume !== null,
    renderHuman: () => '',
  });
  const resumable = format === 'jsonl' ? outputPath : null;
  const keepResults = format === 'json' || format === 'junit' || format === 'html';
  const kept: Array<{ result: ResultRecord; index: number }> = [];
  const progress = new Map<string, { done: number; errors: number }>(
    names.map((name) => [name, { done: 0, errors: 0 }]),
  );
  // Counting costs a second read of the file: only for a person watching the progress line.
  const total = terminal.showsProgress ? await countDatasetRecords(String(flagValues.dataset)).catch(() => null) : null;
  const startedAt = performance.now();
  let written = resume?.kept ?? 0;
  let statistics: RunStatistics;
  try {
    statistics = await runRecords({
      records,
      jobs,
      concurrency: config.concurrency,
      model,
      template: template.name,
      answer,
      match: resolveMatch(flagValues),
      alreadyDone: resume?.isDone,
      stopSignal: interrupts.stopSignal,
      onResult: async (result, record) => {
        written++;
        accumulators.get(result.strategy)!.add(result);
        const counts = progress.get(result.strategy)!;
        counts.done++;
        if (result.error !== null) counts.errors++;
        if (format === 'jsonl') await sink.write(result, record);
        else if (keepResults) kept.push({ result, index: record.index });
        terminal.progress(progressLine(progress, total, performance.now() - startedAt));
      },
    });
  } catch (error) {
    await sink.abandon();
    const hint = resumeAfterFailureHint(written, resumable);
    if (hint !== null) terminal.warn(hint);
    throw error;
  } finally {
    terminal.stopProgress();
    interrupts.dispose();
    const note = throttleNote(throttling.report(), config.concurrency);
    if (note !== null) terminal.warn(note);
  }

  const summaries = names.map((name) => accumulators.get(name)!.finish());
  const correctness = new Map(names.map((name) => [name, accumulators.get(name)!.correctness()]));
  const report = buildCompareReport(summaries, correctness, baselineStrategy, alpha);
  kept.sort(
    (left, right) =>
      left.index - right.index || names.indexOf(left.result.strategy) - names.indexOf(right.result.strategy),
  );

  const results = kept.map((entry) => entry.result);
  const rendered =
    format === 'html'
      ? await renderHtml(report, results, { answer, match: resolveMatch(flagValues), prices: prices!, terminal })
      : renderReport(format, report, results, throttling.report(), terminal.stdoutColors);
  if (format === 'jsonl') {
    // After the result lines, one summary line per strategy: consumers tell them apart by `schema`.
    for (const summary of report.strategies) await sink.writeLine({ schema: summarySchemaId, ...summary });
    await sink.close(() => null);
  } else if (outputPath !== null) {
    await writeFileAtomic(outputPath, withNewline(rendered));
    if (process.stdout.isTTY) process.stdout.write(withNewline(renderCompareTable(report, terminal.stdoutColors)));
  } else {
    process.stdout.write(withNewline(rendered));
  }

  if (statistics.interrupted) throw interruptedError(statistics.finished, resumable);
  if (statistics.errored > 0 && statistics.answered === 0)
    throw new EndpointError(`${config.baseUrl}: no record got an answer`);
  const gates: GateOutcome[] = [
    ...failUnder.flatMap((gate) => checkFailUnder(report.strategies, gate.threshold, gate.strategies)),
    ...(baselineReport === null ? [] : checkAgainstBaseline(report.strategies, baselineReport, alpha, correctness)),
    ...checkMaxErrors(report.strategies, maxErrors),
  ];
  if (baselineReport !== null)
    for (const note of baselineNotes(report.strategies, baselineReport, correctness)) terminal.warn(note);
  if (gates.length > 0) {
    for (const gate of gates.slice(1)) process.stderr.write(`promptlab: gate failed: ${gate.message}\n`);
    throw new GateError(
      `gate failed: ${gates[0]!.message}${gates.length > 1 ? ` (and ${gates.length - 1} more)` : ''}`,
    );
  }
}

function renderReport(
  format: CompareFormat,
  report: CompareReport,
  results: ResultRecord[],
  endpoint: ThrottleReport,
  colors: Terminal['stdoutColors'],
): string {
  switch (format) {
    case 'table':
      return renderCompareTable(report, colors);
    case 'markdown':
      return renderCompareMarkdown(report);
    case 'junit':
      return renderJunit(report, results);
    case 'json':
      return `${JSON.stringify({ ...report, endpoint, results }, null, 2)}\n`;
    case 'jsonl':
    case 'html':
      return '';
  }
}

/** The HTML report of this run (src/report, loaded only here: it brings the chart library). */
async function renderHtml(
  report: CompareReport,
  results: ResultRecord[],
  options: { answer: AnswerSpec; match: MatchMode; prices: Map<string, ModelPrice>; terminal: Terminal },
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
  for (const note of html.notes) options.terminal.warn(note);
  return html.html;
}

/** `zero-shot 12/30 · cot 10/30 (1 error) · ETA 14 s` */
export function progressLine(
  progress: ReadonlyMap<string, { done: number; errors: number }>,
  total: number | null,
  elapsedMs: number,
): string {
  const parts = [...progress].map(
    ([name, count]) =>
      `${name} ${count.done}${total === null ? '' : `/${total}`}${count.errors > 0 ? ` (${count.errors} error${count.errors === 1 ? '' : 's'})` : ''}`,
  );
  const done = [...progress.values()].reduce((sum, count) => sum + count.done, 0);
  if (total !== null && done > 0) {
    const remaining = total * progress.size - done;
    parts.push(`ETA ${Math.ceil(((elapsedMs / done) * remaining) / 1000)} s`);
  }
  return parts.join(' · ');
}

const withNewline = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

async function readBaseline(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--baseline ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
