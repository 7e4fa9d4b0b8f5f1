import { checkFixture, only } from './testing';

describe('NI-04', () => {
  it('warns about AmazonElasticFileSystemClientFullAccess on the node role', async () => {
    const findings = only(await checkFixture('NI-04/fires-client-full-access'), 'NI-04');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', origin: { file: 'node-role.yaml', line: 4 } });
    expect(findings[0].message).toContain(
      'AmazonElasticFileSystemClientFullAccess, which allows ClientMount, ClientWrite, ClientRootAccess on every file system',
    );
    expect(findings[0].fix).toContain(
      'aws iam detach-role-policy --role-name efs-csi-node-dedicated --policy-arn arn:aws:iam::aws:policy/AmazonElasticFileSystemClientFullAccess',
    );
  });

  it('does not flag AmazonElasticFileSystemsUtils', async () => {
    expect(only(await checkFixture('NI-04/passes-utils-only'), 'NI-04')).toEqual([]);
  });
});
