import {
  PatchError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  parsePointer,
  type Json,
} from './patch';

describe('JSON Patch (RFC 6902)', () => {
  const doc: Json = { a: { 'b/c': 1, 'd~e': 2 }, list: [1, 2, 3] };

  it('unescapes ~1 and ~0 in that order', () => {
    expect(parsePointer('/a/b~1c')).toEqual(['a', 'b/c']);
    expect(parsePointer('/a/d~0e')).toEqual(['a', 'd~e']);
    expect(parsePointer('/x/~01')).toEqual(['x', '~1']);
    expect(() => parsePointer('/x/~2')).toThrow(PatchError);
    expect(() => parsePointer('x')).toThrow(PatchError);
  });

  it('applies add, remove, replace, move, copy and test', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/list/1', value: 9 },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'remove', path: '/a/b~1c' },
      { op: 'replace', path: '/a/d~0e', value: 'x' },
      { op: 'copy', from: '/list/0', path: '/first' },
      { op: 'move', from: '/first', path: '/a/moved' },
      { op: 'test', path: '/a/moved', value: 1 },
    ]);
    expect(out).toEqual({ a: { 'd~e': 'x', moved: 1 }, list: [1, 9, 2, 3, 4] });
    expect(doc).toEqual({ a: { 'b/c': 1, 'd~e': 2 }, list: [1, 2, 3] }); // the input is not modified
  });

  it.each([
    ['remove of an absent member', [{ op: 'remove', path: '/a/zzz' }]],
    ['replace of an absent member', [{ op: 'replace', path: '/nope', value: 1 }]],
    ['add under an absent parent', [{ op: 'add', path: '/nope/x', value: 1 }]],
    ['a failing test', [{ op: 'test', path: '/list/0', value: 2 }]],
    ['an index out of bounds', [{ op: 'remove', path: '/list/3' }]],
    ['an index with a leading zero', [{ op: 'replace', path: '/list/01', value: 1 }]],
    ['a move into its own child', [{ op: 'move', from: '/a', path: '/a/x' }]],
  ])('refuses %s (422-class) and applies nothing', (_label, ops) => {
    try {
      applyJsonPatch(doc, ops);
      throw new Error('should fail');
    } catch (error) {
      expect(error).toBeInstanceOf(PatchError);
      expect((error as PatchError).kind).toBe('invalid');
    }
  });

  it('says a patch that is not a list of operations is malformed', () => {
    expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow(expect.objectContaining({ kind: 'malformed' }));
    expect(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/a' }])).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/a' }])).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
  });
});

describe('JSON Merge Patch (RFC 7386)', () => {
  it('merges objects, deletes on null, replaces lists and scalars (RFC 7386 appendix examples)', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(applyMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });
});

describe('strategic-merge patch (simplified)', () => {
  const pod: Json = {
    containers: [
      {
        name: 'a',
        image: 'a:1',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '2' },
        ],
      },
      { name: 'b', image: 'b:1' },
    ],
    args: ['--x'],
  };

  it('merges containers and env by name, replaces other lists', () => {
    const out = applyStrategicMergePatch(pod, {
      containers: [
        {
          name: 'a',
          env: [
            { name: 'Y', value: '3' },
            { name: 'Z', value: '4' },
          ],
        },
      ],
      args: ['--y'],
    });
    expect(out).toEqual({
      containers: [
        {
          name: 'a',
          image: 'a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '3' },
            { name: 'Z', value: '4' },
          ],
        },
        { name: 'b', image: 'b:1' },
      ],
      args: ['--y'],
    });
  });

  it('honours $patch delete and replace, ignores $setElementOrder', () => {
    const out = applyStrategicMergePatch(pod, {
      containers: [
        { name: 'a', env: [{ name: 'X', $patch: 'delete' }] },
        { name: 'b', $patch: 'delete' },
      ],
      '$setElementOrder/containers': [{ name: 'a' }],
    });
    expect(out).toEqual({
      containers: [{ name: 'a', image: 'a:1', env: [{ name: 'Y', value: '2' }] }],
      args: ['--x'],
    });
    expect(
      applyStrategicMergePatch(pod, { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c:1' }] }),
    ).toEqual({
      containers: [{ name: 'c', image: 'c:1' }],
      args: ['--x'],
    });
  });

  it('refuses a list item without its merge key', () => {
    expect(() => applyStrategicMergePatch(pod, { containers: [{ image: 'x' }] })).toThrow(PatchError);
  });
});
