import { fileOrigin } from '../model/origin';
import { AD03 } from './AD-03-addon-not-healthy';
import { checkLive, EFS_ADDON_ARN, healthyLiveSnapshot } from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [AD03]);

describe('AD-03', () => {
  it('flags a DEGRADED add-on with its health issues, version and update time', () => {
    const s = healthyLiveSnapshot();
    s.addons[0].status = 'DEGRADED';
    s.addons[0].healthIssues = [
      'InsufficientNumberOfReplicas: The add-on is unhealthy because it does not have the desired number of replicas.',
    ];
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: EFS_ADDON_ARN,
      origin: { kind: 'aws', arn: EFS_ADDON_ARN },
    });
    expect(findings[0].message).toContain(
      'add-on aws-efs-csi-driver v3.4.1-eksbuild.1 of cluster prod is DEGRADED with health issues: InsufficientNumberOfReplicas',
    );
    expect(findings[0].message).toContain('(last updated 2026-06-02T10:15:00Z)');
    expect(findings[0].fix).toContain(
      'aws eks describe-addon --cluster-name prod --addon-name aws-efs-csi-driver',
    );
  });

  it('flags a failed update, and health issues on an ACTIVE add-on', () => {
    const failed = healthyLiveSnapshot();
    failed.addons[0].status = 'UPDATE_FAILED';
    expect(run(failed)[0].message).toContain('is UPDATE_FAILED (last updated');
    const issues = healthyLiveSnapshot();
    issues.addons[0].healthIssues = ['ConfigurationConflict: Conflicts found when trying to apply.'];
    expect(run(issues)).toHaveLength(1);
  });

  it('stays silent for an ACTIVE add-on, another add-on, and an add-on from files (no status)', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
    const other = healthyLiveSnapshot();
    other.addons[1].status = 'DEGRADED';
    expect(run(other)).toEqual([]);
    const fromFiles = healthyLiveSnapshot();
    fromFiles.addons[0] = {
      name: 'aws-efs-csi-driver',
      version: 'v3.4.1-eksbuild.1',
      origin: fileOrigin('cluster.yaml', 12),
    };
    expect(run(fromFiles)).toEqual([]);
  });
});
