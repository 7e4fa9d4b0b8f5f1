import { spawnSync } from 'node:child_process';
import { REPO_ROOT, runCli, SHARED_FIXTURES } from './run-cli';

interface JsonFinding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
}

function check(dir: string): { code: number | null; findings: JsonFinding[] } {
  const { code, stdout, stderr } = runCli(['check', `${SHARED_FIXTURES}/${dir}`, '--format', 'json']);
  expect(stderr).toBe('');
  return { code, findings: JSON.parse(stdout).findings };
}

const ids = (findings: JsonFinding[], severity?: string) =>
  findings.filter((f) => !severity || f.severity === severity).map((f) => f.ruleId);

// The verdicts ../shared/fixtures/README.md states for each example tree.
describe('the shared example trees get the verdicts their README states', () => {
  it('seed-deny-only: FS-02 (error)', () => {
    const { code, findings } = check('seed-deny-only');
    expect(ids(findings, 'error')).toEqual(['FS-02']);
    expect(findings[0]).toMatchObject({ file: 'efs-file-system-policy.json' });
    expect(code).toBe(1);
  });

  it('seed-corrected-policy: no error; FS-04 warning for aws:PrincipalArn; FS-05/FS-08 may warn', () => {
    const { code, findings } = check('seed-corrected-policy');
    expect(ids(findings, 'error')).toEqual([]);
    expect(ids(findings, 'warning')).toContain('FS-04');
    expect(ids(findings).every((id) => ['FS-04', 'FS-05', 'FS-08'].includes(id))).toBe(true);
    expect(code).toBe(0);
  });

  it('blog-cross-account: K8-03 (error) on the crossaccount mount option line', () => {
    const { code, findings } = check('blog-cross-account');
    expect(ids(findings, 'error')).toContain('K8-03');
    expect(findings.find((f) => f.ruleId === 'K8-03')).toMatchObject({ file: 'sc.yaml', line: 9 });
    expect(code).toBe(1);
  });

  it('irsa-guide-correct: no error', () => {
    const { code, findings } = check('irsa-guide-correct');
    expect(ids(findings, 'error')).toEqual([]);
    expect(code).toBe(0);
  });

  it('irsa-guide-https-prefix: IR-03 (error)', () => {
    const { code, findings } = check('irsa-guide-https-prefix');
    expect(ids(findings, 'error')).toEqual(['IR-03']);
    expect(code).toBe(1);
  });
});

describe('the command from the repository root', () => {
  it('is linked by npm so that `npx efs-node-identity` runs it', () => {
    const result = spawnSync('npx', ['--no-install', 'efs-node-identity', '--version'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
