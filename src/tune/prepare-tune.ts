/**
 * Everything a tune run needs before its first evaluation: the config (the cache on unless turned off),
 * the dataset read whole and split once, the candidate axes, the instructions the model proposes
 * (--generate), the candidates prepared and told apart by what they render, and what --resume kept.
 */
import { createHash } from 'node:crypto';
import type { ChatClient } from '../core/chat-client.js';
import { zeroUsage, type Usage } from '../core/chat-client.js';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { findConfigFile } from '../config/config-file.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { InputError } from '../errors.js';
import type { Io } from '../run/io.js';
import { optionFiles } from '../run/option-files.js';
import { openRecords, resolveRunConfig } from '../run/run-setup.js';
import { tuneSchemaId } from '../scoring/tune-report.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import { loadTemplate, projectTemplateDirs } from '../templates/load-template.js';
import { type Axis, type Candidate, candidateProduct, productSize } from './candidate-product.js';
import { checkSameAnswer, prepareCandidates, type PreparedCandidate } from './prepare-candidate.js';
import {
  induceInstructions,
  inductionPairs,
  type InstructionKind,
  paraphraseInstruction,
  type ProposalContext,
} from './propose-instructions.js';
import { createRequestBudget, type RequestBudget } from './request-budget.js';
import { defaultSearchBudget } from './search-prompts.js';
import { planHalving } from './successive-halving.js';
import { splitDevTest, type DevTestSplit } from './split-dataset.js';
import { buildAxes, strategyAxes } from './tune-axes.js';
import { describeCandidate, type TuneRunFacts } from './tune-document.js';
import { strategyFlagValues, type TuneFlags } from './tune-flags.js';
import type { Paraphraser } from './tune-results.js';

/** Dev records each candidate is rendered on to find candidates that send the same prompts. */
const sameRenderProbe = 3;

export interface TuneSetupOptions {
  definition: StrategyDefinition;
  flagValues: Record<string, unknown>;
  flags: TuneFlags;
  io: Io;
  warn(message: string): void;
  note(message: string): void;
  resumePath: string | undefined;
  resumeOutput: string | null;
}

export interface GeneratedInstructions {
  texts: string[];
  budget: RequestBudget;
  requests: number;
  usage: Usage;
}

export interface PreparedTune {
  config: ResolvedConfig;
  split: DevTestSplit<DatasetRecord>;
  /** --generate: the model's proposals (none without it), with the budget that paid for them. */
  generate(client: ChatClient): Promise<GeneratedInstructions>;
  /** Every candidate, prepared, the baseline first, ids c0… in order. */
  candidates(generated: readonly string[]): Promise<PreparedCandidate[]>;
  paraphraser(client: ChatClient): Paraphraser | null;
  /** The evaluations --resume kept (empty without it). */
  resumed(): Promise<ResultRecord[]>;
  facts(model: string, budget: RequestBudget): TuneRunFacts;
  /** --dry-run: the candidates and what the search would cost, calling nothing. */
  dryRun(): Promise<object>;
  definition: StrategyDefinition;
  /** The strategy's flags (tune's own left out): what the baseline runs with. */
  strategyFlags: Record<string, unknown>;
}

