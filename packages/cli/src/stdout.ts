import { Buffer } from 'node:buffer';
import { fstatSync, writeSync } from 'node:fs';

/**
 * A writer for the process's stdout. Redirected to a regular file, text goes straight to the descriptor with
 * `writeSync`: the stream's own path for files converts every string into a new Buffer first, which for
 * `simulate --cases` (tens of megabytes of answers) cost as much as writing them. Files are written synchronously by
 * the stream as well, so the order of output is the same. Terminals and pipes keep the stream.
 */
export function stdoutWriter(
  fd = 1,
  stream: { write(text: string): unknown } = process.stdout,
): (text: string) => void {
  let isFile = false;
  try {
    isFile = fstatSync(fd).isFile();
  } catch {
    // Not a descriptor we can inspect (closed, or a platform without it): the stream decides.
  }
  if (!isFile) return (text) => void stream.write(text);
  return (text) => {
    const written = writeSync(fd, text);
    // A regular file takes everything at once; anything else (a full disk mid-write) is finished or fails here.
    if (written !== Buffer.byteLength(text)) writeRest(fd, text, written);
  };
}

function writeRest(fd: number, text: string, written: number): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = written; offset < bytes.length;) offset += writeSync(fd, bytes, offset);
}
