import { nodeRoleName, parseDesiredSpec, parseDesiredSpecFile, SpecError } from './spec';

describe('the desired spec', () => {
  it('fills defaults: Pod Identity, the default node SA, write access, a role named after the cluster', () => {
    const spec = parseDesiredSpec({
      cluster: 'prod-eks',
      region: 'eu-west-1',
      fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718' }],
    });
    expect(spec).toMatchObject({
      mode: 'pod-identity',
      nodeServiceAccount: { namespace: 'kube-system', name: 'efs-csi-node-sa' },
      fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718', access: 'write', type: 'efs' }],
      adopt: false,
    });
    expect(nodeRoleName(spec)).toBe('prod-eks-efs-csi-node');
  });

  it.each([
    [
      { cluster: 'prod"; echo', region: 'eu-west-1', fileSystems: [{ id: 'fs-0a1b2c3d' }] },
      /cluster: an EKS cluster name/,
    ],
    [
      { cluster: 'prod', region: 'eu-west-1', fileSystems: [{ id: '*' }] },
      /fileSystems\.0\.id: a file system ID/,
    ],
    [
      { cluster: 'prod', region: 'eu-west-1', fileSystems: [{ id: 'fs-0a1b2c3d' }], roleName: 'a\nb' },
      /roleName/,
    ],
    [
      {
        cluster: 'prod',
        region: 'eu-west-1',
        fileSystems: [{ id: 'fs-0a1b2c3d' }],
        targetRoleArn: 'arn:aws:iam::*:role/x',
      },
      /targetRoleArn: an IAM role ARN/,
    ],
    [{ cluster: 'prod', region: 'eu-west-1', fileSystems: [] }, /at least one file system/],
    [
      { cluster: 'prod', region: 'eu-west-1', fileSystems: [{ id: 'fs-0a1b2c3d' }, { id: 'fs-0a1b2c3d' }] },
      /listed twice/,
    ],
    [
      {
        cluster: 'prod',
        region: 'eu-west-1',
        mode: 'irsa',
        fileSystems: [{ id: 'fs-0a1b2c3d' }],
        targetRoleArn: 'arn:aws:iam::111122223333:role/x',
      },
      /only with mode pod-identity/,
    ],
  ])('refuses hostile or malformed input before any use (%#)', (input, message) => {
    expect(() => parseDesiredSpec(input)).toThrow(SpecError);
    expect(() => parseDesiredSpec(input)).toThrow(message);
  });

  it('names the file, line and field of a bad spec file', () => {
    const text =
      'cluster: prod\nregion: eu-west-1\nfileSystems:\n  - id: fs-0a1b2c3d\n    access: everything\n';
    expect(() => parseDesiredSpecFile(text, 'spec.yaml')).toThrow(/^spec\.yaml:5: fileSystems\.0\.access: /);
  });

  it.each([
    [
      'at the top',
      'cluster: prod\nregion: eu-west-1\n__proto__:\n  roleName: x\nfileSystems:\n  - id: fs-0a1b2c3d\n',
      3,
    ],
    [
      'in a file system',
      'cluster: prod\nregion: eu-west-1\nfileSystems:\n  - id: fs-0a1b2c3d\n    __proto__: {}\n',
      5,
    ],
    [
      'in JSON',
      '{"cluster": "prod", "region": "eu-west-1",\n "fileSystems": [{"id": "fs-0a1b2c3d"}],\n "__proto__": {}}',
      3,
    ],
  ])('refuses a __proto__ key %s, naming its line, instead of ignoring it', (_where, text, line) => {
    expect(() => parseDesiredSpecFile(text, 'spec.yaml')).toThrow(
      new RegExp(`^spec\\.yaml:${line}: __proto__: not a field of the spec`),
    );
  });

  it.each([
    [
      'arn:aws-cn:iam::444455556666:role/x',
      'eu-west-1',
      /partition aws-cn, but eu-west-1 is in partition aws/,
    ],
    ['arn:aws-us-gov:iam::444455556666:role/x', 'eu-west-1', /partition aws-us-gov/],
    [
      'arn:aws:iam::444455556666:role/x',
      'cn-north-1',
      /partition aws, but cn-north-1 is in partition aws-cn/,
    ],
  ])('refuses a target role %s for a cluster in %s, naming the field', (arn, region, message) => {
    expect(() =>
      parseDesiredSpec({
        cluster: 'prod-eks',
        region,
        fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718' }],
        targetRoleArn: arn,
      }),
    ).toThrow(message);
    expect(() =>
      parseDesiredSpec({
        cluster: 'prod-eks',
        region,
        fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718' }],
        targetRoleArn: arn,
      }),
    ).toThrow(/targetRoleArn/);
  });

  it('accepts a target role of the same partition (aws-cn in cn-north-1)', () => {
    expect(
      parseDesiredSpec({
        cluster: 'prod-eks',
        region: 'cn-north-1',
        fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718' }],
        targetRoleArn: 'arn:aws-cn:iam::444455556666:role/x',
      }).targetRoleArn,
    ).toBe('arn:aws-cn:iam::444455556666:role/x');
  });
});
