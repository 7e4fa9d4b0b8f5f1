import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli, SHARED_FIXTURES } from './run-cli';

const FS_ARN = 'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7';
const ROLE = 'arn:aws:iam::210987654321:role/efs-csi-node-dedicated';

describe('efs-node-identity simulate', () => {
  it('denies the node role on the Deny-only policy and says which rule of evaluation decides', () => {
    const { code, stdout } = runCli([
      'simulate',
      '--principal',
      ROLE,
      '--file-system',
      FS_ARN,
      '--file-system-policy',
      `${SHARED_FIXTURES}/seed-deny-only/efs-file-system-policy.json`,
    ]);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('implicitDeny');
    expect(stdout).toMatch(/strict semantics: the file system policy must explicitly Allow the principal/);
  });

  it('allows the node role on the corrected policy, naming the statement that allows', () => {
    const { code, stdout } = runCli([
      'simulate',
      '--principal',
      ROLE,
      '--file-system',
      FS_ARN,
      '--file-system-policy',
      `${SHARED_FIXTURES}/seed-corrected-policy/efs-file-system-policy.json`,
    ]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('allow');
    expect(stdout).toMatch(/statement `AllowEFSCSINodeRole` allows/);
  });

  it("denies a mount without TLS through the corrected policy's Deny", () => {
    const { stdout } = runCli([
      'simulate',
      '--principal',
      ROLE,
      '--file-system',
      FS_ARN,
      '--mount-options',
      'iam',
      '--file-system-policy',
      `${SHARED_FIXTURES}/seed-corrected-policy/efs-file-system-policy.json`,
    ]);
    expect(stdout.split('\n')[0]).toBe('explicitDeny');
    expect(stdout).toMatch(/aws:SecureTransport: "false" matches false/);
  });

  it('answers JSON lines in order, with an error line for a bad question', () => {
    const fsPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'elasticfilesystem:ClientMount' }],
    };
    const identity = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'elasticfilesystem:Client*', Resource: FS_ARN }],
    };
    const lines = [
      {
        principal: ROLE,
        action: 'elasticfilesystem:ClientMount',
        fileSystem: FS_ARN,
        identityPolicies: [],
        fileSystemPolicy: fsPolicy,
        mountOptions: ['tls', 'iam'],
      },
      {
        principal: ROLE,
        action: 'elasticfilesystem:ClientWrite',
        fileSystem: FS_ARN,
        identityPolicies: [identity],
        fileSystemPolicy: fsPolicy,
        mountOptions: ['tls', 'iam'],
      },
      {
        principal: ROLE,
        action: 'elasticfilesystem:ClientWrite',
        fileSystem: FS_ARN,
        identityPolicies: [identity],
        fileSystemPolicy: fsPolicy,
        mountOptions: ['tls', 'iam'],
        semantics: 'documented',
      },
      {
        principal: ROLE,
        action: 'elasticfilesystem:ClientMount',
        fileSystem: FS_ARN,
        fileSystemPolicy: null,
        mountOptions: ['tls'],
      },
      { principal: 'not-an-arn', action: 'elasticfilesystem:ClientMount', fileSystem: FS_ARN },
    ].map((l) => JSON.stringify(l));
    const dir = mkdtempSync(path.join(tmpdir(), 'eni-sim-'));
    writeFileSync(path.join(dir, 'cases.jsonl'), [...lines, '{broken'].join('\n'));
    const { code, stdout } = runCli(['simulate', '--cases', path.join(dir, 'cases.jsonl')]);
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.decision ?? 'error')).toEqual([
      'allow',
      'implicitDeny',
      'allow',
      'allow',
      'error',
      'error',
    ]);
    expect(answers[4].error).toMatch(/^line 5: principal: an IAM role ARN/);
    expect(answers[5].error).toMatch(/^line 6: not valid JSON/);
    expect(code).toBe(2);
  });

  it('refuses an ARN in the wrong field even after it was accepted in the right one (validated ARNs are per field)', () => {
    const good = {
      principal: ROLE,
      action: 'elasticfilesystem:ClientMount',
      fileSystem: FS_ARN,
      fileSystemPolicy: null,
    };
    const input = [good, { ...good, fileSystem: ROLE }, { ...good, principal: FS_ARN }]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const { code, stdout } = runCli(['simulate', '--cases', '-'], { input });
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { decision?: string; error?: string });
    expect(answers[0].decision).toBe('allow');
    expect(answers[1].error).toMatch(/^line 2: fileSystem: a file system ARN/);
    expect(answers[2].error).toMatch(/^line 3: principal: an IAM role ARN/);
    expect(code).toBe(2);
  });

  it('reads questions from stdin with --cases -', () => {
    const line = JSON.stringify({
      principal: ROLE,
      action: 'elasticfilesystem:ClientMount',
      fileSystem: FS_ARN,
      fileSystemPolicy: null,
    });
    const { code, stdout } = runCli(['simulate', '--cases', '-'], { input: `${line}\n${line}\n` });
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(2);
  });
});
