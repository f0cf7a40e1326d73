/**
 * The process as a command sees it: environment and standard streams, passed in rather than read from
 * `process`, so the CLI's `main` runs in-process in tests with streams of their own.
 */
export interface Io {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: OutputStream;
  stderr: OutputStream;
}

export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; getColorDepth?(): number };

export const processIo = (): Io => ({
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
