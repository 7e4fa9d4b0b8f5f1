import { Buffer } from 'node:buffer';
import { LineSplitter } from '../src/lines';

/** Feeds the bytes in chunks of the given sizes (cycled) and returns the lines. */
function split(bytes: Buffer, sizes: number[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    splitter.push(bytes.subarray(at, at + size));
    at += size;
  }
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  const text = '{"a":"é€𝄞"}\nplain ascii\n\n{"b":"ünïcödé"}\r\nlast line without newline';
  const expected = text.split('\n');

  it('gives the same lines whatever the chunk boundaries, multi-byte characters split across chunks included', () => {
    const bytes = Buffer.from(text, 'utf8');
    for (const sizes of [[1], [2], [3], [5, 1], [7], [bytes.length], [1 << 20]]) {
      expect(split(bytes, sizes)).toEqual(expected);
    }
  });

  it('joins a line longer than many chunks', () => {
    const long = 'x'.repeat(10_000) + 'ü'.repeat(5_000);
    expect(split(Buffer.from(`${long}\nnext\n`, 'utf8'), [999])).toEqual([long, 'next']);
  });

  it('turns invalid UTF-8 into replacement characters, as a string decoder does', () => {
    const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0xff, 0xfe]), Buffer.from('b\n')]);
    expect(split(bytes, [1])).toEqual(['a\ufffd\ufffdb']);
    // A sequence cut off by the end of the input.
    expect(split(Buffer.from([0x61, 0xe2, 0x82]), [1])).toEqual(['a\ufffd']);
  });

  it('accepts string chunks and ends without a trailing empty line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('one\ntw');
    splitter.push('o\n');
    splitter.end();
    expect(lines).toEqual(['one', 'two']);
  });

  it('keeps a chunk it was given unchanged after the stream reuses its memory', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const chunk = Buffer.from('first\nsec');
    splitter.push(chunk);
    chunk.fill(0x7a);
    splitter.push(Buffer.from('ond\n'));
    expect(lines).toEqual(['first', 'second']);
  });
});
