// Runs the built CLI's `promptlab score` the way a user does, for the published-results checks.
import { spawnSync } from 'node:child_process';

/** The command as a user would type it, with FILE for the input. */
export const scoreCommandLine = (flags) => ['promptlab', 'score', 'FILE', ...flags].join(' ');

/**
 * `promptlab score INPUT FLAGS --jsonl`: the re-scored records and the summary line; `error` holds the
 * exit status and first stderr line when the command failed.
 */
export function scoreRecords(repositoryRoot, input, flags) {
  const child = spawnSync(process.execPath, ['bin/promptlab.js', 'score', input, ...flags, '--jsonl', '--quiet'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (child.status !== 0)
    return { records: [], summary: null, error: `exit ${child.status}: ${child.stderr.trim().split('\n')[0]}` };
  const lines = child.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  return {
    records: lines.filter((line) => line.schema === 'promptlab.result/v1'),
    summary: lines.find((line) => line.schema === 'promptlab.summary/v1') ?? null,
    error: null,
  };
}
