/**
 * A scripted "model" for end-to-end tests: it reads the question out of the request and answers like a
 * model would for each strategy — a bare answer, a chain of thought ending in "The answer is N.", or
 * the short answer step of a two-stage extraction.
 */
import type { ChatCall, ReplyFn } from './openai-test-server.js';

/** "What is 12 plus 30?" → 42; "What is 9 minus 4?" → 5; "What is 6 times 7?" → 42. */
export function solve(question: string): number | null {
  const match = /(-?\d+)\s+(plus|minus|times)\s+(-?\d+)/.exec(question);
  if (match === null) return null;
  const left = Number(match[1]);
  const right = Number(match[3]);
  return match[2] === 'plus' ? left + right : match[2] === 'minus' ? left - right : left * right;
}

export const lastUser = (call: ChatCall): string =>
  [...call.messages].reverse().find((message) => message.role === 'user')?.content ?? '';

/** Answers every question right; chain-of-thought prompts get worked reasoning. */
export const arithmeticReply: ReplyFn = (call) => {
  const prompt = lastUser(call);
  const answer = solve(
    prompt
      .split('\n')
      .filter((line) => /plus|minus|times/.test(line))
      .at(-1) ?? prompt,
  );
  if (/Therefore, the answer/.test(prompt)) return ` ${answer ?? 'unknown'}.`;
  if (/step by step/.test(prompt))
    return `We compute the operation carefully. The result is ${answer ?? 'unclear'}. The answer is ${answer ?? 'unclear'}.`;
  return String(answer ?? 'I do not know');
};

/**
 * For self-consistency: sample i of a question answers right unless i is in `wrongSamples`, where it
 * answers one more. Samples are told apart by choice index (n honoured) or by seed (separate requests).
 */
export function samplingReply(wrongSamples: ReadonlySet<number>): ReplyFn {
  const seedOrder = new Map<number, number>();
  return (call, choiceIndex) => {
    const question = lastUser(call);
    const answer = solve(question) ?? 0;
    let sample = choiceIndex;
    if (call.seed !== undefined) {
      if (!seedOrder.has(call.seed)) seedOrder.set(call.seed, seedOrder.size);
      sample = seedOrder.get(call.seed)! + choiceIndex;
    }
    const value = wrongSamples.has(sample) ? answer + 1 : answer;
    return `Path ${sample}: working it out, we get ${value}. The answer is ${value}.`;
  };
}

/** Each model its own behaviour, as two real models differ: `call.model` picks the reply (unknown models fail loudly). */
export function perModel(replies: Readonly<Record<string, ReplyFn>>): ReplyFn {
  return (call, choiceIndex) => {
    const reply = replies[call.model];
    if (reply === undefined) throw new Error(`scripted model: no reply for model "${call.model}"`);
    return reply(call, choiceIndex);
  };
}

/** Like arithmeticReply, but answers every "plus" question one too high unless it reasons step by step. */
export const slipsOnPlusReply: ReplyFn = (call, choiceIndex) => {
  const prompt = lastUser(call);
  if (/step by step|Therefore, the answer/.test(prompt) || !/plus/.test(prompt))
    return arithmeticReply(call, choiceIndex);
  return String((solve(prompt) ?? 0) + 1);
};

/**
 * A dataset these models tell apart: `count` plus questions (`plus-0`: "What is 0 plus 2?"), which
 * slipsOnPlusReply gets wrong without reasoning, then `count` times questions (`times-0`: "What is 0 times 3?").
 */
export function plusAndTimesQuestions(count: number): Array<{ id: string; input: string; expected: string }> {
  return [
    ...Array.from({ length: count }, (_, index) => ({
      id: `plus-${index}`,
      input: `What is ${index} plus ${index + 2}?`,
      expected: String(2 * index + 2),
    })),
    ...Array.from({ length: count }, (_, index) => ({
      id: `times-${index}`,
      input: `What is ${index} times 3?`,
      expected: String(3 * index),
    })),
  ];
}
