import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stdoutWriter } from '../src/stdout';

describe('stdoutWriter', () => {
  it('writes to a regular file directly, in order, multi-byte text included, without the stream', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'stdout-')), 'out.txt');
    const fd = openSync(file, 'w');
    const streamed: string[] = [];
    const write = stdoutWriter(fd, { write: (text: string) => streamed.push(text) });
    const big = 'ä€𝄞'.repeat(200_000);
    write('first\n');
    write(big);
    write('\nlast\n');
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe(`first\n${big}\nlast\n`);
    expect(streamed).toEqual([]);
  });

  it('leaves anything that is not a regular file (a pipe, a terminal, a bad descriptor) to the stream', () => {
    const streamed: string[] = [];
    const write = stdoutWriter(987_654, { write: (text: string) => streamed.push(text) });
    write('through the stream');
    expect(streamed).toEqual(['through the stream']);
  });
});
