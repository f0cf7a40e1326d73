/**
 * `promptlab tune <strategy>`: searches candidate prompts on the dev part of a dataset within a request
 * budget, then runs the winner and the baseline once on the test part and reports those numbers.
 * The search itself is src/tune; this file reads the flags and files, and writes what a person or a
 * script asked for.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { fallbackColumns } from '../render/text-width.js';
import { renderTuneLeaderboard } from '../render/tune-leaderboard.js';
import { executeRun, type RunOutput } from '../run/execute-run.js';
import type { Io } from '../run/io.js';
import { createResultSink, type ResultSink } from '../run/result-sink.js';
import { resumeOutputPath } from '../run/resume-hints.js';
import { createRunClient, requireModel, resolveMatch } from '../run/run-setup.js';
import { checkWritableOutput, writeFileAtomic } from '../run/write-file.js';
import { parseMaxErrors } from '../scoring/max-errors.js';
import type { TuneReport } from '../scoring/tune-report.js';
import { findStrategy, strategyNames } from '../strategies/registry.js';
import { prepareTune, type PreparedTune } from '../tune/prepare-tune.js';
import { savedTemplateOf } from '../tune/save-winner.js';
import { tuneDocument } from '../tune/tune-document.js';
import { parseTuneFlags, type TuneFlags } from '../tune/tune-flags.js';
import { tuneResults, type TuneOutcome } from '../tune/tune-results.js';
import { createTerminal, type Terminal } from './terminal.js';

type TuneFormat = 'table' | 'json' | 'jsonl';

export async function tuneCommand(strategyName: string, flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const definition = findStrategy(strategyName);
  if (definition === undefined)
    throw new UsageError(`tune: unknown strategy "${strategyName}" (known: ${strategyNames().join(', ')})`);
  const flags = parseTuneFlags(flagValues);
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  if (flagValues.dataset === undefined)
    throw new UsageError('tune needs --dataset FILE (JSONL records with "expected"), split into dev and test');
  const resumePath = flagValues.resume as string | undefined;
  const resumeOutput = resumeOutputPath(flagValues);
  const format = chooseTuneFormat(flagValues, io.stdout, resumeOutput !== null);
  const outputPath = resumeOutput ?? (flagValues.output as string | undefined) ?? null;
  if (outputPath !== null && format !== 'jsonl') await checkWritableOutput(outputPath, '-o');
  if (flags.save !== null) await checkWritableOutput(flags.save, '--save');
  const maxErrors = parseMaxErrors(String(flagValues.maxErrors ?? '0'));
  const warn = (message: string) => terminal.warn(message);
  const note = (message: string) => terminal.note(message);

  const tune = await prepareTune({ definition, flagValues, flags, io, warn, note, resumePath, resumeOutput });
  if (flagValues.dryRun === true) {
    io.stdout.write(`${JSON.stringify(await tune.dryRun(), null, 2)}\n`);
    return;
  }
  const model = requireModel(tune.config);
  const { client, throttling } = await createRunClient(
    tune.config,
    model,
    (status, retryAfterMs) => terminal.throttled(status, retryAfterMs),
    flagValues.replay === true,
  );
  const proposals = await tune.generate(client);
  const candidates = await tune.candidates(proposals.texts);
  const results = tuneResults({
    definition,
    candidates,
    dev: tune.split.dev,
    test: tune.split.test,
    mode: flags.search,
    budget: proposals.budget,
    budgetGiven: flags.budget,
    paraphrase: tune.paraphraser(client),
    client,
    model,
    // The baseline's, as prepare-job settled it (and warned about it once).
    temperature: candidates[0]!.job.temperature,
    maxTokens: tune.config.maxTokens,
    seed: tune.config.seed,
    concurrency: tune.config.concurrency,
    match: resolveMatch(flagValues),
    kept: await tune.resumed(),
    proposals,
    note,
    warn,
    progress: (text) => terminal.progress(text),
  });
  const cell = { model, strategy: definition.name, variant: null };
  let report: TuneReport | null = null;
  const documentOf = (outcome: TuneOutcome) => {
    report ??= tuneDocument(tune.facts(model, proposals.budget), outcome);
    return report;
  };
  await executeRun({
    source: results.source,
    // One summary of every evaluation, search and test alike (--max-errors counts them all).
    cells: [{ ...cell, template: candidates[0]!.template.name, answer: candidates[0]!.answer }],
    summarisedAs: () => cell,
    resume: null,
    openOutput: tuneOutput({
      format,
      outputPath,
      append: resumeOutput !== null,
      document: () => {
        const outcome = results.outcome();
        return outcome === null ? null : documentOf(outcome);
      },
      save:
        flags.save === null
          ? null
          : async (document) => saveWinner(tune, document, flags, results.outcome()!, terminal),
      flags,
      terminal,
      io,
    }),
    endpoint: {
      label: tune.config.baseUrl,
      throttling: { report: throttling.report, concurrency: tune.config.concurrency },
    },
    maxErrors,
    gates: () => {
      const outcome = results.outcome();
      if (outcome === null || flags.failUnder === null) return [];
      const { test, best } = documentOf(outcome);
      const accuracy = test.best.accuracy ?? 0;
      if (accuracy >= flags.failUnder) return [];
      return [
        {
          gate: 'fail-under',
          cell: definition.name,
          message: `--fail-under ${flags.failUnder}: the best candidate (${best.id}) scored ${(accuracy * 100).toFixed(1)}% on the test part`,
        },
      ];
    },
    callbacks: { warn, note, stopProgress: () => terminal.stopProgress() },
  });
}

function chooseTuneFormat(
  flagValues: Record<string, unknown>,
  stdout: { isTTY?: boolean },
  resuming: boolean,
): TuneFormat {
  if (flagValues.json === true && flagValues.jsonl === true) throw new UsageError('--json and --jsonl: choose one');
  if (resuming || flagValues.jsonl === true) return 'jsonl';
  if (flagValues.json === true) return 'json';
  const output = flagValues.output as string | undefined;
  if (output !== undefined) return output.endsWith('.jsonl') ? 'jsonl' : 'json';
  return stdout.isTTY ? 'table' : 'json';
}

/**
 * Where tune's output goes: with --jsonl every evaluation as a result line as it finishes, then the
 * document; otherwise the document (JSON) or the leaderboard (a terminal) once the test is done.
 */
