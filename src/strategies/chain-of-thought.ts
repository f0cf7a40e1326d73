/**
 * What `cot` and `self-consistency` share: the reasoning prompt (zero-shot with a trigger, Kojima et al.
 * 2022, or few-shot with worked demonstrations, Wei et al. 2022) and answer extraction — by pattern, or
 * by a second call that appends the answer trigger to the reasoning, as Kojima et al. do.
 */
import type { AnswerSpec, AnswerVia, Pick } from '../core/answer-spec.js';
import { zeroUsage, type ChatMessage, type Usage } from '../core/chat-client.js';
import type { DatasetRecord } from '../core/records.js';
import { InputError } from '../errors.js';
import { readAnswer, readAnswerStep } from '../core/read-answer.js';
import {
  appendToLastUser,
  lastUserContent,
  renderDemonstrationQuestion,
  templateDemonstrations,
  withDemonstrations,
} from './demonstrations.js';
import { type chainOfThoughtOptions, defaultTrigger, type OptionValues } from './options.js';
import type { PlannedRequest, RunContext, StrategySetup } from './strategy.js';
import type { LoadedTemplate } from '../templates/load-template.js';

/** Kojima et al.'s answer triggers follow the answer format. */
export function defaultAnswerTrigger(answer: AnswerSpec): string {
  switch (answer.type) {
    case 'number':
      return 'Therefore, the answer (arabic numerals) is';
    case 'choice':
      return `Therefore, among ${(answer.choices ?? ['A', 'E'])[0]} through ${(answer.choices ?? ['A', 'E']).at(-1)}, the answer is`;
    case 'yesno':
      return 'Therefore, the answer (Yes or No) is';
    default:
      return 'Therefore, the answer is';
  }
}

export interface ExtractedFromReasoning {
  answer: string | null;
  via: AnswerVia | null;
  /** The second call's reply (two-stage only). */
  answerStep: string | null;
  usage: Usage;
  requests: number;
}

export interface ChainOfThought {
  render(record: DatasetRecord): Promise<ChatMessage[]>;
  /** `samples` reasoning requests, and as many answer-extraction calls when extraction is two-stage. */
  plan(record: DatasetRecord, samples: number): Promise<PlannedRequest[]>;
  extract(reasoning: string, messages: ChatMessage[], context: RunContext): Promise<ExtractedFromReasoning>;
}

export async function prepareChainOfThought(
  options: OptionValues<typeof chainOfThoughtOptions>,
  setup: StrategySetup,
): Promise<ChainOfThought> {
  const trigger = options.trigger ?? setup.template.settings.trigger ?? defaultTrigger;
  const { extract: extractMode, shots, demoFormat: format } = options;
  const answerTrigger = setup.template.settings.answerTrigger ?? defaultAnswerTrigger(setup.answer);
  const pick: Pick = setup.pick ?? setup.template.settings.pick ?? 'last';

  const examplesPath = options.examples ?? null;
  // Without --examples, the template's own worked demonstrations, if it carries any.
  const examples =
    examplesPath === null
      ? templateDemonstrations(setup.template)
      : await setup.readDemonstrations(examplesPath, '--examples');
  const withoutReasoning = examples.find((demo) => demo.reasoning === null);
  if (withoutReasoning !== undefined) {
    throw new InputError(
      `${withoutReasoning.source}: missing "reasoning" (chain-of-thought demonstrations need a worked rationale)`,
    );
  }
  const chosen = shots === undefined ? examples : examples.slice(0, shots);
  const turns = await Promise.all(
    chosen.map(async (demo) => ({
      question: await renderDemonstrationQuestion(demo, setup.template),
      answer: `${demo.reasoning!.trim()} The answer is ${demo.output}.`,
    })),
  );
  const extractionTemplate: LoadedTemplate | null =
    extractMode === 'two-stage' ? await setup.loadTemplate('extract') : null;

  const render = async (record: DatasetRecord): Promise<ChatMessage[]> => {
    const messages = await setup.template.render(record.vars, record.source);
    // With worked demonstrations the model imitates them; the trigger is for the zero-shot form.
    return turns.length > 0 ? withDemonstrations(messages, turns, format) : appendToLastUser(messages, trigger);
  };
  const extractionMessages = (messages: ChatMessage[], reasoning: string) =>
    extractionTemplate!.render(
      { question: stripTrigger(lastUserContent(messages), trigger), reasoning, trigger, answerTrigger },
      'two-stage extraction',
    );

  return {
    render,
    async plan(record, samples) {
      const messages = await render(record);
      const reasoning: PlannedRequest = { messages, count: samples };
      if (extractionTemplate === null) return [reasoning];
      // The reasoning it quotes is not known before the run: planned without it.
      return [reasoning, { messages: await extractionMessages(messages, ''), count: samples }];
    },
    async extract(reasoning, messages, context) {
      if (extractionTemplate === null) {
        return { ...readAnswer(reasoning, setup.answer, pick), answerStep: null, usage: zeroUsage(), requests: 0 };
      }
      const response = await context.client.chat(
        {
          messages: await extractionMessages(messages, reasoning.trim()),
          temperature: 0,
          maxTokens: 32,
          seed: context.seed ?? undefined,
          sampleIndex: 0,
        },
        context.signal,
      );
      const answerStep = response.choices[0]?.text ?? '';
      // The answer step is short and starts with the answer: its first candidate (Kojima et al.).
      return {
        ...readAnswerStep(answerStep, setup.answer),
        answerStep,
        usage: response.usage,
        requests: response.requests,
      };
    },
  };
}

function stripTrigger(text: string, trigger: string): string {
  const trimmed = text.trimEnd();
  return trimmed.endsWith(trigger) ? trimmed.slice(0, -trigger.length).trimEnd() : trimmed;
}
