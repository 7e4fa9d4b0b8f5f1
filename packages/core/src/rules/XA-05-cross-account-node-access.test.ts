import { checkFixture, only } from './testing';

describe('XA-05', () => {
  it('flags a foreign file system whose policy does not Allow the node role', async () => {
    const findings = only(await checkFixture('XA-05/fires-fs-policy'), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'fs-07e1a2b3c4d5e6f70',
      origin: { file: 'fs-policy.json', line: 1 },
    });
    expect(findings[0].message).toMatch(
      /account 444455556666.*the file system policy \(fs-policy\.json:1\) has no Allow for the role/,
    );
    expect(findings[0].fix).toContain('"AWS": "arn:aws:iam::210987654321:role/efs-csi-node-dedicated"');
  });

  it('flags an identity policy scoped to another file system', async () => {
    const findings = only(await checkFixture('XA-05/fires-identity'), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      /no identity policy of the role allows elasticfilesystem:ClientMount/,
    );
    expect(findings[0].fix).toContain(
      'arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system/fs-07e1a2b3c4d5e6f70',
    );
  });

  it('stays silent when both sides allow the node role', async () => {
    expect(only(await checkFixture('XA-05/passes'), 'XA-05')).toEqual([]);
  });
});