export async function prepareTune(options: TuneSetupOptions): Promise<PreparedTune> {
  const { definition, flagValues, flags, io } = options;
  const config = await resolveRunConfig({ ...flagValues, cache: await cacheByDefault(flagValues) }, io.env);
  const strategyFlags = strategyFlagValues(flagValues);
  // One read of each option file for the whole search: the axes' --examples, every candidate's job.
  const files = optionFiles();
  // Candidates are prepared alike: what one says about its setting (a temperature, say), they all would.
  const said = new Set<string>();
  const warnOnce = (message: string) => {
    if (said.has(message)) return;
    said.add(message);
    options.warn(message);
  };
  const context = { definition, flagValues: strategyFlags, config, warn: warnOnce, files };
  const baselineCandidate: Candidate = { id: 'c0', label: 'baseline', source: 'baseline', settings: {} };
  const baseline = (await prepareCandidates([baselineCandidate], context))[0]!;
  // The records are checked against the baseline's template, as the strategy's own command would.
  const { records } = await openRecords(strategyFlags, undefined, baseline.template, io.stdin);
  const all: DatasetRecord[] = [];
  for await (const record of records) {
    if (record.expected === null)
      throw new InputError(`${record.source}: no "expected" answer (tune scores every record of the dataset)`);
    all.push(record);
  }
  const seed = config.seed ?? 0;
  const split = splitDevTest(all, flags.devFraction, seed);
  const can = strategyAxes(definition);
  const examplesPath = can.examples ? (strategyFlags.examples as string | undefined) : undefined;
  const examples =
    examplesPath === undefined
      ? null
      : {
          path: examplesPath,
          items: await (await import('../run/read-demonstrations.js')).readDemonstrations(
            examplesPath,
            '--examples',
            files,
          ),
        };
  const axes = await buildAxes({ definition, flags: flags.axes, examples, seed, files });
  const kind: InstructionKind = can.trigger ? 'trigger' : 'system';
  const templateDirs = projectTemplateDirs(process.cwd());
  const proposalContext = (client: ChatClient): ProposalContext => ({
    client,
    loadTemplate: (name) => loadTemplate(name, templateDirs),
    seed: config.seed,
    signal: new AbortController().signal,
  });

  const prepareAll = async (generated: readonly string[]): Promise<PreparedCandidate[]> => {
    const withGenerated = addGenerated(axes, kind, generated);
    const product = candidateProduct(withGenerated, flags.maxCandidates);
    const others = await prepareCandidates(product.slice(1), context);
    for (const made of others) checkSameAnswer(baseline, made);
    const prepared = [baseline, ...others];
    const distinct = await withoutSameRenders(prepared, split.dev.slice(0, sameRenderProbe));
    if (distinct.length < prepared.length)
      options.note(
        `${prepared.length - distinct.length} candidate(s) send the same prompts as an earlier one and were left out`,
      );
    if (distinct.length < 2)
      throw new InputError(
        'nothing to tune: give candidates with --triggers, --systems, --templates, --shots or --generate (the baseline alone is no search)',
      );
    return distinct.map((entry, index) => renumbered(entry, index));
  };

  return {
    config,
    split,
    definition,
    strategyFlags,
    async generate(client) {
      const budget = createRequestBudget(flags.budget ?? Number.POSITIVE_INFINITY);
      if (flags.generate === null) return { texts: [], budget, requests: 0, usage: zeroUsage() };
      const pairs = await inductionPairs(split.dev, (record) => baseline.prepared.render(record), seed);
      const proposals = await induceInstructions(kind, flags.generate, pairs, proposalContext(client));
      budget.charge(proposals.calls);
      options.note(
        `--generate: the model proposed ${proposals.texts.length} distinct ${kind === 'trigger' ? 'trigger(s)' : 'instruction(s)'}`,
      );
      return { texts: proposals.texts, budget, requests: proposals.requests, usage: proposals.usage };
    },
    candidates: prepareAll,
    paraphraser(client) {
      if (flags.rounds === 0 || flags.generate === null) return null;
      const count = flags.generate;
      return {
        rounds: flags.rounds,
        count,
        async make(best, firstId, existing, signal) {
          const instruction = await instructionOf(best, kind, split.dev[0]!);
          if (instruction === null) {
            options.note(
              `--rounds: ${best.candidate.id} has no ${kind === 'trigger' ? 'trigger' : 'system instruction'} to paraphrase`,
            );
            return { candidates: [], calls: 0, requests: 0, usage: zeroUsage() };
          }
          const proposals = await paraphraseInstruction(instruction, count, { ...proposalContext(client), signal });
          const sent = new Set(
            existing.map((candidate) => (kind === 'trigger' ? candidate.trigger : candidate.system)),
          );
          const fresh = proposals.texts.filter((text) => !sent.has(text));
          const made = await prepareCandidates(
            fresh.map((text, index) => paraphraseOf(best.candidate, kind, text, firstId + index)),
            context,
          );
          return { candidates: made, calls: proposals.calls, requests: proposals.requests, usage: proposals.usage };
        },
      };
    },
    async resumed() {
      if (options.resumePath === undefined || options.resumeOutput === null) return [];
      const kept: ResultRecord[] = [];
      const { prepareResume } = await import('../run/resume-file.js');
      const state = await prepareResume(
        options.resumePath,
        options.resumeOutput,
        // A line is one record × cell; tune's cells are its candidates (the result's variant).
        (result) => kept.push(result),
      );
      options.note(
        state.kept === 0 && state.retried === 0
          ? `--resume ${options.resumePath}: nothing to resume yet; starting the search`
          : `--resume ${options.resumePath}: ${state.kept} evaluation(s) kept${state.retried > 0 ? `, ${state.retried} errored one(s) to run again` : ''}`,
      );
      return kept;
    },
    facts(model, budget) {
      return {
        strategy: definition.name,
        model,
        dataset: {
          path: String(strategyFlags.dataset),
          fingerprint: datasetFingerprint(all),
          records: all.length,
        },
        seed,
        split: { dev: split.dev.length, test: split.test.length, fraction: flags.devFraction },
        search: flags.search,
        budget,
      };
    },
    async dryRun() {
      if (flags.generate !== null)
        options.note('--dry-run: --generate calls the model, so its proposals are not shown');
      const candidates = await prepareAll([]);
      // The plan the search would make at one request per evaluation (the probe tells it the real cost).
      const evaluations =
        flags.search === 'exhaustive'
          ? candidates.length * split.dev.length
          : (planHalving({
              candidates: candidates.length,
              devSize: split.dev.length,
              costPerEvaluation: 1,
              budget: flags.budget ?? defaultSearchBudget(candidates.length, split.dev.length, 1, null),
            })?.cost ?? 0);
      const requests = evaluations + 2 * split.test.length;
      const promptTokens = await estimatePromptTokens(candidates, split.dev, requests);
      return {
        schema: tuneSchemaId,
        strategy: definition.name,
        split: { dev: split.dev.length, test: split.test.length, fraction: flags.devFraction },
        search: flags.search,
        candidates: candidates.map(describeCandidate),
        productSize: productSize(axes),
        // One request per evaluation assumed: strategies that make more (two-stage, samples without n) cost more.
        estimate: { requests, promptTokens },
      };
    },
  };
}

