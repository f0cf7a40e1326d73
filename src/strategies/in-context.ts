/**
 * In-context learning: demonstrations picked per input from a pool by similarity (Liu et al. 2021),
 * plus optional context documents. The record being answered is never its own demonstration.
 */
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { addUsage, zeroUsage, type ChatMessage, type Usage } from '../core/chat-client.js';
import { buildBm25Index, cosineSimilarity, topKAscending } from '../core/select-examples.js';
import { createRandom, hashString, shuffled } from '../core/seeded-random.js';
import type { DatasetRecord } from '../core/records.js';
import {
  demonstrationText,
  renderDemonstrationQuestion,
  withDemonstrations,
  type Demonstration,
} from './demonstrations.js';
import { requiredText } from '../config/flag-values.js';
import type { inContextOptions, OptionValues } from './options.js';
import { singleCompletionOutcome } from './single-call.js';
import type { PlannedRequest, PreparedStrategy, RunContext, StrategySetup } from './strategy.js';

interface Selection {
  indices: number[];
  usage: Usage;
  requests: number;
}

export async function prepare(
  options: OptionValues<typeof inContextOptions>,
  setup: StrategySetup,
): Promise<PreparedStrategy> {
  const poolPath = requiredText(
    options.pool,
    '--pool',
    'in-context needs a JSONL pool of {input, output} demonstrations',
  );
  const { shots, select, demoFormat: format, embeddingModel } = options;
  const pool = await setup.readDemonstrations(poolPath, '--pool');
  if (shots > pool.length) {
    throw new UsageError(`--shots ${shots} is more than the ${pool.length} demonstration(s) in ${poolPath}`);
  }
  const contextPaths = options.context;
  const documents = await Promise.all(
    contextPaths.map(async (path) => ({ name: basename(path), text: await setup.readTextFile(path, '--context') })),
  );
  const poolTexts = pool.map(demonstrationText);
  const questions = await Promise.all(pool.map((demo) => renderDemonstrationQuestion(demo, setup.template)));
  const lexicalIndex = select === 'lexical' ? buildBm25Index(poolTexts) : null;
  let poolVectors: Promise<{ vectors: number[][]; usage: Usage; requests: number }> | null = null;

  const selectFor = async (record: DatasetRecord, context: RunContext | null): Promise<Selection> => {
    const query = recordText(record);
    const excluded = leakageGuard(pool, poolTexts, record, query);
    if (select === 'random') {
      const random = createRandom(hashString(`${setup.seed ?? 0}:${record.id}`));
      const indices = shuffled(
        [...pool.keys()].filter((index) => !excluded.has(index)),
        random,
      ).slice(0, shots);
      return { indices, usage: zeroUsage(), requests: 0 };
    }
    if (lexicalIndex !== null)
      return { indices: topKAscending(lexicalIndex.score(query), shots, excluded), usage: zeroUsage(), requests: 0 };
    if (context === null)
      return {
        indices: [...pool.keys()].filter((index) => !excluded.has(index)).slice(0, shots),
        usage: zeroUsage(),
        requests: 0,
      };
    // Pool vectors are fetched once per run, by whichever record needs them first, and billed to it.
    const firstCaller = poolVectors === null;
    poolVectors ??= context.client.embed(poolTexts, context.signal, embeddingModel);
    const [poolEmbedding, queryEmbedding] = await Promise.all([
      poolVectors,
      context.client.embed([query], context.signal, embeddingModel),
    ]);
    const scores = poolEmbedding.vectors.map((vector) => cosineSimilarity(vector, queryEmbedding.vectors[0] ?? []));
    const usage = firstCaller ? addUsage(poolEmbedding.usage, queryEmbedding.usage) : queryEmbedding.usage;
    const requests = queryEmbedding.requests + (firstCaller ? poolEmbedding.requests : 0);
    return { indices: topKAscending(scores, shots, excluded), usage, requests };
  };

  const compose = async (record: DatasetRecord, indices: number[]): Promise<ChatMessage[]> => {
    const messages = withDocuments(await setup.template.render(record.vars, record.source), documents);
    const turns = indices.map((index) => ({ question: questions[index]!, answer: pool[index]!.output }));
    return withDemonstrations(messages, turns, format);
  };

  // --dry-run calls nothing, so embedding selection shows the first pool items instead.
  const render = async (record: DatasetRecord) => compose(record, (await selectFor(record, null)).indices);

  return {
    render,
    async plan(record) {
      const chat: PlannedRequest = { messages: await render(record), count: 1 };
      if (select !== 'embedding') return [chat];
      // Embedding inputs, planned as messages of their text: the record's own, and once per run the pool's.
      const embedded = (texts: readonly string[]): PlannedRequest => ({
        messages: texts.map((content) => ({ role: 'user', content })),
        count: 1,
      });
      return [chat, embedded([recordText(record)]), ...(record.index === 0 ? [embedded(poolTexts)] : [])];
    },
    run: async (record, context) => {
      const selection = await selectFor(record, context);
      const outcome = await singleCompletionOutcome(
        await compose(record, selection.indices),
        context,
        setup.answer,
        setup.pick ?? 'first',
      );
      return {
        ...outcome,
        usage: addUsage(outcome.usage, selection.usage),
        requests: outcome.requests + selection.requests,
        details: { demonstrations: selection.indices.map((index) => pool[index]!.id ?? pool[index]!.source) },
      };
    },
  };
}

/** The text a record is matched on: its `input`, else all of its string variables. */
export function recordText(record: DatasetRecord): string {
  const input = record.vars.input;
  if (typeof input === 'string') return input;
  return Object.values(record.vars)
    .filter((value) => typeof value === 'string')
    .join('\n');
}

/** Pool items that are the record itself (same id or same input text) may not be chosen. */
function leakageGuard(
  pool: readonly Demonstration[],
  poolTexts: readonly string[],
  record: DatasetRecord,
  query: string,
): Set<number> {
  const excluded = new Set<number>();
  const normalizedQuery = query.trim().toLowerCase();
  pool.forEach((demo, index) => {
    if ((demo.id !== null && demo.id === record.id) || poolTexts[index]!.trim().toLowerCase() === normalizedQuery)
      excluded.add(index);
  });
  return excluded;
}

/** Context documents go in a system message ahead of the conversation, each under its file name. */
function withDocuments(
  messages: ChatMessage[],
  documents: ReadonlyArray<{ name: string; text: string }>,
): ChatMessage[] {
  if (documents.length === 0) return messages;
  const body = documents.map((document) => `--- ${document.name} ---\n${document.text.trim()}`).join('\n\n');
  const contextMessage: ChatMessage = { role: 'system', content: `Use these documents where they help:\n\n${body}` };
  const firstNonSystem = messages.findIndex((message) => message.role !== 'system');
  const at = firstNonSystem === -1 ? messages.length : firstNonSystem;
  return [...messages.slice(0, at), contextMessage, ...messages.slice(at)];
}
