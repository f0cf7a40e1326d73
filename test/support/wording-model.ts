/**
 * A scripted model whose accuracy depends on the wording of the prompt, for `tune`'s end-to-end tests:
 * a table of phrases, each with the share of questions the model gets wrong when the prompt holds it
 * (a trigger, a system instruction, a template's words). Which questions go wrong is a fixed hash of the
 * phrase and the question, so every run sees the same answers and the right winner is known.
 *
 * Asked to propose instructions (tune --generate's meta-prompts), it proposes phrases of the same table,
 * choice by choice; asked to paraphrase one, it answers from `paraphrases`.
 */
import { hashString } from '../../src/core/seeded-random.js';
import type { ChatCall, ReplyFn } from './openai-test-server.js';
import { solve } from './scripted-model.js';

export interface WordingTable {
  /** phrase → share of questions answered wrong when the prompt holds it. */
  errorRates: ReadonlyArray<readonly [string, number]>;
  /** The error rate when no phrase of the table is in the prompt. */
  otherwise: number;
  /** What --generate's meta-prompt gets: choice i proposes proposals[i] (cycling). */
  proposals?: readonly string[];
  /** What the paraphrase meta-prompt gets for an instruction: choice i proposes the i-th. */
  paraphrases?: Readonly<Record<string, readonly string[]>>;
}

/** "What is 12 plus 30?" questions, `count` of them, with their answers. */
export function additionQuestions(count: number): Array<{ id: string; input: string; expected: string }> {
  return Array.from({ length: count }, (_, index) => {
    const left = (index * 7) % 50;
    const right = (index * 13) % 40;
    return { id: `q${index}`, input: `What is ${left} plus ${right}?`, expected: String(left + right) };
  });
}

/** The phrase of the table the prompt holds (the longest, when several do), or null. */
export function phraseIn(call: ChatCall, table: WordingTable): string | null {
  const text = call.messages.map((message) => message.content).join('\n');
  const found = table.errorRates
    .map(([phrase]) => phrase)
    .filter((phrase) => text.includes(phrase))
    .sort((left, right) => right.length - left.length);
  return found[0] ?? null;
}

export function errorRateOf(phrase: string | null, table: WordingTable): number {
  return phrase === null
    ? table.otherwise
    : (table.errorRates.find(([known]) => known === phrase)?.[1] ?? table.otherwise);
}

/** Whether the model gets `question` wrong under `phrase`: a fixed draw at the phrase's error rate. */
export function answersWrong(phrase: string | null, question: string, table: WordingTable): boolean {
  return hashString(`${phrase ?? ''}|${question}`) / 2 ** 32 < errorRateOf(phrase, table);
}

export function wordingReply(table: WordingTable): ReplyFn {
  return (call, choiceIndex) => {
    const text = call.messages.map((message) => message.content).join('\n');
    if (/Write one sentence to put after each question|Write the instruction I gave my friend/.test(text)) {
      const proposals = table.proposals ?? [];
      return proposals.length === 0 ? '' : proposals[choiceIndex % proposals.length]!;
    }
    const paraphrased = /Generate a variation of the following instruction[\s\S]*Input: (.*)\n/.exec(text);
    if (paraphrased !== null) {
      const options = table.paraphrases?.[paraphrased[1]!.trim()] ?? [];
      return options.length === 0 ? paraphrased[1]! : options[choiceIndex % options.length]!;
    }
    const question = [...call.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const line = question.split('\n').find((candidate) => /plus/.test(candidate)) ?? question;
    const answer = solve(line) ?? 0;
    const phrase = phraseIn(call, table);
    const given = answersWrong(phrase, line, table) ? answer + 1 : answer;
    return `Adding the two numbers gives ${given}. The answer is ${given}.`;
  };
}
