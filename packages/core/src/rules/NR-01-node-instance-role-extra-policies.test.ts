import { defaultConfig } from '../config/config';
import { checkFixture, only } from './testing';

describe('NR-01', () => {
  it('flags a node instance role with a managed policy beyond the worker node baseline', async () => {
    const findings = only(await checkFixture('NR-01/fires'), 'NR-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', origin: { file: 'nodegroup.yaml', line: 4 } });
    expect(findings[0].message).toContain('managed policy AmazonS3FullAccess');
  });

  it('honours allowlists.nodeInstanceRolePolicies', async () => {
    const config = defaultConfig();
    config.allowlists.nodeInstanceRolePolicies.push('arn:aws:iam::aws:policy/AmazonS3FullAccess');
    expect(only(await checkFixture('NR-01/fires', config), 'NR-01')).toEqual([]);
  });

  it('stays silent for the baseline policies', async () => {
    expect(only(await checkFixture('NR-01/passes'), 'NR-01')).toEqual([]);
  });
});