/** tune caches responses unless told not to (--no-cache, or `cache: false` in the config file): a rerun is then free. */
async function cacheByDefault(flagValues: Record<string, unknown>): Promise<unknown> {
  if (flagValues.cache !== undefined) return flagValues.cache;
  const file = await findConfigFile(process.cwd());
  // A directory in the file is resolved there, relative to the file: `true` asks for it.
  return file?.data.cache !== false;
}

/** Generated instructions join the axis of their kind (given ones first), as values of their own. */
function addGenerated(axes: readonly Axis[], kind: InstructionKind, texts: readonly string[]): Axis[] {
  if (texts.length === 0) return [...axes];
  const flag = kind === 'trigger' ? '--triggers' : '--systems';
  const existing = axes.find((axis) => axis.flag === flag);
  const known = new Set(existing?.values.map((value) => value.settings[kind]) ?? []);
  const values = texts
    .filter((text) => !known.has(text))
    .map((text) => ({
      label: `${kind}: ${text.split('\n')[0]}`,
      source: 'generated' as const,
      settings: kind === 'trigger' ? { trigger: text } : { system: text },
    }));
  if (existing !== undefined)
    return axes.map((axis) => (axis === existing ? { ...axis, values: [...axis.values, ...values] } : axis));
  return [...axes, { flag: '--generate', values }];
}

/** The candidates that render differently from every earlier one on the probe records (the baseline stays). */
async function withoutSameRenders(
  candidates: readonly PreparedCandidate[],
  probe: readonly DatasetRecord[],
): Promise<PreparedCandidate[]> {
  const seen = new Set<string>();
  const kept: PreparedCandidate[] = [];
  for (const candidate of candidates) {
    const rendered = await Promise.all(probe.map((record) => candidate.prepared.render(record)));
    const fingerprint = JSON.stringify(rendered);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    kept.push(candidate);
  }
  return kept;
}

function renumbered(entry: PreparedCandidate, index: number): PreparedCandidate {
  return { ...entry, candidate: { ...entry.candidate, id: `c${index}` } };
}

/** What --rounds paraphrases: the trigger, or the system instruction (the template's own when none is set). */
async function instructionOf(
  best: PreparedCandidate,
  kind: InstructionKind,
  record: DatasetRecord,
): Promise<string | null> {
  if (kind === 'trigger') return best.trigger;
  if (best.system !== null) return best.system;
  const messages = await best.prepared.render(record);
  return messages.find((message) => message.role === 'system')?.content ?? null;
}

function paraphraseOf(best: Candidate, kind: InstructionKind, text: string, id: number): Candidate {
  const rest = best.label === 'baseline' ? [] : best.label.split(' · ').filter((part) => !part.startsWith(`${kind}: `));
  return {
    id: `c${id}`,
    label: [`${kind}: ${text.split('\n')[0]}`, ...rest].join(' · '),
    source: 'generated',
    settings: { ...best.settings, ...(kind === 'trigger' ? { trigger: text } : { system: text }) },
  };
}

/** sha256 of the records as tune reads them (id, variables, expected): the same data, the same print. */
function datasetFingerprint(records: readonly DatasetRecord[]): string {
  const hash = createHash('sha256');
  for (const record of records) hash.update(`${JSON.stringify([record.id, record.vars, record.expected])}\n`);
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

/** Characters of the candidates' first prompts on a few dev records, over four, times the requests. */
async function estimatePromptTokens(
  candidates: readonly PreparedCandidate[],
  dev: readonly DatasetRecord[],
  requests: number,
): Promise<number> {
  const sample = dev.slice(0, sameRenderProbe);
  let characters = 0;
  let prompts = 0;
  for (const candidate of candidates)
    for (const record of sample) {
      const messages = await candidate.prepared.render(record);
      characters += messages.reduce((sum, message) => sum + message.content.length, 0);
      prompts++;
    }
  return prompts === 0 ? 0 : Math.round((characters / prompts / 4) * requests);
}
