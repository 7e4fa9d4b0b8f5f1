import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli, SHARED_FIXTURES } from './run-cli';

interface JsonFinding {
  ruleId: string;
  file: string | null;
  line: number | null;
  message: string;
}

// Bad input is never a crash or a stack trace: each bad file is a finding naming it, and the others are still checked.
describe('check on bad input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eni-bad-'));
  cpSync(`${SHARED_FIXTURES}/seed-deny-only`, dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'invalid.json'),
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow", }\n  ]\n}\n',
  );
  writeFileSync(
    path.join(dir, 'invalid.yaml'),
    'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [unclosed\n',
  );
  writeFileSync(path.join(dir, 'empty.yaml'), '');
  writeFileSync(path.join(dir, 'binary.json'), Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x00, 0x01]));
  writeFileSync(path.join(dir, 'huge.json'), Buffer.alloc(11 * 1024 * 1024, 0x20));
  writeFileSync(path.join(dir, 'deep.json'), '['.repeat(100_000) + ']'.repeat(100_000));
  writeFileSync(
    path.join(dir, 'bomb.yaml'),
    [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'broken.tf'), 'resource "aws_iam_role" "x" {\n  name = \n}\n');

  const { code, stdout, stderr } = runCli(['check', dir, '--format', 'json']);
  const findings: JsonFinding[] = JSON.parse(stdout).findings;
  const about = (file: string) => findings.filter((f) => f.file === file && f.ruleId.startsWith('SRC-'));

  it('still finds the real problem beside the bad files, with no stack trace', () => {
    expect(findings.some((f) => f.ruleId === 'FS-02')).toBe(true);
    expect(code).toBe(1);
    expect(stderr).toBe('');
  });

  it.each([
    ['invalid.json', 'SRC-01', 4],
    ['invalid.yaml', 'SRC-01', undefined],
    ['empty.yaml', 'SRC-02', undefined],
    ['binary.json', 'SRC-01', undefined],
    ['huge.json', 'SRC-02', undefined],
    ['deep.json', 'SRC-01', undefined],
    ['bomb.yaml', 'SRC-01', undefined],
    ['broken.tf', 'SRC-01', 2],
  ])('reports %s as %s naming the file', (file, ruleId, line) => {
    const list = about(file);
    expect(list.map((f) => f.ruleId)).toEqual([ruleId]);
    expect(list[0].message).toContain(file);
    if (line !== undefined) expect(list[0].line).toBe(line);
  });

  it('the real problem is the only error, and the good files get no SRC finding', () => {
    expect(
      findings
        .filter((f) => (f as JsonFinding & { severity?: string }).severity === 'error')
        .map((f) => f.ruleId),
    ).toEqual(['FS-02']);
    const good = findings.filter(
      (f) => f.file === 'storageclass.yaml' || f.file === 'efs-file-system-policy.json',
    );
    expect(good.some((f) => f.ruleId.startsWith('SRC-'))).toBe(false);
  });

  it('a YAML indentation error is reported on its line', () => {
    const sub = mkdtempSync(path.join(tmpdir(), 'eni-bad-yaml-'));
    // Line 5 is indented one column less than its sibling key.
    writeFileSync(
      path.join(sub, 'sa.yaml'),
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: efs-csi-node-sa\n namespace: kube-system\n',
    );
    const result = runCli(['check', sub, '--format', 'json']);
    expect(result.stderr).toBe('');
    const list = (JSON.parse(result.stdout).findings as JsonFinding[]).filter((f) => f.file === 'sa.yaml');
    expect(list.map((f) => [f.ruleId, f.line])).toEqual([['SRC-01', 5]]);
  });
});
