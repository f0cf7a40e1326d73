/**
 * The built CLI in a pseudo-terminal of a given size, for what only a terminal shows: the progress line,
 * colours, tables at the terminal's width. util-linux `script` makes the pty (no native module to build);
 * `stty` sets its size, and the shell `exec`s node so the pid it prints first is the CLI's own, for signals.
 * stdout and stderr share the terminal, as they do for a person: `output` is what the terminal received.
 */
import { spawn } from 'node:child_process';
import { cleanEnv, cliPath, repoRoot } from './run-cli.js';

export interface PtyOptions {
  columns: number;
  rows?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The CLI (and the pty) are killed after this long; `timedOut` then says so. */
  timeoutMs?: number;
}

export interface PtyResult {
  code: number | null;
  /** Everything written to the terminal, escape sequences included. */
  output: string;
  timedOut: boolean;
}

export interface PtyRun {
  /** The CLI's pid, once the shell has printed it. */
  pid: Promise<number>;
  /** What the terminal has received so far (without the pid line). */
  output(): string;
  result: Promise<PtyResult>;
}

const shellWord = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;

export function startInPty(args: readonly string[], options: PtyOptions): PtyRun {
  const command = [
    `stty cols ${options.columns} rows ${options.rows ?? 24}`,
    'echo "pid $$"',
    `exec ${[process.execPath, cliPath, ...args].map(shellWord).join(' ')}`,
  ].join('; ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv({ TERM: 'xterm-256color', SHELL: '/bin/sh', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let raw = '';
  let resolvePid: (pid: number) => void = () => undefined;
  const pid = new Promise<number>((resolve) => (resolvePid = resolve));
  let cliPid: number | null = null;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    if (cliPid === null) {
      const match = /pid (\d+)\r?\n/.exec(raw);
      if (match !== null) {
        cliPid = Number(match[1]);
        resolvePid(cliPid);
      }
    }
  });
  child.stderr.resume();
  const output = () => raw.replace(/^[\s\S]*?pid \d+\r?\n/, '');
  const result = new Promise<PtyResult>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The CLI runs in a session of its own under script: kill it by its pid, then script.
      if (cliPid !== null) killQuietly(cliPid);
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, output: output(), timedOut });
    });
  });
  return { pid, output, result };
}

export const runInPty = (args: readonly string[], options: PtyOptions): Promise<PtyResult> =>
  startInPty(args, options).result;

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * What a terminal shows once `output` is written, as plain lines, and the widest line any write reached
 * (a line longer than the terminal wraps, which a person sees as a broken table). Knows the sequences a
 * line-based view uses: carriage return, erase in line, cursor to column, SGR colours.
 */
export function readScreen(output: string): { lines: string[]; widest: number } {
  const lines: string[] = [];
  let line: string[] = [];
  let cursor = 0;
  let widest = 0;
  const tokens = output.match(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\r|\n|[^\u001b\r\n]/gu) ?? [];
  for (const token of tokens) {
    if (token === '\n') {
      lines.push(line.join('').trimEnd());
      line = [];
      cursor = 0;
    } else if (token === '\r') {
      cursor = 0;
    } else if (token.startsWith('\u001b[')) {
      const final = token.at(-1);
      if (final === 'K') line = token === '\u001b[2K' ? [] : line.slice(0, cursor);
      else if (final === 'G') cursor = Math.max(0, Number(token.slice(2, -1) || '1') - 1);
    } else if (!token.startsWith('\u001b')) {
      while (line.length < cursor) line.push(' ');
      line[cursor] = token;
      cursor++;
      widest = Math.max(widest, cursor);
    }
  }
  if (line.length > 0) lines.push(line.join('').trimEnd());
  return { lines, widest };
}
