import { MOUNT_STATE_COMMAND, printable, STATE_FILE_READ_LIMIT } from '../model/node-inspection';
import {
  commandOutput,
  fixtureFile,
  INSTANCE_ROLE_STATE_FILE,
  pluginLog,
  POD_IDENTITY_STATE_FILE,
} from '../rules/node-inspection-testing';
import { credentialsSource, parseMountStateOutput, parsePluginLog } from './node-inspection';

const pod = { namespace: 'kube-system', name: 'efs-csi-node-7xk2p' };
const ESC = '\u001b';

describe('parseMountStateOutput', () => {
  it('reads every state file: file system, access point, credentials, mount time, PV and pod UID', () => {
    const output = commandOutput([
      fixtureFile(POD_IDENTITY_STATE_FILE),
      fixtureFile(INSTANCE_ROLE_STATE_FILE),
    ]);
    const { mounts, problems } = parseMountStateOutput(output, pod);
    expect(problems).toEqual([]);
    expect(mounts).toHaveLength(2);
    expect(mounts[0]).toMatchObject({
      stateFile: POD_IDENTITY_STATE_FILE,
      fileSystemId: 'fs-0123456789abcdef0',
      accessPointId: 'fsap-0a1b2c3d4e5f60718',
      region: 'eu-west-1',
      mountedAt: '2026-06-02T10:21:40.520Z',
      persistentVolume: 'orders-data-pv',
      applicationPodUid: '3f1c2a7e-8b4d-4e6f-9a10-2b3c4d5e6f70',
      credentials: {
        kind: 'pod-identity',
        uri: 'http://169.254.170.23/v1/credentials',
        tokenFile: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      },
      origin: {
        kind: 'k8s',
        ref: `Pod/kube-system/efs-csi-node-7xk2p:/var/run/efs/${POD_IDENTITY_STATE_FILE}`,
      },
    });
    expect(mounts[1]).toMatchObject({
      persistentVolume: 'reports-pv',
      credentials: { kind: 'instance-role' },
    });
  });

  it('reports a malformed file and keeps reading the next one', () => {
    const output = commandOutput([
      { name: 'fs-0123456789abcdef0.mnt.broken.20051', content: '{"mountpoint": "/mnt/broken", ' },
      { name: 'fs-0123456789abcdef0.mnt.list.20052', content: '[1, 2]' },
      fixtureFile(INSTANCE_ROLE_STATE_FILE),
    ]);
    const { mounts, problems } = parseMountStateOutput(output, pod);
    expect(mounts.map((m) => m.persistentVolume)).toEqual(['reports-pv']);
    expect(problems).toEqual([
      expect.objectContaining({
        subject: 'fs-0123456789abcdef0.mnt.broken.20051',
        message: expect.stringContaining('not JSON'),
      }),
      { part: 'state-files', subject: 'fs-0123456789abcdef0.mnt.list.20052', message: 'not a JSON object' },
    ]);
  });

  it('bounds a 10 MB state file: reported as oversized, never parsed, the next file still read', () => {
    // The command prints the real size and at most STATE_FILE_READ_LIMIT bytes (head -c).
    const huge = { size: 10 * 1024 * 1024, head: Buffer.alloc(STATE_FILE_READ_LIMIT, 0x41) };
    const output = Buffer.concat([
      Buffer.from(`file ${huge.size} fs-0123456789abcdef0.mnt.huge.20053\n`),
      huge.head,
      Buffer.from('\n'),
      commandOutput([fixtureFile(POD_IDENTITY_STATE_FILE)]),
    ]);
    const { mounts, problems } = parseMountStateOutput(output, pod);
    expect(mounts).toHaveLength(1);
    expect(problems).toEqual([
      {
        part: 'state-files',
        subject: 'fs-0123456789abcdef0.mnt.huge.20053',
        message: `10485760 bytes, more than the ${STATE_FILE_READ_LIMIT} read: not a state file efs-utils writes; ignored`,
      },
    ]);
  });

  it('keeps no escape sequence from a hostile file name or field', () => {
    const hostile = `${ESC}]0;owned${String.fromCharCode(7)}${ESC}[2J${ESC}[31m/mnt/x\r`;
    const output = commandOutput([
      {
        name: `fs-0123456789abcdef0.${ESC}[31mred.20054`,
        content: JSON.stringify({
          mountpoint: hostile,
          awsCredentialsMethod: `metadata:${ESC}[0m`,
          mount_time: 1,
        }),
      },
    ]);
    const { mounts } = parseMountStateOutput(output, pod);
    const text = JSON.stringify(mounts);
    expect(text).not.toContain('\\u001b');
    expect(mounts[0]).toMatchObject({ stateFile: 'fs-0123456789abcdef0.red.20054', mountpoint: '/mnt/x?' });
    expect(mounts[0]!.credentials).toEqual({ kind: 'instance-role' });
  });

  it('reports output cut at the read limit and output that is not the command format', () => {
    const full = commandOutput([fixtureFile(POD_IDENTITY_STATE_FILE), fixtureFile(INSTANCE_ROLE_STATE_FILE)]);
    const cut = parseMountStateOutput(full.subarray(0, full.length - 40), pod, true);
    expect(cut.mounts).toHaveLength(1);
    expect(cut.problems[0]!.message).toBe('not read: the output limit was reached before this file');
    const garbage = parseMountStateOutput(Buffer.from('sh: 1: head: not found\n'), pod);
    expect(garbage).toEqual({
      mounts: [],
      problems: [
        {
          part: 'state-files',
          subject: 'output',
          message: 'a header line is not `file <size> <name>`: the rest was not read',
        },
      ],
    });
  });

  it('reads nothing from an empty directory', () => {
    expect(parseMountStateOutput(Buffer.alloc(0), pod)).toEqual({ mounts: [], problems: [] });
  });
});

