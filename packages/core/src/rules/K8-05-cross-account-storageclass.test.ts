import { checkFixture, only } from './testing';

describe('K8-05', () => {
  it("flags a StorageClass on another account's file system without a provisioner secret", async () => {
    const findings = only(await checkFixture('K8-05/fires-no-secret'), 'K8-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'StorageClass/efs-xacct',
      origin: { file: 'storageclass.yaml', line: 1 },
    });
    expect(findings[0].message).toMatch(/account 444455556666, the cluster in 210987654321/);
  });

  it('flags a secret whose role is not in the file system account and whose crossaccount is not a boolean', async () => {
    const findings = only(await checkFixture('K8-05/fires-secret-values'), 'K8-05');
    expect(findings).toHaveLength(2);
    // Each finding points at its own key of the Secret.
    expect(findings.map((f) => f.origin)).toEqual([
      { kind: 'file', file: 'secret.yaml', line: 8 },
      { kind: 'file', file: 'secret.yaml', line: 9 },
    ]);
    expect(findings.some((f) => /in account 210987654321, but file system/.test(f.message))).toBe(true);
    expect(findings.some((f) => /must have boolean value/.test(f.message))).toBe(true);
  });

  it('flags a secret name without its namespace', async () => {
    const findings = only(await checkFixture('K8-05/fires-missing-namespace'), 'K8-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ origin: { file: 'storageclass.yaml', line: 12 } });
  });

  it('accepts a secret with a role in the file system account', async () => {
    expect(only(await checkFixture('K8-05/passes'), 'K8-05')).toEqual([]);
  });
});
