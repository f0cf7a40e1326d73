#!/usr/bin/env node
/**
 * `npm run bench`: the measurements of issue 5, against a loopback server this script starts itself.
 * Prints a table on stdout, progress on stderr, and writes every figure to bench/results/<time>.json.
 *
 * The CLI always runs as a child process (built, as a user runs it), so its start-up, module loading
 * and output are part of every figure. The server runs in this process; the bare fetch pool it is
 * compared with runs as a child too (`node scripts/bench.mjs fetch-pool ...`), so both sides pay for a
 * process and neither shares its core with the server.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliPath = join(root, 'bin', 'promptlab.js');
const benchPath = fileURLToPath(import.meta.url);
const latencyMs = 100;

const log = (message) => process.stderr.write(`bench: ${message}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** mulberry32: a tiny seeded PRNG, so datasets and server answers are the same every run. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// ---------------------------------------------------------------------------------------------------
// The loopback server: OpenAI chat-completions shape with usage, a fixed latency (0 = answer at once),
// `n` honoured or ignored, and counters for requests, tokens and the most requests in flight at once.
// ---------------------------------------------------------------------------------------------------

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
    return { index, message: { role: 'assistant', content: `Adding ${a} and ${b} gives ${answer}. The answer is ${answer}.` }, finish_reason: 'stop' };
  });
  const promptTokens = Math.ceil(call.messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
  const completionTokens = choices.reduce((sum, choice) => sum + Math.ceil(choice.message.content.length / 4), 0);
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  return { id: 'bench', object: 'chat.completion', created: 0, model: call.model, choices, usage };
}

async function startLatencyServer({ latency = latencyMs, honourN = true, accuracy = 1 } = {}) {
  const stats = { requests: 0, inFlight: 0, maxInFlight: 0, promptTokens: 0, completionTokens: 0 };
  const random = seededRandom(42);
  // Keep-alive long enough that a run's pooled connections are reused, never reopened mid-run.
  const server = createServer({ keepAliveTimeout: 60_000, noDelay: true }, (request, response) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = completionBody(JSON.parse(Buffer.concat(chunks).toString('utf8')), { honourN, accuracy }, random);
      stats.promptTokens += body.usage.prompt_tokens;
      stats.completionTokens += body.usage.completion_tokens;
      const text = JSON.stringify(body);
      const send = () => {
        stats.inFlight--;
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      };
      if (latency > 0) setTimeout(send, latency);
      else send();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    stats,
    resetStats: () => Object.assign(stats, { requests: 0, inFlight: 0, maxInFlight: 0, promptTokens: 0, completionTokens: 0 }),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

async function withServer(options, measure) {
  const server = await startLatencyServer(options);
  try {
    return await measure(server);
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Children: the CLI, node itself, and the bare fetch pool, timed from spawn to exit.
// ---------------------------------------------------------------------------------------------------

function createWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'promptlab-bench-'));
  // Preloaded into a child: its own peak RSS (getrusage ru_maxrss, KiB) written on exit — exact, no polling.
  writeFileSync(
    join(dir, 'report-rss.mjs'),
    "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  return dir;
}

/** Runs `node ...args` with stdout to /dev/null (or captured); resolves with wall time and exit code. */
function runNode(args, { cwd, env = {}, captureStdout = false }) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }));
  });
}

