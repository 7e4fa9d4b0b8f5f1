import { arnLike, globMatch } from './match';

describe('globMatch', () => {
  it.each([
    ['elasticfilesystem:Client*', 'elasticfilesystem:ClientMount', false, true],
    ['elasticfilesystem:client*', 'elasticfilesystem:ClientMount', true, true],
    ['elasticfilesystem:client*', 'elasticfilesystem:ClientMount', false, false],
    ['*', '', false, true],
    ['a?c', 'abc', false, true],
    ['a?c', 'ac', false, false],
    ['*Mount', 'elasticfilesystem:ClientMount', false, true],
    ['*Mount', 'elasticfilesystem:ClientMountX', false, false],
    ['a*b*c', 'aXbYbZc', false, true],
    ['a*b*c', 'aXbYbZ', false, false],
    ['**', 'anything', false, true],
    ['a.b', 'aXb', false, false],
    ['[a]', '[a]', false, true],
  ])('%s against %s (ignore case %s): %s', (pattern, value, ignoreCase, expected) => {
    expect(globMatch(pattern, value, ignoreCase)).toBe(expected);
  });

  // Found by the fuzz campaign (src/sources/fuzz-documents.test.ts): a policy whose Action is a long run of `*`
  // (or `a*a*…`) was compiled into a regular expression that overflowed the compiler's stack ("NI-02 could not
  // decide: internal error (Invalid regular expression …)") or backtracked for seconds.
  it('answers a pattern of 200,000 stars and a pathological a*a*…b pattern without a regular expression', () => {
    expect(globMatch('logs:' + '*'.repeat(200_000), 'logs:CreateLogStream', true)).toBe(true);
    const pathological = 'a*'.repeat(5_000) + 'b';
    expect(globMatch(pathological, 'a'.repeat(5_000))).toBe(false);
    expect(globMatch(pathological, 'a'.repeat(5_000) + 'b')).toBe(true);
  });
});

describe('arnLike', () => {
  const fs = 'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0a1b2c3d4e5f60718';
  it.each([
    ['arn:aws:elasticfilesystem:*:*:file-system/*', fs, true],
    ['arn:aws:elasticfilesystem:*:111122223333:file-system/fs-*', fs, true],
    ['arn:aws:elasticfilesystem:*:444455556666:*', fs, false],
    // a wildcard in the first five fields stays inside its field
    ['arn:*:111122223333:*:*:*', 'arn:aws:logs:eu-west-1:111122223333:log-group:x:log-stream:y', false],
    ['arn:*:*:*:111122223333:*', 'arn:aws:logs:eu-west-1:111122223333:log-group:x:log-stream:y', true],
    ['arn:*', fs, true],
    ['arn:aws:iam::*:role/*', 'arn:aws:iam::111122223333:role/a:b', true],
    ['arn:aws:iam::*:role/x', 'arn:aws:iam::111122223333:role/x', true],
    [fs, fs, true],
    ['arn:aws:iam::111122223333:role/?', 'arn:aws:iam::111122223333:role/ab', false],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(arnLike(pattern, value)).toBe(expected);
  });

  it('answers a resource of 100,000 stars', () => {
    expect(arnLike(`arn:aws:elasticfilesystem:*:*:${'*'.repeat(100_000)}`, fs)).toBe(true);
  });
});
