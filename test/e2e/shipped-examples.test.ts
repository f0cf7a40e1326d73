/** The examples a user is shown run as shown: help points at files the package ships, the README at `npx promptlab`. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/run-cli.js';

/** package.json `files` entries: a directory (everything under it) or `dir/*.ext`. */
function shippedBy(entries: readonly string[], path: string): boolean {
  return entries.some((entry) => {
    if (!entry.includes('*')) return path === entry || path.startsWith(`${entry}/`);
    const pattern = entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${pattern}$`).test(path);
  });
}

const commands = [
  [],
  ['zero-shot'],
  ['few-shot'],
  ['in-context'],
  ['cot'],
  ['self-consistency'],
  ['compare'],
  ['score'],
  ['report'],
  ['batch'],
  ...['prepare', 'submit', 'status', 'collect', 'resubmit', 'cancel'].map((name) => ['batch', name]),
  ['templates'],
  ['templates', 'render'],
  ['cache'],
];

describe('shipped examples', () => {
  it('every fixtures/… file a help example names exists and is in package.json "files"', async () => {
    const { files } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
    const named = new Set<string>();
    for (const command of commands) {
      const help = await runCli([...command, '--help']);
      expect(help.code).toBe(0);
      for (const path of help.stdout.match(/\bfixtures\/[\w./-]+/g) ?? []) named.add(path);
    }
    expect(named.size).toBeGreaterThan(0);
    for (const path of named) {
      expect(existsSync(join(repoRoot, path)), `${path} exists`).toBe(true);
      expect(shippedBy(files, path), `${path} is in "files"`).toBe(true);
    }
  });

  it('README commands run promptlab through npx (it is not on the PATH after npm ci)', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const blocks = readme.match(/```sh\n[\s\S]*?```/g) ?? [];
    const bare = blocks.flatMap((block) => block.split('\n')).filter((line) => /(^|[|;&]\s*)promptlab /.test(line));
    expect(bare).toEqual([]);
    expect(readme).toContain('npx promptlab');
  });
});
