/**
 * The loopback endpoint `npm run bench` measures against (scripts/bench.mjs): the OpenAI chat-completions
 * shape with usage, a fixed latency (0 = answer at once), `n` honoured or ignored, keep-alive. It counts
 * requests, connections and tokens, and notes when the first request came and how many were in flight
 * (at most, and on average over the run) — what tells waves and idle gaps from a steadily busy endpoint.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';

/** The project's own seeded PRNG (mulberry32), from the build that `npm run bench` makes first. */
import { createRandom as seededRandom } from '../../dist/core/seeded-random.js';

export { seededRandom };

/**
 * Each choice answers "What is A plus B?" right with probability `accuracy`, else with a near miss, so
 * self-consistency has something to vote over. Prompt tokens are billed once per request, as OpenAI does.
 */
function completionBody(call, { honourN, accuracy }, random) {
  const user = call.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
  const [, a = '0', b = '0'] = /(\d+) plus (\d+)/.exec(user) ?? [];
  const truth = Number(a) + Number(b);
  const count = honourN ? (call.n ?? 1) : 1;
  const choices = Array.from({ length: count }, (_, index) => {
    const answer = random() < accuracy ? truth : truth + [-2, -1, 1, 2][Math.floor(random() * 4)];
    return {
      index,
      message: { role: 'assistant', content: `Adding ${a} and ${b} gives ${answer}. The answer is ${answer}.` },
      finish_reason: 'stop',
    };
  });
  const promptTokens = Math.ceil(call.messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
  const completionTokens = choices.reduce((sum, choice) => sum + Math.ceil(choice.message.content.length / 4), 0);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  return { id: 'bench', object: 'chat.completion', created: 0, model: call.model, choices, usage };
}

const freshStats = () => ({
  requests: 0,
  connections: 0,
  promptTokens: 0,
  completionTokens: 0,
  inFlight: 0,
  maxInFlight: 0,
  // In flight × time, from the first request to the last answer: its mean shows waves and idle gaps.
  inFlightArea: 0,
  lastChangeAt: 0,
  firstRequestAt: null,
});

/** The mean number of requests in flight between the first request and the last answer. */
export const meanInFlight = (stats) =>
  stats.firstRequestAt === null ? 0 : stats.inFlightArea / (stats.lastChangeAt - stats.firstRequestAt);

export async function startLatencyServer({ latency = 100, honourN = true, accuracy = 1 } = {}) {
  const stats = freshStats();
  const random = seededRandom(42);
  const changeInFlight = (delta) => {
    const now = performance.now();
    stats.inFlightArea += stats.inFlight * (now - stats.lastChangeAt);
    stats.lastChangeAt = now;
    stats.inFlight += delta;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  };
  // Keep-alive long enough that a run's pooled connections are reused, never reopened mid-run.
  const server = createServer({ keepAliveTimeout: 60_000, noDelay: true }, (request, response) => {
    stats.requests++;
    stats.firstRequestAt ??= performance.now();
    changeInFlight(+1);
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = completionBody(JSON.parse(Buffer.concat(chunks).toString('utf8')), { honourN, accuracy }, random);
      stats.promptTokens += body.usage.prompt_tokens;
      stats.completionTokens += body.usage.completion_tokens;
      const text = JSON.stringify(body);
      const send = () => {
        changeInFlight(-1);
        response
          .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
          .end(text);
      };
      if (latency > 0) setTimeout(send, latency);
      else send();
    });
  });
  server.on('connection', () => stats.connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    stats,
    resetStats: () => Object.assign(stats, freshStats()),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function withServer(options, measure) {
  const server = await startLatencyServer(options);
  try {
    return await measure(server);
  } finally {
    await server.close();
  }
}