describe('credentialsSource', () => {
  it.each([
    [
      'webidentity:arn:aws:iam::111122223333:role/x,/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      {
        kind: 'web-identity',
        roleArn: 'arn:aws:iam::111122223333:role/x',
        tokenFile: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      },
    ],
    ['ecs:/v2/credentials/abc', { kind: 'ecs', uri: '/v2/credentials/abc' }],
    ['metadata:', { kind: 'instance-role' }],
    ['credentials:default', { kind: 'profile', source: 'credentials:default' }],
    ['named_profile:efs', { kind: 'profile', source: 'named_profile:efs' }],
    ['something-new', { kind: 'unrecognized', raw: 'something-new' }],
  ])('%s', (method, expected) => {
    expect(credentialsSource(method)).toEqual(expected);
  });

  it('is none without a method (a mount without iam)', () => {
    expect(credentialsSource(undefined)).toEqual({ kind: 'none' });
  });
});

describe('parsePluginLog', () => {
  it('keeps the failure lines with their kind and API server time', () => {
    const { events, problems } = parsePluginLog(pluginLog());
    expect(problems).toEqual([]);
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['access-denied', '2026-11-26T10:14:22.503Z'],
      ['credentials-not-found', '2026-11-26T10:20:05.000Z'],
      ['tls-required-for-iam', '2026-11-26T10:31:40.700Z'],
      ['mount-target-timeout', '2026-11-26T10:45:12.000Z'],
    ]);
    expect(events[0]!.line).toMatch(/^E1126 10:14:22\.502981 .*access denied by server/);
  });

  it('cuts a 10 MB line, strips escape sequences and reports both', () => {
    const hostile = `2026-11-26T10:00:00Z ${ESC}[2J${ESC}]0;pwned${String.fromCharCode(7)}mount.nfs4: access denied by server ${'x'.repeat(10 * 1024 * 1024)}`;
    const { events, problems } = parsePluginLog(`${hostile}\n`, true);
    expect(events).toHaveLength(1);
    expect(events[0]!.line.length).toBeLessThanOrEqual(401);
    expect(events[0]!.line).not.toContain(ESC);
    expect(events[0]!.line.startsWith('mount.nfs4: access denied by server')).toBe(true);
    expect(problems.map((p) => p.message)).toEqual([
      '1 line(s) longer than 4096 characters were cut before matching',
      'the log was cut at the read limit',
    ]);
  });
});

describe('printable', () => {
  it('removes CSI and OSC sequences, replaces control characters and bounds the length', () => {
    expect(printable(`a${ESC}[1;31mb${ESC}]8;;http://x${ESC}\\c\u0007d\u009b2Je\u202ef`)).toBe('abc?de?f');
    expect(printable('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('MOUNT_STATE_COMMAND', () => {
  it('is a fixed, read-only script over /var/run/efs', () => {
    expect(Object.isFrozen(MOUNT_STATE_COMMAND)).toBe(true);
    const script = MOUNT_STATE_COMMAND[2]!;
    expect(script).toContain('cd /var/run/efs');
    // No redirection into a file, no rm/mv/tee: the only `>` sends cd's error to /dev/null.
    expect(script.match(/>/g)).toEqual(['>']);
    expect(script).not.toMatch(/\b(rm|mv|tee|cp|touch|chmod|kill)\b/);
  });
});