/** The built CLI as a user runs it; fails the bench on a non-zero exit, since the figure would be meaningless. */
async function runCli(cliArgs, workspace, { measureRss = false, captureStdout = false } = {}) {
  const rssFile = join(workspace, 'rss.txt');
  const preload = measureRss ? ['--import', join(workspace, 'report-rss.mjs')] : [];
  const env = { PROMPTLAB_HOME: workspace, ...(measureRss && { BENCH_RSS_FILE: rssFile }) };
  const result = await runNode([...preload, cliPath, ...cliArgs], { cwd: workspace, env, captureStdout });
  if (result.code !== 0) throw new Error(`promptlab ${cliArgs.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return { ...result, maxRssKiB: measureRss ? Number(readFileSync(rssFile, 'utf8')) : null };
}

const endpointArgs = (server, concurrency) => ['-m', 'bench', '--base-url', server.url, '-c', String(concurrency), '-q'];

// ---------------------------------------------------------------------------------------------------
// Datasets.
// ---------------------------------------------------------------------------------------------------

function writeArithmeticDataset(path, count) {
  const random = seededRandom(count);
  const lines = [];
  for (let id = 1; id <= count; id++) {
    const a = Math.floor(random() * 1000);
    const b = Math.floor(random() * 1000);
    lines.push(JSON.stringify({ id: String(id), input: `What is ${a} plus ${b}?`, expected: String(a + b) }));
  }
  return writeLines(path, lines);
}

/** Streams lines to disk: 100,000 records need not sit in this process's memory either. */
async function writeLines(path, lines) {
  const stream = createWriteStream(path);
  for (const line of lines) if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
  return path;
}

/**
 * Recorded self-consistency samples of varied difficulty: each question has its own per-sample
 * accuracy, uniform in [0.3, 0.95]; wrong samples fall on three distractors with random weights, so
 * some questions have a strong wrong runner-up and some a flat spread.
 */
function writeRecordedSamples(path, questions, samplesEach) {
  const random = seededRandom(2024);
  const lines = [];
  for (let question = 1; question <= questions; question++) {
    const truth = 10 + question;
    const accuracy = 0.3 + random() * 0.65;
    const weights = [random(), random(), random()];
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const distractors = [truth + 1, truth - 1, truth + 10];
    const completions = Array.from({ length: samplesEach }, () => {
      let answer = truth;
      if (random() >= accuracy) {
        let pick = random() * total;
        answer = distractors.find((_, index) => (pick -= weights[index]) < 0) ?? distractors[2];
      }
      return `Working it through, I get ${answer}. The answer is ${answer}.`;
    });
    lines.push(JSON.stringify({ id: String(question), expected: String(truth), completions }));
  }
  return writeLines(path, lines);
}

// ---------------------------------------------------------------------------------------------------
// The measurements.
// ---------------------------------------------------------------------------------------------------

/** (1) Start-up: interleaved runs so drift in machine load hits all three commands alike. */
async function measureStartup(workspace, runs = 15) {
  const times = { node: [], version: [], help: [] };
  for (let run = 0; run < runs; run++) {
    times.node.push((await runNode(['-e', '0'], { cwd: workspace })).wallMs);
    times.version.push((await runCli(['--version'], workspace)).wallMs);
    times.help.push((await runCli(['--help'], workspace)).wallMs);
  }
  const nodeMs = median(times.node);
  return {
    runs,
    nodeMs: round(nodeMs, 1),
    versionMs: round(median(times.version), 1),
    helpMs: round(median(times.help), 1),
    versionRatio: round(median(times.version) / nodeMs),
    helpRatio: round(median(times.help) / nodeMs),
  };
}

/** (2) Efficiency = ideal / actual, ideal = ceil(jobs / C) × latency; plus the server's peak in-flight count. */
async function measureThroughput(workspace, datasets) {
  const runs = [];
  await withServer({ latency: latencyMs }, async (server) => {
    const cases = [
      { command: 'zero-shot', concurrency: 1, records: 100, dataset: datasets.small },
      { command: 'zero-shot', concurrency: 8, records: 1000, dataset: datasets.thousand },
      { command: 'zero-shot', concurrency: 32, records: 1000, dataset: datasets.thousand },
      { command: 'zero-shot', concurrency: 64, records: 1000, dataset: datasets.thousand },
      { command: 'compare', concurrency: 32, records: 1000, dataset: datasets.thousand, strategies: ['zero-shot', 'cot'] },
    ];
    for (const { command, concurrency, records, dataset, strategies } of cases) {
      log(`throughput: ${command} N=${records} -c ${concurrency}`);
      server.resetStats();
      const args =
        command === 'compare'
          ? ['compare', '-d', dataset, '--strategies', strategies.join(','), '--format', 'jsonl']
          : [command, '-d', dataset, '--jsonl'];
      const { wallMs } = await runCli([...args, '--answer', 'number', ...endpointArgs(server, concurrency)], workspace);
      const jobs = records * (strategies?.length ?? 1);
      const idealMs = Math.ceil(jobs / concurrency) * latencyMs;
      runs.push({
        command: strategies ? `compare ${strategies.join(',')}` : command,
        records,
        concurrency,
        requests: server.stats.requests,
        wallMs: Math.round(wallMs),
        idealMs,
        efficiency: round(idealMs / wallMs, 3),
        maxInFlight: server.stats.maxInFlight,
      });
    }
  });
  return runs;
}

/** (3) Peak RSS of a --jsonl run at 1k and 100k records: flat memory means streaming in and out. */
async function measureMemory(workspace, datasets) {
  return withServer({ latency: 0 }, async (server) => {
    const peak = {};
    for (const [label, dataset] of [['1k', datasets.thousand], ['100k', datasets.hundredThousand]]) {
      log(`memory: zero-shot over ${label} records, -c 64, zero latency`);
      const { maxRssKiB, wallMs } = await runCli(['zero-shot', '-d', dataset, '--jsonl', '--answer', 'number', ...endpointArgs(server, 64)], workspace, { measureRss: true });
      peak[label] = { rssMiB: round(maxRssKiB / 1024, 1), wallMs: Math.round(wallMs) };
    }
    return { ...peak, ratio: round(peak['100k'].rssMiB / peak['1k'].rssMiB) };
  });
}

/** (4) Per-record cost against a bare pool of `fetch` workers making the same requests; medians of 3. */
async function measurePerRecord(workspace, datasets, repeats = 3) {
  return withServer({ latency: 0 }, async (server) => {
    const cli = [];
    const pool = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      log(`per-record: run ${repeat + 1} of ${repeats}`);
      cli.push((await runCli(['zero-shot', '-d', datasets.thousand, '--jsonl', '--answer', 'number', ...endpointArgs(server, 32)], workspace)).wallMs);
      const bare = await runNode([benchPath, 'fetch-pool', server.url, datasets.thousand, '32'], { cwd: workspace });
      if (bare.code !== 0) throw new Error(`fetch pool failed: ${bare.stderr}`);
      pool.push(bare.wallMs);
    }
    const cliMs = median(cli);
    const poolMs = median(pool);
    return { records: 1000, concurrency: 32, cliMs: Math.round(cliMs), fetchPoolMs: Math.round(poolMs), ratio: round(cliMs / poolMs), cliMsPerRecord: round(cliMs / 1000, 3), fetchPoolMsPerRecord: round(poolMs / 1000, 3) };
  });
}

/** (5) Self-consistency, 10 samples: one request per record where `n` is honoured, ten where it is ignored. */
async function measureRequestSavings(workspace, datasets) {
  const modes = {};
  for (const honourN of [true, false]) {
    const label = honourN ? 'nHonoured' : 'nIgnored';
    log(`self-consistency --samples 10, ${honourN ? 'n honoured' : 'n ignored'}`);
    modes[label] = await withServer({ latency: 0, honourN, accuracy: 0.6 }, async (server) => {
      const output = join(workspace, `sc-${label}.json`);
      await runCli(['self-consistency', '--samples', '10', '-d', datasets.small, '--json', '-o', output, '--answer', 'number', '--seed', '1', ...endpointArgs(server, 32)], workspace);
      const { summary } = JSON.parse(readFileSync(output, 'utf8'));
      const tokens = server.stats.promptTokens + server.stats.completionTokens;
      return {
        records: summary.n,
        correct: summary.correct,
        requests: server.stats.requests,
        tokens,
        requestsPerCorrect: round(server.stats.requests / summary.correct),
        tokensPerCorrect: Math.round(tokens / summary.correct),
      };
    });
  }
  return { samples: 10, ...modes, requestRatio: round(modes.nIgnored.requests / modes.nHonoured.requests), tokenRatio: round(modes.nIgnored.tokens / modes.nHonoured.tokens) };
}

/** (6) `score --stop` over recorded samples: samples used and accuracy against the 40-sample vote. */
async function measureEarlyStopping(workspace) {
  const recorded = await writeRecordedSamples(join(workspace, 'recorded.jsonl'), 300, 40);
  const score = async (stop) => {
    log(`score --stop ${stop}`);
    const { stdout } = await runCli(['score', recorded, '--answer', 'number', '--max-samples', '40', '--stop', stop, '--json'], workspace, { captureStdout: true });
    const summary = JSON.parse(stdout);
    return { samplesUsed: round(summary.samplesUsed), accuracy: summary.accuracy };
  };
  const fixed = await score('fixed');
  const rules = {};
  for (const stop of ['esc', 'beta']) {
    const result = await score(stop);
    rules[stop] = { ...result, samplesSaved: round(40 / result.samplesUsed), accuracyPointsVsFixed: round((result.accuracy - fixed.accuracy) * 100) };
  }
  return { questions: 300, samplesEach: 40, perSampleAccuracy: [0.3, 0.95], fixed, ...rules };
}

// ---------------------------------------------------------------------------------------------------
// The bare fetch pool (child mode): C workers POSTing the same bodies the CLI sends, parsing the JSON.
// ---------------------------------------------------------------------------------------------------

async function runFetchPool(url, datasetPath, concurrency) {
  const inputs = readFileSync(datasetPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).input);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++];
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: input }], temperature: 0 }),
      });
      await response.json();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// ---------------------------------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------------------------------

function renderTable(results) {
  const { startup, throughput, memory, perRecord, requests, earlyStopping } = results;
  const pass = (ok) => (ok ? 'ok' : 'MISS');
  const rows = [
    ['start-up `--version` / `node -e 0`', `${startup.versionRatio}× (${startup.versionMs} vs ${startup.nodeMs} ms)`, '≤ 1.5×', pass(startup.versionRatio <= 1.5)],
    ['start-up `--help` / `node -e 0`', `${startup.helpRatio}× (${startup.helpMs} vs ${startup.nodeMs} ms)`, '≤ 1.5×', pass(startup.helpRatio <= 1.5)],
    ...throughput.map((run) => {
      const target = run.concurrency === 32 ? 0.9 : run.concurrency === 8 ? 0.95 : null;
      const label = `efficiency ${run.command} N=${run.records} -c ${run.concurrency}${run.concurrency === 1 ? ' (N=100 to save time)' : ''}`;
      return [label, `${run.efficiency} (${run.wallMs} ms vs ideal ${run.idealMs}; in flight ≤ ${run.maxInFlight})`, target === null ? '' : `≥ ${target}`, target === null ? '' : pass(run.efficiency >= target)];
    }),
    ['peak RSS 1k → 100k records (-c 64)', `${memory['1k'].rssMiB} → ${memory['100k'].rssMiB} MiB (${memory.ratio}×)`, '≤ 1.25×, < 150 MiB', pass(memory.ratio <= 1.25 && memory['100k'].rssMiB < 150)],
    ['per-record: CLI / bare fetch pool (1k, -c 32, 0 ms)', `${perRecord.ratio}× (${perRecord.cliMs} vs ${perRecord.fetchPoolMs} ms)`, '≤ 2×', pass(perRecord.ratio <= 2)],
    ['self-consistency 10 samples, n honoured', `${requests.nHonoured.requestsPerCorrect} requests, ${requests.nHonoured.tokensPerCorrect} tokens per correct`, '', ''],
    ['self-consistency 10 samples, n ignored', `${requests.nIgnored.requestsPerCorrect} requests, ${requests.nIgnored.tokensPerCorrect} tokens per correct`, '', ''],
    ...['esc', 'beta'].map((rule) => {
      const result = earlyStopping[rule];
      const ok = result.samplesSaved >= 3 && Math.abs(result.accuracyPointsVsFixed) <= 0.5;
      return [`score --stop ${rule} vs 40 fixed`, `${result.samplesUsed} samples (${result.samplesSaved}× fewer), ${result.accuracyPointsVsFixed >= 0 ? '+' : ''}${result.accuracyPointsVsFixed} points`, '≥ 3×, ±0.5 points', pass(ok)];
    }),
  ];
  const header = ['measure', 'measured', 'target', ''];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main() {
  const started = Date.now();
  const workspace = createWorkspace();
  try {
    log(`datasets in ${workspace}`);
    const datasets = {
      small: await writeArithmeticDataset(join(workspace, 'arithmetic-100.jsonl'), 100),
      thousand: await writeArithmeticDataset(join(workspace, 'arithmetic-1000.jsonl'), 1000),
      hundredThousand: await writeArithmeticDataset(join(workspace, 'arithmetic-100000.jsonl'), 100_000),
    };
    log('start-up');
    const results = {
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length, latencyMs },
      startup: await measureStartup(workspace),
      throughput: await measureThroughput(workspace, datasets),
      memory: await measureMemory(workspace, datasets),
      perRecord: await measurePerRecord(workspace, datasets),
      requests: await measureRequestSavings(workspace, datasets),
      earlyStopping: await measureEarlyStopping(workspace),
    };
    results.benchSeconds = Math.round((Date.now() - started) / 1000);
    const resultsDir = join(root, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const resultsFile = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${renderTable(results)}\n`);
    log(`done in ${results.benchSeconds} s; figures in ${resultsFile}`);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'fetch-pool') await runFetchPool(process.argv[3], process.argv[4], Number(process.argv[5]));
else await main();
