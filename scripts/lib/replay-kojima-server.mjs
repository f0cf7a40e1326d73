// A loopback OpenAI-compatible server that answers with what text-davinci-002 actually wrote in the
// Kojima et al. logs: the recorded reasoning for a first-stage chain-of-thought request, and the recorded
// answer step (`pred_before`) for the second, answer-extraction request. Questions are found in the prompt.
import { createServer } from 'node:http';

const TRIGGERS = [
  'Therefore, the answer (arabic numerals) is',
  'Therefore, among A through E, the answer is',
  'Therefore, the answer (Yes or No) is',
];

/** The reasoning a log record holds: after "A: Let's think step by step." up to the last answer trigger. */
export function recordedReasoning(chunkText) {
  const start = chunkText.indexOf("A: Let's think step by step.");
  const end = Math.max(...TRIGGERS.map((trigger) => chunkText.lastIndexOf(`\n${trigger}`)));
  if (start < 0 || end < start) return null;
  return chunkText.slice(start + "A: Let's think step by step.".length, end).trim();
}

export function startReplayServer(byQuestion) {
  const counts = { chat: 0, unknown: 0 };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      counts.chat++;
      const call = JSON.parse(body);
      const prompt = call.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
      const secondStage = TRIGGERS.some((trigger) => prompt.trimEnd().endsWith(trigger));
      const question = secondStage
        ? /^Q: ([\s\S]*?)\nA: /.exec(prompt)?.[1]
        : prompt.replace(/\s*Let's think step by step\.\s*$/, '');
      const record = byQuestion.get(question?.trim());
      if (record === undefined) counts.unknown++;
      const content = record === undefined ? '' : secondStage ? record.predBefore : record.reasoning;
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'replay',
          object: 'chat.completion',
          created: 0,
          model: call.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, counts, url: `http://127.0.0.1:${server.address().port}/v1` }),
    ),
  );
}
