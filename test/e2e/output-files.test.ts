/**
 * Result files, end to end (in-process through runCli): a run that fails before it has results leaves an
 * existing -o file exactly as it was; a run that fails half way keeps what it finished; -o never names an
 * input of the run; and result, report and summary files get the default mode (0666 less the umask),
 * since they hold no secret (the cache, which holds prompts, stays user-only: secrets.test.ts).
 */
import { readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { closedPortUrl, useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const serve = useTestServers({ reply: arithmeticReply });
const records = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: `r${index + 1}`,
    input: `What is ${index} plus 2?`,
    expected: String(index + 2),
  }));
/** What an earlier run left in the file: it must survive a failed run byte for byte. */
const earlier = `${JSON.stringify({ schema: 'promptlab.result/v1', id: 'old', note: 'an earlier run' })}\n`;

async function workspace(files: Record<string, string>): Promise<string> {
  const directory = await makeTempDir('promptlab-output-');
  await Promise.all(Object.entries(files).map(([name, content]) => writeFile(join(directory, name), content)));
  return directory;
}

const endpoint = (url: string) => ['--base-url', url, '-m', 'test-model', '--answer', 'number', '--retries', '0'];

describe('an existing -o file and a run that fails before it has results', () => {
  const badAtLine6 = `${jsonl(records(5))}{"input": "What is 9 plus 2?"\n`;

  it.each([
    ['zero-shot --jsonl', ['zero-shot'], 'keep.jsonl'],
    ['zero-shot --json', ['zero-shot'], 'keep.json'],
    ['compare jsonl', ['compare', '--strategies', 'zero-shot,cot'], 'keep.jsonl'],
    ['compare markdown', ['compare', '--strategies', 'zero-shot,cot'], 'keep.md'],
  ])('%s: a malformed dataset line (exit 2) leaves it as it was', async (_name, command, output) => {
    const server = await serve();
    const cwd = await workspace({ 'bad.jsonl': badAtLine6, [output]: earlier });
    const result = await runCli([...command, '-d', 'bad.jsonl', '-o', output, ...endpoint(server.url)], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^promptlab: bad\.jsonl:6: /);
    expect(await readFile(join(cwd, output), 'utf8')).toBe(earlier);
    expect(await readdir(cwd)).toEqual(['bad.jsonl', output].sort());
    expect(server.counts.total).toBe(0);
  });

  it.each([
    ['zero-shot --jsonl', ['zero-shot'], 'keep.jsonl'],
    ['zero-shot --json', ['zero-shot'], 'keep.json'],
    ['compare jsonl', ['compare', '--strategies', 'zero-shot,cot'], 'keep.jsonl'],
    ['compare markdown', ['compare', '--strategies', 'zero-shot,cot'], 'keep.md'],
  ])('%s: an unreachable endpoint (exit 3) leaves it as it was', async (_name, command, output) => {
    const cwd = await workspace({ 'data.jsonl': jsonl(records(5)), [output]: earlier });
    const result = await runCli([...command, '-d', 'data.jsonl', '-o', output, ...endpoint(await closedPortUrl())], {
      cwd,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot reach/);
    expect(await readFile(join(cwd, output), 'utf8')).toBe(earlier);
    expect(await readdir(cwd)).toEqual(['data.jsonl', output].sort());
  });

  it('a run in which every record errored (exit 3) leaves it as it was', async () => {
    const server = await serve({ respond: () => ({ status: 500, body: '{"error":{"message":"down"}}' }) });
    const cwd = await workspace({ 'data.jsonl': jsonl(records(3)), 'keep.jsonl': earlier });
    const result = await runCli(['zero-shot', '-d', 'data.jsonl', '-o', 'keep.jsonl', ...endpoint(server.url)], {
      cwd,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no record got an answer/);
    expect(await readFile(join(cwd, 'keep.jsonl'), 'utf8')).toBe(earlier);
    expect(server.counts.chat).toBe(3);
  });

  it('a run that fails half way keeps every result it finished, in place of the earlier file', async () => {
    // Three answers, then the key is refused: a fatal error that ends the run.
    const server = await serve({
      respond: (_call, requestNumber) =>
        requestNumber > 3 ? { status: 401, body: '{"error":{"message":"key revoked"}}' } : null,
    });
    const cwd = await workspace({ 'data.jsonl': jsonl(records(8)), 'keep.jsonl': earlier });
    const result = await runCli(
      ['zero-shot', '-d', 'data.jsonl', '-o', 'keep.jsonl', '-c', '1', ...endpoint(server.url)],
      { cwd },
    );
    expect(result.code).toBe(3);
    const lines = (await readFile(join(cwd, 'keep.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).id)).toEqual(['r1', 'r2', 'r3']);
    expect(result.stderr).toMatch(/3 result\(s\) are in keep\.jsonl; once the endpoint works, rerun with --resume/);
    expect(await readdir(cwd)).toEqual(['data.jsonl', 'keep.jsonl']);
  });

  it('--resume still appends to the file it continues', async () => {
    const server = await serve();
    const cwd = await workspace({ 'data.jsonl': jsonl(records(4)), 'half.jsonl': jsonl(records(2)) });
    const first = await runCli(['zero-shot', '-d', 'half.jsonl', '-o', 'out.jsonl', ...endpoint(server.url)], { cwd });
    expect(first.code).toBe(0);
    const before = await readFile(join(cwd, 'out.jsonl'), 'utf8');
    const resumed = await runCli(['zero-shot', '-d', 'data.jsonl', '--resume', 'out.jsonl', ...endpoint(server.url)], {
      cwd,
    });
    expect(resumed.code).toBe(0);
    const after = await readFile(join(cwd, 'out.jsonl'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.trimEnd().split('\n')).toHaveLength(4);
  });
});

describe('-o naming an input of the run', () => {
  it.each([
    ['the same name', ['zero-shot', '-d', 'data.jsonl', '-o', 'data.jsonl'], '-o data.jsonl'],
    ['another spelling', ['zero-shot', '-d', 'data.jsonl', '-o', './data.jsonl'], '-o ./data.jsonl'],
    ['a symbolic link', ['zero-shot', '-d', 'data.jsonl', '-o', 'link.jsonl'], '-o link.jsonl'],
    ['--json', ['zero-shot', '-d', 'data.jsonl', '--json', '-o', 'data.jsonl'], '-o data.jsonl'],
    ['compare', ['compare', '--strategies', 'zero-shot', '-d', 'data.jsonl', '-o', 'data.jsonl'], '-o data.jsonl'],
    ['--resume', ['zero-shot', '-d', 'data.jsonl', '--resume', 'data.jsonl'], '--resume data.jsonl'],
    [
      'the --examples file',
      ['few-shot', '-d', 'data.jsonl', '--examples', 'examples.jsonl', '-o', 'examples.jsonl'],
      '-o examples.jsonl',
    ],
  ])('%s: refused before anything is read or sent (exit 2), the input kept', async (_name, args, named) => {
    const server = await serve();
    const data = jsonl(records(3));
    const examples = jsonl([{ input: 'What is 1 plus 1?', output: '2' }]);
    const cwd = await workspace({ 'data.jsonl': data, 'examples.jsonl': examples });
    await symlink(join(cwd, 'data.jsonl'), join(cwd, 'link.jsonl'));
    const result = await runCli([...args, ...endpoint(server.url)], { cwd });
    expect(result.code).toBe(2);
    const input = named.includes('examples') ? 'examples.jsonl' : 'data.jsonl';
    const flag = named.includes('examples') ? '--examples' : '--dataset';
    expect(result.stderr).toBe(
      `promptlab: ${named}: is the ${flag} file ${input}; the results would overwrite it, so write them to another file\n`,
    );
    expect(await readFile(join(cwd, 'data.jsonl'), 'utf8')).toBe(data);
    expect(await readFile(join(cwd, 'examples.jsonl'), 'utf8')).toBe(examples);
    expect(server.counts.total).toBe(0);
  });

  it('score -o naming the file it scores is refused too', async () => {
    const server = await serve();
    const cwd = await workspace({ 'data.jsonl': jsonl(records(2)) });
    expect(
      (await runCli(['zero-shot', '-d', 'data.jsonl', '-o', 'out.jsonl', ...endpoint(server.url)], { cwd })).code,
    ).toBe(0);
    const before = await readFile(join(cwd, 'out.jsonl'), 'utf8');
    const result = await runCli(['score', 'out.jsonl', '-o', 'out.jsonl'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'promptlab: -o out.jsonl: is the file scored out.jsonl; the results would overwrite it, so write them to another file\n',
    );
    expect(await readFile(join(cwd, 'out.jsonl'), 'utf8')).toBe(before);
  });
});

describe('file modes', () => {
  it('result, summary, Markdown and HTML files get the default mode (0666 less the umask), not 0600', async () => {
    const server = await serve();
    const cwd = await workspace({ 'data.jsonl': jsonl(records(2)), 'probe.txt': '' });
    // What any program's new file gets here; the test means something only if that is not user-only.
    const defaultMode = (await stat(join(cwd, 'probe.txt'))).mode & 0o777;
    expect(defaultMode).not.toBe(0o600);
    const run = (args: string[]) => runCli(args, { cwd, env: { PROMPTLAB_HOME: cwd } });
    const live = [...endpoint(server.url), '--no-cache'];
    expect((await run(['zero-shot', '-d', 'data.jsonl', '-o', 'results.json', ...live])).code).toBe(0);
    expect((await run(['zero-shot', '-d', 'data.jsonl', '-o', 'results.jsonl', ...live])).code).toBe(0);
    const compare = ['compare', '-d', 'data.jsonl', '--strategies', 'zero-shot,cot', ...live];
    expect((await run([...compare, '-o', 'compare.md'])).code).toBe(0);
    expect((await run([...compare, '-o', 'compare.jsonl'])).code).toBe(0);
    expect((await run(['score', 'results.jsonl', '-o', 'summary.json'])).code).toBe(0);
    expect((await run(['report', 'compare.jsonl', '-o', 'report.html'])).code).toBe(0);
    for (const file of ['results.json', 'results.jsonl', 'compare.md', 'compare.jsonl', 'summary.json', 'report.html'])
      expect((await stat(join(cwd, file))).mode & 0o777, file).toBe(defaultMode);
  });
});
