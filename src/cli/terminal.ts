/**
 * The one module that knows about TTYs, colours and spinners. Results go to stdout elsewhere; here,
 * stderr gets warnings (unless --quiet) and progress (only when stderr is a TTY, never in pipes or CI).
 */
import type { ChalkInstance } from 'chalk';
import { noColors, type Colors } from '../render/colors.js';
import type { Io, OutputStream } from '../run/io.js';

export interface Terminal {
  /** Colours for what goes to stdout (off when stdout is not a TTY, NO_COLOR is set, ...). */
  stdoutColors: Colors;
  warn(message: string): void;
  /** Chatter that only a person at a terminal wants. */
  note(message: string): void;
  throttled(status: number, retryAfterMs: number | null): void;
  /** True when progress is shown (stderr is a terminal and not --quiet): worth counting records for. */
  readonly showsProgress: boolean;
  readonly throttleEvents: number;
  progress(text: string): void;
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

export async function createTerminal(options: { quiet: boolean }, io: Io): Promise<Terminal> {
  const stderr = io.stderr;
  const [errorColors, stdoutColors] = await Promise.all([
    colorsAt(colorLevel(stderr, io.env)),
    colorsAt(colorLevel(io.stdout, io.env)),
  ]);
  const interactive = stderr.isTTY === true && !options.quiet;
  const warned = new Set<string>();
  let throttleEvents = 0;
  let spinner: { text: string; stop(): void; start(): void; isSpinning: boolean } | null = null;
  let spinnerRequested = false;
  let stopped = false;
  let latestText = '';

  const writeLine = (line: string) => {
    const spinning = spinner?.isSpinning === true;
    if (spinning) spinner!.stop();
    stderr.write(`${line}\n`);
    if (spinning) spinner!.start();
  };

  return {
    stdoutColors,
    warn(message) {
      if (options.quiet || warned.has(message)) return;
      warned.add(message);
      writeLine(errorColors.yellow(`warning: ${message}`));
    },
    note(message) {
      if (interactive) writeLine(errorColors.dim(message));
    },
    throttled(status, retryAfterMs) {
      throttleEvents++;
      if (throttleEvents === 1 && !options.quiet) {
        const wait = retryAfterMs === null ? '' : ` (asked to wait ${Number((retryAfterMs / 1000).toFixed(1))} s)`;
        writeLine(errorColors.yellow(`note: the endpoint is throttling (${status})${wait}; retrying and slowing down`));
      }
    },
    showsProgress: interactive,
    get throttleEvents() {
      return throttleEvents;
    },
    progress(text) {
      if (!interactive || stopped) return;
      latestText = text;
      if (spinner !== null) {
        spinner.text = text;
        return;
      }
      // ora loads only when there is a terminal to spin on; the run may end before it has loaded.
      if (spinnerRequested) return;
      spinnerRequested = true;
      void import('ora').then(({ default: ora }) => {
        if (!stopped)
          spinner = ora({ text: latestText, stream: stderr as NodeJS.WriteStream, discardStdin: false }).start();
      });
    },
    stopProgress() {
      stopped = true;
      spinner?.stop();
    },
  };
}
