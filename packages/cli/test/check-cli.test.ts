import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli, SHARED_FIXTURES } from './run-cli';

function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'eni-check-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const CROSSACCOUNT_SC = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-sc
provisioner: efs.csi.aws.com
mountOptions:
  - tls
  - iam
  - crossaccount
parameters:
  provisioningMode: efs-ap
  fileSystemId: fs-0c492f870b90c1c9a
`;

describe('efs-node-identity check', () => {
  it('prints help and the version', () => {
    expect(runCli(['--help']).stdout).toMatch(/Usage: efs-node-identity <command>/);
    expect(runCli(['check', '--help']).stdout).toMatch(/--fail-on error\|warning\|never/);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a message on a bad flag, a bad format and a missing path', () => {
    const badFlag = runCli(['check', '--nope']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--nope'/);
    const badFormat = runCli(['check', '.', '--format', 'xml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be one of text, json, sarif, markdown/);
    const missing = runCli(['check', '/nonexistent/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory: \/nonexistent\/dir/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails on warnings only with --fail-on warning', () => {
    const dir = `${SHARED_FIXTURES}/seed-corrected-policy`;
    expect(runCli(['check', dir, '--format', 'json']).code).toBe(0);
    expect(runCli(['check', dir, '--format', 'json', '--fail-on', 'warning']).code).toBe(1);
    expect(
      runCli(['check', `${SHARED_FIXTURES}/seed-deny-only`, '--format', 'json', '--fail-on', 'never']).code,
    ).toBe(0);
  });

  it('prints text with the rule, the location and the fix', () => {
    const { stdout } = runCli(['check', `${SHARED_FIXTURES}/blog-cross-account`, '--format', 'text']);
    expect(stdout).toMatch(/error\s+K8-03 sc\.yaml:9/);
    expect(stdout).toMatch(/fix: Remove `crossaccount`/);
    expect(stdout).toMatch(/\d+ errors?, \d+ warnings?, \d+ info in 4 files/);
  });

  it('prints SARIF 2.1.0 with rule help and fingerprints that are stable across runs and line shifts', () => {
    const dir = tempRepo({ 'sc.yaml': CROSSACCOUNT_SC });
    const first = JSON.parse(runCli(['check', dir, '--format', 'sarif']).stdout);
    expect(first.version).toBe('2.1.0');
    const run = first.runs[0];
    const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'K8-03');
    expect(rule.help.text).toMatch(/docs\/rules\/K8-03\.md/);
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'K8-03');
    expect(result.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: 'sc.yaml' },
      region: { startLine: 9 },
    });
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('K8-03');
    // The same problem two lines further down keeps its fingerprint.
    writeFileSync(path.join(dir, 'sc.yaml'), `# comment\n# another\n${CROSSACCOUNT_SC}`);
    const second = JSON.parse(runCli(['check', dir, '--format', 'sarif']).stdout).runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === 'K8-03',
    );
    expect(second.locations[0].physicalLocation.region.startLine).toBe(11);
    expect(second.partialFingerprints).toEqual(result.partialFingerprints);
  });

  it('prints Markdown with escaped cells', () => {
    const { stdout } = runCli(['check', `${SHARED_FIXTURES}/blog-cross-account`, '--format', 'markdown']);
    expect(stdout).toMatch(/\| ❌ error \| \[K8-03\]\(docs\/rules\/K8-03\.md\) \| sc\.yaml:9 \|/);
    expect(stdout).toContain('\\`crossaccount\\`');
  });

  it('honours an inline suppression with a reason and reports an expired one', () => {
    const suppressed = CROSSACCOUNT_SC.replace(
      '  - crossaccount',
      '  # efs-node-identity:ignore K8-03 reason="driver v2 until the upgrade" until=2099-01-31\n  - crossaccount',
    );
    const ok = JSON.parse(runCli(['check', tempRepo({ 'sc.yaml': suppressed }), '--format', 'json']).stdout);
    expect(ok.findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('K8-03');
    expect(ok.suppressed[0]).toMatchObject({
      ruleId: 'K8-03',
      suppression: { reason: 'driver v2 until the upgrade' },
    });

    const expired = JSON.parse(
      runCli([
        'check',
        tempRepo({ 'sc.yaml': suppressed.replace('2099-01-31', '2020-01-31') }),
        '--format',
        'json',
      ]).stdout,
    );
    expect(expired.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(
      expect.arrayContaining(['K8-03', 'SRC-03']),
    );
    expect(expired.findings.find((f: { ruleId: string }) => f.ruleId === 'SRC-03').message).toMatch(
      /expired on 2020-01-31/,
    );
  });

  it('refuses a suppression without a reason', () => {
    const noReason = CROSSACCOUNT_SC.replace(
      '  - crossaccount',
      '  - crossaccount # efs-node-identity:ignore K8-03',
    );
    const out = JSON.parse(runCli(['check', tempRepo({ 'sc.yaml': noReason }), '--format', 'json']).stdout);
    expect(out.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(
      expect.arrayContaining(['K8-03', 'SRC-03']),
    );
    expect(out.findings.find((f: { ruleId: string }) => f.ruleId === 'SRC-03').message).toMatch(
      /has no reason/,
    );
  });

  it('reads .efs-node-identity.yaml: suppressions by resource and severity overrides', () => {
    const dir = tempRepo({ 'sc.yaml': CROSSACCOUNT_SC });
    cpSync(`${SHARED_FIXTURES}/seed-corrected-policy`, dir, { recursive: true });
    writeFileSync(
      path.join(dir, '.efs-node-identity.yaml'),
      'severities:\n  FS-05: off\nsuppressions:\n  - rule: K8-03\n    resource: StorageClass/efs-sc\n    reason: migrating\n    until: 2099-12-31\n',
    );
    const out = JSON.parse(runCli(['check', dir, '--format', 'json']).stdout);
    const ids = out.findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ids).not.toContain('K8-03');
    expect(ids).not.toContain('FS-05');
    expect(ids).toContain('FS-04');
    expect(out.summary.suppressed).toBe(1);
  });

  it('names the file, line and setting of an invalid config file', () => {
    const dir = tempRepo({
      'sc.yaml': CROSSACCOUNT_SC,
      '.efs-node-identity.yaml': 'efsPolicySemantics: lenient\n',
    });
    const { code, stderr } = runCli(['check', dir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\.efs-node-identity\.yaml:1: efsPolicySemantics: /);
  });
});
