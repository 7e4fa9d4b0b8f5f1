import { Buffer, isAscii } from 'node:buffer';

/**
 * Splits a byte stream into UTF-8 text lines without a string decoder: a newline byte (0x0A) never occurs inside a
 * multi-byte UTF-8 sequence, so the bytes up to a chunk's last newline always decode on their own, and only the
 * bytes after it wait for the next chunk. All complete lines of a chunk are decoded in one call, as Latin-1 when the
 * bytes are ASCII (the same characters, without UTF-8 validation), and handed out as slices of that one string.
 * Lines keep everything but their `\n` (a `\r` before it stays, as JSON.parse ignores it).
 */
export class LineSplitter {
  /** Bytes after the last newline seen, waiting for the rest of their line. */
  private rest: Buffer[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const last = bytes.lastIndexOf(0x0a);
    if (last < 0) {
      if (bytes.length > 0) this.rest.push(Buffer.from(bytes));
      return;
    }
    const first = bytes.indexOf(0x0a);
    let start = 0;
    if (this.rest.length > 0) {
      this.rest.push(bytes.subarray(0, first));
      this.onLine(decode(Buffer.concat(this.rest)));
      this.rest = [];
      start = first + 1;
    }
    if (start <= last) {
      const text = decode(bytes.subarray(start, last + 1));
      let from = 0;
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', from)) {
        this.onLine(text.slice(from, newline));
        from = newline + 1;
      }
    }
    // A copy: the stream may reuse the chunk's memory once this returns.
    if (last + 1 < bytes.length) this.rest.push(Buffer.from(bytes.subarray(last + 1)));
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    if (this.rest.length === 0) return;
    const line = decode(Buffer.concat(this.rest));
    this.rest = [];
    this.onLine(line);
  }
}

function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}
