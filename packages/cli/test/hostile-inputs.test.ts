import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from './run-cli';

/**
 * Hostile input at the CLI's front door that needs no AWS account to be refused (docs/security/hostile-inputs.md):
 * every case exits 2 before any call, with a message that names the input and carries no escape sequence.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('hostile input at the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eni-hostile-'));
  const journal = (content: unknown) => {
    const file = path.join(dir, `journal-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const header = {
    version: 1,
    tool: 'efs-node-identity',
    cluster: 'prod-eks',
    account: '111122223333',
    region: 'eu-west-1',
  };

  // Found while listing the front doors: an entry without `undo` failed with "internal error: Cannot read properties
  // of undefined (reading 'kind')", and a title with escape sequences was printed to the terminal as it was.
  it.each([
    ['an entry without undo', { ...header, entries: [{ title: 'x' }] }, /entry 1: no undo/],
    [
      'an undo that deletes a role named *',
      {
        ...header,
        entries: [{ title: 'x', undo: { kind: 'delete-role', account: '111122223333', roleName: '*' } }],
      },
      /entry 1: undo.roleName is not one apply writes/,
    ],
    [
      'an undo in an account that is not one',
      {
        ...header,
        entries: [{ title: 'x', undo: { kind: 'delete-role', account: '1; rm -rf /', roleName: 'r' } }],
      },
      /entry 1: undo.account/,
    ],
    [
      'an undo of a kind apply never writes',
      { ...header, entries: [{ title: 'x', undo: { kind: '__proto__' } }] },
      /entry 1: no undo this version of apply writes/,
    ],
    [
      'a file system that is not one, with escape sequences in the title',
      {
        ...header,
        entries: [
          {
            title: '\u001b[2J\u001b]0;owned\u0007merge',
            undo: {
              kind: 'unmerge-file-system-policy',
              account: '111122223333',
              fileSystemId: '../../x',
              sid: 'S',
              previousStatement: null,
            },
          },
        ],
      },
      /entry 1: undo.fileSystemId/,
    ],
    [
      'a cluster name with a quote',
      { ...header, cluster: 'prod"eks', entries: [] },
      /cluster: not an EKS cluster name/,
    ],
    ['not JSON', '{"version":1,', /--journal/],
  ])('rollback refuses a journal with %s, exit 2, nothing printed raw', (_label, content, message) => {
    const result = runCli(['rollback', '--journal', journal(content), '--yes'], {
      env: { AWS_REGION: 'eu-west-1' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|TypeError/);
    expect(result.stdout + result.stderr).not.toMatch(CONTROL);
  });

  it('escape sequences in a path or a flag do not reach the terminal', () => {
    for (const args of [
      ['check', path.join(dir, 'no\u001b[31msuch\u001b]0;x\u0007')],
      ['render', '--cluster', 'prod\u001b[2J', '--region', 'eu-west-1', '--file-system', 'fs-0a1b2c3d'],
      ['\u001b[31mnope'],
    ]) {
      const result = runCli(args);
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).not.toMatch(CONTROL);
    }
  });

  it('a value of 100,000 characters is refused with a message of bounded size', () => {
    const result = runCli([
      'render',
      '--cluster',
      'a'.repeat(100_000),
      '--region',
      'eu-west-1',
      '--file-system',
      'fs-0a1b2c3d',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.length).toBeLessThan(2_000);
  });

  it('a target role of another partition than the cluster is refused, naming the field', () => {
    const result = runCli([
      'render',
      '--cluster',
      'prod-eks',
      '--region',
      'eu-west-1',
      '--file-system',
      'fs-0a1b2c3d',
      '--target-role-arn',
      'arn:aws-cn:iam::444455556666:role/x',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /targetRoleArn: a role in partition aws-cn, but eu-west-1 is in partition aws/,
    );
  });
});
