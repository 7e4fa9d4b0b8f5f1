import { normalizePolicy } from '../policy/normalize';
import { FS06 } from './FS-06-unique-id-principal';
import { aws, checkLive, FS_ARN, FS_ID, healthyLiveSnapshot, NODE_ROLE_ARN } from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [FS06]);
const withPrincipal = (principal: string, effect = 'Allow') => {
  const s = healthyLiveSnapshot();
  const raw = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EfsCsiNode-prod',
        Effect: effect,
        Principal: { AWS: principal },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: FS_ARN,
      },
    ],
  };
  s.fileSystems[0].policy = normalizePolicy(raw, aws(FS_ARN));
  return s;
};

describe('FS-06', () => {
  it('flags a role unique ID in the policy, naming the statement and the node role that is locked out', () => {
    const findings = run(withPrincipal('AROAEXAMPLEID1234567'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: FS_ID,
      origin: { kind: 'aws', arn: FS_ARN },
    });
    expect(findings[0].message).toContain(
      `the file system policy of ${FS_ID}: Allow statement \`EfsCsiNode-prod\` names the role unique ID AROAEXAMPLEID1234567 instead of an ARN`,
    );
    expect(findings[0].message).toContain(`${NODE_ROLE_ARN} now gets "access denied by server"`);
    expect(findings[0].fix).toContain(`replace "AROAEXAMPLEID1234567" with "${NODE_ROLE_ARN}"`);
    expect(findings[0].fix).toContain(
      `aws efs put-file-system-policy --file-system-id ${FS_ID} --policy file://current.json`,
    );
  });

  it('flags a user unique ID, in a Deny too', () => {
    const findings = run(withPrincipal('AIDAEXAMPLEUSER12345', 'Deny'));
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('names the user unique ID AIDAEXAMPLEUSER12345');
    expect(findings[0].message).toContain('a Deny on a deleted principal no longer applies');
  });

  it('stays silent for ARNs, account IDs and "*"', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
    expect(run(withPrincipal(NODE_ROLE_ARN))).toEqual([]);
    expect(run(withPrincipal('111122223333'))).toEqual([]);
    expect(run(withPrincipal('*'))).toEqual([]);
  });
});
