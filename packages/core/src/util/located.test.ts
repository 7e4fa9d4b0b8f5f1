import { LocatedParseError, parseLocatedJson, parseLocatedYaml } from './located';

describe('parseLocatedYaml', () => {
  it('keeps the lines of keys and items in every document of a stream', () => {
    const docs = parseLocatedYaml('a: 1\nlist:\n  - x\n  - y\n---\nb: 2\n');
    expect(docs).toHaveLength(2);
    const first = docs[0].value as { list: string[] };
    expect(docs[0].lineOf(first, 'list')).toBe(2);
    expect(docs[0].lineOf(first.list, 1)).toBe(4);
    expect(docs[1].lineOf(docs[1].value as object, 'b')).toBe(6);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    expect(() => parseLocatedYaml(bomb)).toThrow(/alias/);
  });

  it('refuses nesting deeper than the limit with the line of the offending node', () => {
    const deep = '['.repeat(300) + ']'.repeat(300);
    expect(() => parseLocatedYaml(deep)).toThrow(LocatedParseError);
  });

  // Found by the fuzz campaign (src/sources/fuzz-documents.test.ts, FUZZ_SEED=1467127102 and 1884651034): the yaml
  // library parses block sequences recursively and reports a stack overflow in a deep flow collection as a document
  // error, so "Maximum call stack size exceeded" reached the user as a parse error.
  it.each([
    ['block sequences', 'addons:\n  ' + '- '.repeat(5000) + '1\n'],
    [
      'flow mappings inside a block sequence',
      'modes:\n  - ' + '{"a":'.repeat(4000) + '1' + '}'.repeat(4000) + '\n',
    ],
    ['flow sequences', 'apiVersion: ' + '['.repeat(4000) + '\n'],
  ])('refuses deep %s as too deep, without a runtime error in the message', (_label, text) => {
    let caught: unknown;
    try {
      parseLocatedYaml(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LocatedParseError);
    expect((caught as Error).message).not.toMatch(/Maximum call stack|RangeError/);
  });

  it('turns custom tags into values through onTag', () => {
    const [doc] = parseLocatedYaml('Arn: !GetAtt Role.Arn\n', { onTag: (tag, v) => ({ [tag]: v }) });
    expect(doc.value).toEqual({ Arn: { '!GetAtt': 'Role.Arn' } });
  });
});

describe('parseLocatedJson', () => {
  it('reports invalid JSON with the line of the error', () => {
    try {
      parseLocatedJson('{\n  "a": 1,\n  "b": ]\n}');
      throw new Error('did not throw');
    } catch (error) {
      expect(error).toBeInstanceOf(LocatedParseError);
      expect((error as LocatedParseError).line).toBe(3);
      expect((error as Error).message).toMatch(/^invalid JSON/);
    }
  });
});
