/** The response cache: where it lives, what it holds, cache stats|clear, and --no-cache over a config file. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from '../support/run-cli.js';
import { arithmeticReply, samplingReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const startServer = useTestServers();

const tempDir = () => makeTempDir('promptlab-cache-');

describe('cache', () => {
  it('defaults to PROMPTLAB_HOME/cache, answers a rerun from it, and cache stats|clear manage it', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const home = await tempDir();
    const env = { PROMPTLAB_HOME: home };
    const args = ['zero-shot', 'What is 4 plus 4?', '--cache', '--json', '-m', 'm', '--base-url', server.url];
    const first = await runCliProcess(args, { env });
    const second = await runCliProcess(args, { env });
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(server.counts.chat).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ answer: '8', requests: 0 });
    const entries = await readdir(join(home, 'cache'));
    expect(entries).toHaveLength(1);
    const entry = JSON.parse(await readFile(join(home, 'cache', entries[0]!), 'utf8'));
    expect(Object.keys(entry).sort()).toEqual(['choice', 'usage']);

    const stats = await runCliProcess(['cache', 'stats'], { env });
    expect(JSON.parse(stats.stdout)).toMatchObject({ directory: join(home, 'cache'), entries: 1 });
    const cleared = await runCliProcess(['cache', 'clear'], { env });
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toMatch(/removed 1 cached response/);
    expect(JSON.parse((await runCliProcess(['cache', 'stats'], { env })).stdout).entries).toBe(0);
  });

  it('keeps self-consistency samples apart and replays the same k samples', async () => {
    const server = await startServer({ reply: samplingReply(new Set([1])) });
    const cache = join(await tempDir(), 'c');
    const args = [
      'self-consistency',
      'What is 6 times 7?',
      '--samples',
      '3',
      '--answer',
      'number',
      '--cache',
      cache,
      '--json',
      '-m',
      'm',
      '--base-url',
      server.url,
    ];
    const live = JSON.parse((await runCli(args)).stdout);
    const replayed = JSON.parse((await runCli([...args, '--replay'])).stdout);
    expect(await readdir(cache)).toHaveLength(3);
    expect(replayed.completions.map((completion: { text: string }) => completion.text)).toEqual(
      live.completions.map((completion: { text: string }) => completion.text),
    );
    expect(replayed).toMatchObject({ votes: { '42': 2, '43': 1 }, requests: 0, usage: live.usage });
    expect(server.counts.chat).toBe(1);
  });

  it('lets --no-cache override a config file that turns the cache on', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const cwd = await tempDir();
    await writeFile(
      join(cwd, 'promptlab.config.json'),
      JSON.stringify({ cache: join(cwd, 'cache'), model: 'm', baseUrl: server.url }),
    );
    await runCli(['zero-shot', 'What is 1 plus 1?', '--json'], { cwd });
    await runCli(['zero-shot', 'What is 1 plus 1?', '--json', '--no-cache'], { cwd });
    expect(server.counts.chat).toBe(2);
    expect(await readdir(join(cwd, 'cache'))).toHaveLength(1);
  });
});
