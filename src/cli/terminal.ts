/**
 * The one module that knows about TTYs, colours and the progress line. Results go to stdout elsewhere;
 * here, stderr gets warnings (unless --quiet) and progress (only when stderr is a TTY, never in pipes or
 * CI), and lines a person reads on stdout go above the progress line (`out`).
 */
import type { ChalkInstance } from 'chalk';
import { noColors, type Colors } from '../render/colors.js';
import { usableColumns, wrapToWidth } from '../render/text-width.js';
import type { Io, OutputStream } from '../run/io.js';
import { createStatusLine, type StatusLine } from './status-line.js';

export interface Terminal {
  /** Colours for what goes to stdout (off when stdout is not a TTY, NO_COLOR is set, ...). */
  stdoutColors: Colors;
  /** Colours for what goes to stderr. */
  stderrColors: Colors;
  /** Columns a view on stdout may take: the terminal's width (80 when it reports 0); null in a pipe or file. */
  stdoutColumns: number | null;
  /** Columns the progress line may take (stderr's width, 80 when unknown). */
  progressColumns: number;
  warn(message: string): void;
  /** Chatter that only a person at a terminal wants. */
  note(message: string): void;
  /** A line for stderr whatever the terminal (a summary for the log of a run whose results went elsewhere), unless --quiet. */
  say(message: string): void;
  /** Text for stdout, written above the progress line when both share the terminal. */
  out(text: string): void;
  throttled(status: number, retryAfterMs: number | null): void;
  /** True when progress is shown (stderr is a terminal and not --quiet): worth counting records for. */
  readonly showsProgress: boolean;
  readonly throttleEvents: number;
  /** The progress line `text` makes, made only when the line is drawn (see StatusLine.update). */
  progress(text: () => string): void;
  stopProgress(): void;
}

export function colorsFrom(chalk: ChalkInstance): Colors {
  return {
    bold: (text) => chalk.bold(text),
    dim: (text) => chalk.dim(text),
    green: (text) => chalk.green(text),
    red: (text) => chalk.red(text),
    yellow: (text) => chalk.yellow(text),
    cyan: (text) => chalk.cyan(text),
  };
}

/** chalk's own detection, but per stream, and NO_COLOR honoured whatever the chalk version does. */
function colorLevel(stream: OutputStream, env: Io['env']): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const forced = env.FORCE_COLOR;
  if (forced !== undefined)
    return forced === '0' || forced === 'false' ? 0 : (Math.min(3, Math.max(1, Number(forced) || 1)) as 1 | 2 | 3);
  if (!stream.isTTY) return 0;
  const depth = stream.getColorDepth?.() ?? 1;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}

/** chalk loads only for a stream that shows colour: without colour (pipes, CI, NO_COLOR) its styles are identities. */
async function colorsAt(level: 0 | 1 | 2 | 3): Promise<Colors> {
  if (level === 0) return noColors;
  const { Chalk } = await import('chalk');
  return colorsFrom(new Chalk({ level }));
}

type TerminalStream = OutputStream & { columns?: number };

export async function createTerminal(options: { quiet: boolean }, io: Io): Promise<Terminal> {
  const stderr = io.stderr as TerminalStream;
  const stdout = io.stdout as TerminalStream;
  const [errorColors, stdoutColors] = await Promise.all([
    colorsAt(colorLevel(stderr, io.env)),
    colorsAt(colorLevel(stdout, io.env)),
  ]);
  const interactive = stderr.isTTY === true && !options.quiet;
  const warned = new Set<string>();
  let throttleEvents = 0;
  let status: StatusLine | null = null;
  let stopped = false;

  // Lines on stderr, or on stdout when it shares the terminal, go above the progress line.
  const above = (write: () => void) => (status === null ? write() : status.above(write));
  // On a terminal a long line is wrapped at spaces, its continuation indented; a log keeps it whole.
  const writeLine = (line: string, style: (text: string) => string = (text) => text) => {
    const lines =
      stderr.isTTY === true
        ? line.split('\n').flatMap((part) => wrapToWidth(part, usableColumns(stderr.columns), '  '))
        : [line];
    above(() => stderr.write(`${lines.map(style).join('\n')}\n`));
  };

  return {
    stdoutColors,
    stderrColors: errorColors,
    stdoutColumns: stdout.isTTY === true ? usableColumns(stdout.columns) : null,
    get progressColumns() {
      return usableColumns(stderr.columns);
    },
    warn(message) {
      if (options.quiet || warned.has(message)) return;
      warned.add(message);
      writeLine(`warning: ${message}`, errorColors.yellow);
    },
    note(message) {
      if (interactive) writeLine(message, errorColors.dim);
    },
    say(message) {
      if (!options.quiet) writeLine(message);
    },
    out(text) {
      if (stdout.isTTY === true) above(() => stdout.write(text));
      else stdout.write(text);
    },
    throttled(code, retryAfterMs) {
      throttleEvents++;
      if (throttleEvents === 1 && !options.quiet) {
        const wait = retryAfterMs === null ? '' : ` (asked to wait ${Number((retryAfterMs / 1000).toFixed(1))} s)`;
        writeLine(`note: the endpoint is throttling (${code})${wait}; retrying and slowing down`, errorColors.yellow);
      }
    },
    showsProgress: interactive,
    get throttleEvents() {
      return throttleEvents;
    },
    progress(text) {
      if (!interactive || stopped) return;
      status ??= createStatusLine(stderr, errorColors.cyan);
      status.update(text);
    },
    stopProgress() {
      stopped = true;
      status?.stop();
      status = null;
    },
  };
}
