/** Where a command writes and reads; the real process in bin.ts, buffers in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => AsyncIterable<string | Buffer>;
  env: Record<string, string | undefined>;
  /** stdout is a terminal (text output and colours by default). */
  isTTY: boolean;
  /** stdin is a terminal (a confirmation prompt can be answered). */
  stdinIsTTY?: boolean;
  cwd: string;
}

/** A usage error: the message is printed with a hint, the exit code is 2. */
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * Text for the terminal: escape sequences and control characters (newlines and tabs kept) that came from input, such
 * as a path or a journal title, are removed or shown as `?`, so they cannot move the cursor, retitle the window or
 * reorder the line.
 */
export function terminalSafe(text: string): string {
  /* eslint-disable no-control-regex -- matching control characters is the point */
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b[\]P^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  /* eslint-enable no-control-regex */
}
