/**
 * The progress line at the bottom of a terminal: one line, cut to the terminal's width and redrawn in
 * place with a carriage return and erase-in-line, a spinner frame turning on a timer.
 *
 * Not ora: ora counts the rows its text wraps to as ceil(width / columns), and a terminal that reports
 * 0 columns (a pty nobody sized, some CI runners) made that Infinity, so it erased lines without end at
 * full CPU, deaf to Ctrl-C. A line that never wraps needs no row count, and a width of 0 or unknown
 * reads as 80 columns (usableColumns). It also hooked process.stdout; here the terminal says when a
 * line goes above the status line (`above`).
 */
import type { OutputStream } from '../run/io.js';
import { clipToWidth, usableColumns } from '../render/text-width.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const frameMs = 100;

export interface StatusLine {
  /**
   * Shows the line `text` makes (plain or coloured) from now on, starting the spinner if it is not turning
   * yet. It is made when drawn, not here: a run calls this per result, and most never reach the screen.
   */
  update(text: () => string): void;
  /** Writes a line above the status line: the status line is erased, the line written, the status redrawn. */
  above(write: () => void): void;
  /** Erases the status line for good. */
  stop(): void;
}

export function createStatusLine(
  stream: OutputStream & { columns?: number },
  styleFrame: (frame: string) => string,
): StatusLine {
  let text = () => '';
  let frame = 0;
  let shown = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  const draw = () => {
    // One column is left free: writing the last column of a line makes some terminals wrap at once.
    const line = clipToWidth(`${styleFrame(frames[frame]!)} ${text()}`, usableColumns(stream.columns) - 1);
    stream.write(`\r${line}\u001b[K`);
    shown = true;
  };
  const erase = () => {
    if (shown) stream.write('\r\u001b[K');
    shown = false;
  };

  return {
    update(next) {
      if (stopped) return;
      text = next;
      // Drawn now the first time, then by the timer: a fast run's results do not each cost a redraw.
      if (timer !== null) return;
      timer = setInterval(() => {
        frame = (frame + 1) % frames.length;
        draw();
      }, frameMs);
      // The spinner never keeps the process alive: the run does, until it ends.
      timer.unref();
      draw();
    },
    above(write) {
      const wasShown = shown;
      erase();
      write();
      if (wasShown && !stopped) draw();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      erase();
    },
  };
}
