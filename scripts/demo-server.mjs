/**
 * A scripted stand-in for a model, used to make the demo recording in fixtures/recording/. It is not
 * a model: it looks the question up in the fixtures' answer key and answers right with a probability
 * that depends on what the prompt holds (demonstrations, reasoning trigger, worked examples), so the
 * strategies differ the way they tend to on real models. Deterministic: the same request gets the
 * same reply. Speaks just enough of the OpenAI chat-completions protocol for the real SDK.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const fixtures = new URL('../fixtures/', import.meta.url);
const answerKey = new Map();
for (const name of ['arithmetic.jsonl', 'pool.jsonl', 'examples.jsonl']) {
  for (const line of readFileSync(new URL(name, fixtures), 'utf8').split('\n').filter(Boolean)) {
    const record = JSON.parse(line);
    answerKey.set(record.input, Number(record.expected ?? record.output));
  }
}

const unit = (text) => createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;

function chanceOfRight(messages) {
  const user = messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
  const demonstrations = messages.filter((message) => message.role === 'assistant');
  const reasoning =
    /step by step/.test(user) || demonstrations.some((message) => /The answer is/.test(message.content));
  let chance = 0.45;
  if (demonstrations.length > 0) chance += 0.12;
  if (reasoning) chance += 0.2;
  // Similar demonstrations help (in-context selection): same opening words as the question.
  const opening = user.split(' ').slice(1, 3).join(' ');
  if (
    demonstrations.length > 0 &&
    messages.some(
      (message) => message.role === 'user' && message !== messages.at(-1) && message.content.includes(opening),
    )
  )
    chance += 0.08;
  return { chance: Math.min(chance, 0.9), reasoning };
}

function reply(messages, temperature, seed, choiceIndex) {
  const user = messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
  const question = [...answerKey.keys()].find((known) => user.includes(known));
  if (question === undefined) return 'I cannot tell.';
  const truth = answerKey.get(question);
  const { chance, reasoning } = chanceOfRight(messages);
  // Greedy decoding always takes the same path; sampling varies with the seed and the choice.
  const path = temperature > 0 ? `${seed ?? ''}:${choiceIndex}` : 'greedy';
  const right = unit(`${question}|${messages.length}|${path}`) < chance;
  const slip = 1 + Math.floor(unit(`${question}|slip|${path}`) * 3);
  const answer = right ? truth : truth + (unit(`${question}|sign|${path}`) < 0.5 ? -slip : slip);
  if (!reasoning) return `The answer is ${answer}.`;
  const openings = [
    'Let me work through it.',
    'Step by step:',
    'First, the numbers.',
    'Reading the problem carefully:',
    'We can set this up directly.',
  ];
  const opening = openings[Math.floor(unit(`${question}|opening|${path}`) * openings.length)];
  return `${opening} Combining the quantities in the order the problem gives them, I get ${answer}. The answer is ${answer}.`;
}

export function startDemoServer(port = 0) {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (!request.url.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const call = JSON.parse(body);
      const n = call.n ?? 1;
      const choices = Array.from({ length: n }, (_, index) => {
        const content = reply(call.messages, call.temperature ?? 1, call.seed, index);
        return { index, message: { role: 'assistant', content }, finish_reason: 'stop' };
      });
      const promptTokens = Math.ceil(call.messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
      const completionTokens = choices.reduce((sum, choice) => sum + Math.ceil(choice.message.content.length / 4), 0);
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'demo',
          object: 'chat.completion',
          created: 0,
          model: call.model,
          choices,
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
          },
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
