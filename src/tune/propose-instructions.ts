/**
 * Instructions the model proposes (APE, Zhou et al. 2022): from a few dev records and their answers it
 * induces K system instructions — or K reasoning triggers, for a strategy that takes one — and with
 * --rounds it writes K paraphrases of the best so far. The meta-prompts are templates
 * (`tune-instruction`, `tune-trigger`, `tune-paraphrase`), found in ./prompts/ first, so a user can
 * change them. Each proposal is one sampled completion, as APE samples them.
 */
import type { ChatClient, ChatMessage, Usage } from '../core/chat-client.js';
import type { DatasetRecord } from '../core/records.js';
import { newEndpointKnowledge, sampleCompletions } from '../core/sample-completions.js';
import { createRandom, hashString, shuffled } from '../core/seeded-random.js';
import { lastUserContent } from '../strategies/demonstrations.js';
import type { LoadedTemplate } from '../templates/load-template.js';
import { countingCalls } from './count-calls.js';

/** What is proposed: a trigger for chain-of-thought strategies, else a system instruction. */
export type InstructionKind = 'trigger' | 'system';

/** Dev records shown to the model: APE uses a handful of demonstrations. */
const inductionExamples = 5;

/** APE samples its proposals at temperature 1 (and their length is an instruction's, not an essay's). */
const proposalTemperature = 1;
const proposalMaxTokens = 200;

export interface Proposals {
  /** Distinct, non-empty, in the order they came back. */
  texts: string[];
  /** Calls made (cache hits included): what the budget counts. */
  calls: number;
  /** HTTP requests made. */
  requests: number;
  usage: Usage;
}

export interface ProposalContext {
  client: ChatClient;
  loadTemplate(name: string): Promise<LoadedTemplate>;
  seed: number | null;
  signal: AbortSignal;
}

/**
 * The few dev records the model induces from, as it sees them: the question the baseline template
 * renders, and the expected answer. Drawn with the run's seed.
 */
export async function inductionPairs(
  dev: readonly DatasetRecord[],
  render: (record: DatasetRecord) => Promise<ChatMessage[]>,
  seed: number,
): Promise<Array<{ input: string; output: string }>> {
  const chosen = shuffled(dev, createRandom(hashString(`${seed}:induction`))).slice(0, inductionExamples);
  return Promise.all(
    chosen.map(async (record) => ({
      input: lastUserContent(await render(record)),
      output: Array.isArray(record.expected) ? (record.expected[0] ?? '') : (record.expected ?? ''),
    })),
  );
}

export async function induceInstructions(
  kind: InstructionKind,
  count: number,
  examples: ReadonlyArray<{ input: string; output: string }>,
  context: ProposalContext,
): Promise<Proposals> {
  const template = await context.loadTemplate(kind === 'trigger' ? 'tune-trigger' : 'tune-instruction');
  return propose(await template.render({ examples }, `--generate (template "${template.name}")`), count, context);
}

export async function paraphraseInstruction(
  instruction: string,
  count: number,
  context: ProposalContext,
): Promise<Proposals> {
  const template = await context.loadTemplate('tune-paraphrase');
  return propose(await template.render({ instruction }, `--rounds (template "${template.name}")`), count, context);
}

async function propose(messages: ChatMessage[], count: number, context: ProposalContext): Promise<Proposals> {
  const counted = countingCalls(context.client);
  const drawn = await sampleCompletions(
    counted.client,
    { messages, temperature: proposalTemperature, maxTokens: proposalMaxTokens, seed: context.seed },
    count,
    0,
    newEndpointKnowledge(),
    context.signal,
  );
  const texts = [...new Set(drawn.choices.map((choice) => cleanProposal(choice.text)))].filter((text) => text !== '');
  return { texts, calls: counted.calls(), requests: drawn.requests, usage: drawn.usage };
}

/**
 * A reply as an instruction: its first paragraph, without a label the model put before it
 * ("Instruction:", "Output:") or the quotes around it.
 */
export function cleanProposal(text: string): string {
  const paragraph =
    text
      .trim()
      .split(/\n\s*\n/)
      .find((part) => part.trim() !== '') ?? '';
  return paragraph
    .trim()
    .replace(/^(the )?(instruction|output|sentence|trigger)( was)?\s*:\s*/i, '')
    .replace(/^(["'“‘`])(.*)(["'”’`])$/s, '$2')
    .trim();
}
