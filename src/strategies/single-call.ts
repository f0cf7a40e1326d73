/** One request, one completion, one extracted answer: the shape of zero-shot, few-shot and in-context. */
import type { AnswerSpec, Pick } from '../core/answer-spec.js';
import type { ChatChoice, ChatMessage, Usage } from '../core/chat-client.js';
import type { StrategyOutcome } from '../core/records.js';
import { EndpointError } from '../errors.js';
import { readAnswer } from '../core/read-answer.js';
import type { RunContext } from './strategy.js';
import { oneChoiceTokens, truncationWarnings } from './truncation-note.js';

export async function singleCompletionOutcome(
  messages: ChatMessage[],
  context: RunContext,
  answer: AnswerSpec,
  pick: Pick,
): Promise<StrategyOutcome> {
  const { choice, usage, requests, warnings } = await oneCompletion(messages, context);
  const read = readAnswer(choice.text, answer, pick);
  return {
    answer: read.answer,
    completions: [{ text: choice.text, answer: read.answer, via: read.via, finishReason: choice.finishReason }],
    samplesUsed: 1,
    usage,
    requests,
    warnings,
  };
}

/**
 * One request for one completion at the run's sampling settings (cot reads its answer its own way): the
 * choice, what the request cost, and what it says when the reply stopped at a token limit.
 */
export async function oneCompletion(
  messages: ChatMessage[],
  context: RunContext,
): Promise<{ choice: ChatChoice; usage: Usage; requests: number; warnings: string[] }> {
  const response = await context.client.chat(
    {
      messages,
      temperature: context.temperature,
      maxTokens: context.maxTokens ?? undefined,
      seed: context.seed ?? undefined,
      sampleIndex: 0,
    },
    context.signal,
  );
  const choice = response.choices[0];
  if (choice === undefined) throw new EndpointError('the endpoint returned no choices', { status: 200 });
  const tokens = oneChoiceTokens(response.choices.length, response.usage.completionTokens);
  return {
    choice,
    usage: response.usage,
    requests: response.requests,
    warnings: truncationWarnings([{ finishReason: choice.finishReason, tokens }], context.maxTokens),
  };
}
