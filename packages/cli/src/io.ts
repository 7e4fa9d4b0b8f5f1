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