function tuneOutput(options: {
  format: TuneFormat;
  outputPath: string | null;
  append: boolean;
  /** The document once the search and the test are done; null when the run was cut short. */
  document(): TuneReport | null;
  save: ((document: TuneReport) => Promise<void>) | null;
  flags: TuneFlags;
  terminal: Terminal;
  io: Io;
}): () => Promise<RunOutput> {
  const { format, outputPath, terminal, io } = options;
  return async () => {
    const sink: ResultSink | null =
      format === 'jsonl'
        ? await createResultSink({
            format: 'jsonl',
            outputPath,
            append: options.append,
            stdout: io.stdout,
          })
        : null;
    const leaderboard = (document: TuneReport) =>
      renderTuneLeaderboard(document, {
        colors: terminal.stdoutColors,
        // A terminal that reports 0 columns reads as 80, as every view does (terminal.ts).
        width: Math.min(100, terminal.stdoutColumns ?? fallbackColumns),
        alpha: options.flags.alpha,
      });
    return {
      // As every run's output: a JSONL file once it holds this run's results (an earlier file stands until the first answer).
      get resumable() {
        return sink?.wroteFile === true ? outputPath : null;
      },
      write: async (result, record) => {
        if (sink !== null) await sink.write(result, record);
      },
      abandon: async () => sink?.abandon(),
      async finish() {
        const document = options.document();
        if (document !== null && options.save !== null) await options.save(document);
        if (sink !== null) {
          if (document !== null) await sink.writeLine(document);
          await sink.close(() => null);
          if (document !== null && io.stdout.isTTY && outputPath !== null)
            io.stdout.write(`${leaderboard(document)}\n`);
          return;
        }
        if (document === null) return;
        if (format === 'table') {
          io.stdout.write(`${leaderboard(document)}\n`);
          return;
        }
        const json = `${JSON.stringify(document, null, 2)}\n`;
        if (outputPath === null) io.stdout.write(json);
        else {
          await writeFileAtomic(outputPath, json);
          if (io.stdout.isTTY) io.stdout.write(`${leaderboard(document)}\n`);
        }
      },
    };
  };
}

async function saveWinner(
  tune: PreparedTune,
  document: TuneReport,
  flags: TuneFlags,
  outcome: TuneOutcome,
  terminal: Terminal,
): Promise<void> {
  const winner = outcome.prepared.get(document.best.id)!;
  const source = await readFile(winner.template.path, 'utf8');
  const saved = savedTemplateOf({ tune, document, winner, source, path: flags.save!, date: new Date() });
  await writeFileAtomic(flags.save!, saved.text);
  // A person at a terminal likes to know; anyone must know when the template alone is not enough.
  if (saved.flags.length === 0) terminal.note(`saved ${document.best.id} to ${flags.save}: ${saved.runWith}`);
  else
    terminal.warn(
      `--save ${flags.save}: a template cannot carry ${saved.flags.join(', ')}; run it with: ${saved.runWith}`,
    );
  for (const warning of saved.warnings) terminal.warn(warning);
}
