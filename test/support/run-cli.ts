/**
 * Runs the CLI the way a test needs it:
 * - `runCli`: in-process — the CLI's `main` (from src/) with injected argv, environment, stdin, stdout and
 *   stderr, returning the exit code `bin/promptlab.js` would exit with. Most end-to-end cases run this way:
 *   the same code path as a user's run, without the cost of starting a process.
 * - `runCliProcess`: the built CLI (bin/promptlab.js → dist/bundle) as a child process, the way a user or a
 *   script runs it — for what needs a real process: signals, exit codes, stdin and TTY behaviour, the
 *   bundle, and one happy path per command.
 */
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/run/io.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../bin/promptlab.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** A child process still running after this long is killed (runCliProcess only). */
  timeoutMs?: number;
  /**
   * runCli only: stdout is a terminal this many columns wide, as when a person runs the CLI (what it prints
   * for a terminal: tables, the tune leaderboard); stderr stays a pipe, so no progress line.
   */
  stdoutColumns?: number;
}

/** A clean environment: no endpoint settings leak in from the machine running the tests. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'PROMPTLAB_MODEL', 'FORCE_COLOR', 'PROMPTLAB_HOME'])
    delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** A stream that keeps what is written to it, as a pipe would deliver it (not a TTY). */
function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * The working directory is the process's, and relative paths resolve against it: runs in the same
 * directory go side by side, a run in another one waits until they are done (each is short). A run
 * leaves the directory as it found it (batch commands enter the directory prepare ran in).
 */
const directory = { current: null as string | null, running: 0, waiting: [] as Array<() => void> };

async function enter(cwd: string): Promise<void> {
  while (directory.running > 0 && directory.current !== cwd)
    await new Promise<void>((resolve) => directory.waiting.push(resolve));
  directory.current = cwd;
  directory.running++;
}

function leave(): void {
  directory.running--;
  if (directory.running === 0) for (const wake of directory.waiting.splice(0)) wake();
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const cwd = options.cwd ?? repoRoot;
  await enter(cwd);
  const stdout = capture();
  if (options.stdoutColumns !== undefined)
    Object.assign(stdout.stream, { isTTY: true, columns: options.stdoutColumns });
  const stderr = capture();
  const io: Io = {
    env: cleanEnv(options.env),
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout: stdout.stream,
    stderr: stderr.stream,
  };
  const before = process.cwd();
  try {
    process.chdir(cwd);
    const code = await main([...args], io);
    return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    process.chdir(before);
    leave();
  }
}

export function runCliProcess(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
