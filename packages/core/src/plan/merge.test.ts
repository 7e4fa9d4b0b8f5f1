import { fileSystemAllowStatement } from '../policy/generate';
import { mergeAllowStatement, PolicyMergeError, removeStatement } from './merge';

const FS_ARN = 'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0';
const ROLE = 'arn:aws:iam::111122223333:role/prod-efs-csi-node';
const ours = fileSystemAllowStatement({
  cluster: 'prod',
  roleArn: ROLE,
  fileSystemArn: FS_ARN,
  access: 'write',
});

const deny = {
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Sid: 'DenyInsecure',
  Resource: FS_ARN,
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: '*',
};

describe('mergeAllowStatement', () => {
  it('creates a first policy with our statement only', () => {
    const r = mergeAllowStatement(null, ours);
    expect(r.action).toBe('created');
    expect(JSON.parse(r.text)).toEqual({ Version: '2012-10-17', Statement: [ours] });
  });

  it('appends ours and keeps the other statements and their property order', () => {
    const before = JSON.stringify({ Id: 'keep-me', Version: '2012-10-17', Statement: [deny] });
    const r = mergeAllowStatement(before, ours);
    expect(r.action).toBe('appended');
    const after = JSON.parse(r.text);
    expect(after.Id).toBe('keep-me');
    expect(Object.keys(after)).toEqual(['Id', 'Version', 'Statement']);
    expect(after.Statement[0]).toEqual(deny);
    expect(Object.keys(after.Statement[0])).toEqual(Object.keys(deny));
    expect(after.Statement[1]).toEqual(ours);
  });

  it('replaces our Sid in place, leaving the others where they were', () => {
    const stale = { ...ours, Principal: { AWS: 'AROAEXAMPLEUNIQUEID1' } };
    const before = JSON.stringify({ Version: '2012-10-17', Statement: [stale, deny] });
    const r = mergeAllowStatement(before, ours);
    expect(r.action).toBe('replaced');
    expect(JSON.parse(r.text).Statement).toEqual([ours, deny]);
  });

  it('collapses a duplicate of our Sid (two writers) into one', () => {
    const before = JSON.stringify({
      Version: '2012-10-17',
      Statement: [ours, deny, { ...ours, Action: 'x' }],
    });
    expect(JSON.parse(mergeAllowStatement(before, { ...ours, Action: 'y' }).text).Statement).toEqual([
      { ...ours, Action: 'y' },
      deny,
    ]);
  });

  it('accepts a single statement object as the one-element list it means', () => {
    const r = mergeAllowStatement(JSON.stringify({ Version: '2012-10-17', Statement: deny }), ours);
    expect(JSON.parse(r.text).Statement).toEqual([deny, ours]);
  });

  it('returns the text untouched when our statement is already there', () => {
    const before = JSON.stringify({ Version: '2012-10-17', Statement: [deny, ours] });
    expect(mergeAllowStatement(before, ours)).toEqual({ text: before, action: 'unchanged' });
  });

  it('refuses invalid JSON and non-objects', () => {
    expect(() => mergeAllowStatement('{"Version": "2012-10-17", ', ours)).toThrow(PolicyMergeError);
    expect(() => mergeAllowStatement('[1]', ours)).toThrow(/not a JSON object/);
    expect(() => mergeAllowStatement('{"Statement": 3}', ours)).toThrow(PolicyMergeError);
  });

  it('refuses a result over 20,000 characters, falling back to the compact form first', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => ({ ...deny, Sid: `Filler${i}` }));
    // Pretty form over the limit, compact under it: merged compactly.
    const mid = JSON.stringify({ Version: '2012-10-17', Statement: filler(80) });
    const r = mergeAllowStatement(mid, ours);
    expect(r.text.length).toBeLessThanOrEqual(20_000);
    expect(JSON.parse(r.text).Statement).toHaveLength(81);
    const big = JSON.stringify({ Version: '2012-10-17', Statement: filler(120) });
    expect(() => mergeAllowStatement(big, ours)).toThrow(/limit is 20000/);
  });

  it('needs a Sid to merge by', () => {
    expect(() => mergeAllowStatement(null, { ...ours, Sid: undefined })).toThrow(/no Sid/);
  });

  it('removeStatement takes ours out again; nothing left is null', () => {
    const merged = mergeAllowStatement(
      JSON.stringify({ Version: '2012-10-17', Statement: [deny] }),
      ours,
    ).text;
    expect(JSON.parse(removeStatement(merged, ours.Sid!)!).Statement).toEqual([deny]);
    expect(removeStatement(mergeAllowStatement(null, ours).text, ours.Sid!)).toBeNull();
  });
});
