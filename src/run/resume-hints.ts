/**
 * What every run needs to know about --resume without reading the file: the -o it implies, and what to
 * say when a run stops early. Reading and rewriting the file (resume-file.ts, with zod) loads only when
 * --resume is given.
 */
import { InterruptedError, UsageError } from '../errors.js';
import type { ResultRecord } from '../core/records.js';
import type { RunNotices } from './notices.js';
import type { ResumedCell, ResumeState } from './resume-file.js';

/** resumeRun for a run given --resume (`outputPath` from resumeOutputPath), loading resume-file.ts only then; null otherwise. */
export async function loadResume(
  flagValues: Record<string, unknown>,
  outputPath: string | null,
  cells: readonly ResumedCell[],
  onKept: (result: ResultRecord) => void,
  notices: RunNotices,
): Promise<ResumeState | null> {
  const path = flagValues.resume as string | undefined;
  if (outputPath === null || path === undefined) return null;
  return (await import('./resume-file.js')).resumeRun(path, outputPath, cells, onKept, notices);
}

/** `-o` beside `--resume`: the output must be JSON Lines, and defaults to the resume file itself. */
export function resumeOutputPath(flagValues: Record<string, unknown>): string | null {
  const resumePath = flagValues.resume as string | undefined;
  if (resumePath === undefined) return null;
  if (flagValues.json === true) throw new UsageError('--resume appends JSON lines to the file; drop --json');
  if (resumePath === '-') throw new UsageError('--resume needs a file written by -o FILE --jsonl, not stdin');
  return (flagValues.output as string | undefined) ?? resumePath;
}

/** How messages name where results go: `-o FILE`, or `--resume FILE` when that is where they go. */
export function outputFlag(flagValues: Record<string, unknown>, path: string): { flag: string; path: string } {
  return { flag: flagValues.output === undefined && flagValues.resume !== undefined ? '--resume' : '-o', path };
}

/** Exit 130, saying where the finished results are and how to finish the run. */
export function interruptedError(finished: number, resumable: string | null): InterruptedError {
  const done = `interrupted after ${finished} new result(s)`;
  // Nothing to resume from: an -o file that stood before the run is still as it was.
  if (resumable === null && finished === 0)
    return new InterruptedError('interrupted before any result; nothing was written');
  if (resumable === null)
    return new InterruptedError(
      `${done}; to make a run resumable, write it with -o FILE --jsonl, then rerun with --resume FILE`,
    );
  return new InterruptedError(
    `${done}, written to ${resumable}; rerun with --resume ${shellWord(resumable)} to finish`,
  );
}

/** The lines already on file when a fatal error ends the run: say how to pick up from there. */
export function resumeAfterFailureHint(written: number, resumable: string | null): string | null {
  if (resumable === null || written === 0) return null;
  return `${written} result(s) are in ${resumable}; once the endpoint works, rerun with --resume ${shellWord(resumable)}`;
}

const shellWord = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
