import { unknown } from '../model/unknown';
import { IR01 } from './IR-01-oidc-provider';
import {
  CLUSTER_ARN,
  checkLive,
  healthyIrsaSnapshot,
  healthyLiveSnapshot,
  ISSUER_HOST,
  OIDC_PROVIDER_ARN,
} from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [IR01]);

describe('IR-01', () => {
  it("flags a missing IAM OIDC provider for the cluster's issuer, with the create command", () => {
    const s = healthyIrsaSnapshot();
    s.oidcProviders = [];
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: CLUSTER_ARN,
      origin: { kind: 'aws', arn: CLUSTER_ARN },
    });
    expect(findings[0].message).toContain(
      `account 111122223333 has no IAM OIDC provider for the issuer https://${ISSUER_HOST} of cluster prod`,
    );
    expect(findings[0].fix).toContain(
      `aws iam create-open-id-connect-provider --url https://${ISSUER_HOST} --client-id-list sts.amazonaws.com`,
    );
  });

  it('flags a provider of another issuer or another account as missing', () => {
    const other = healthyIrsaSnapshot();
    other.oidcProviders[0].url = 'oidc.eks.eu-west-1.amazonaws.com/id/0000000000000000000000000000AAAA';
    expect(run(other)).toHaveLength(1);
    const foreign = healthyIrsaSnapshot();
    foreign.oidcProviders[0].arn = `arn:aws:iam::444455556666:oidc-provider/${ISSUER_HOST}`;
    expect(run(foreign)).toHaveLength(1);
  });

  it('flags a provider without the sts.amazonaws.com audience, with the add-client-id command', () => {
    const s = healthyIrsaSnapshot();
    s.oidcProviders[0].clientIds = ['kubernetes'];
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0].origin).toEqual({ kind: 'aws', arn: OIDC_PROVIDER_ARN });
    expect(findings[0].message).toContain(
      `the IAM OIDC provider ${OIDC_PROVIDER_ARN} for cluster prod lists the client IDs kubernetes but not sts.amazonaws.com`,
    );
    expect(findings[0].fix).toBe(
      `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${OIDC_PROVIDER_ARN} --client-id sts.amazonaws.com`,
    );
  });

  it('matches the issuer without https://, a trailing slash or the host case', () => {
    const s = healthyIrsaSnapshot();
    s.clusters[0].oidcIssuer = `https://${ISSUER_HOST.replace('oidc.eks', 'OIDC.EKS')}/`;
    expect(run(s)).toEqual([]);
  });

  it('is undecidable when the issuer is unknown', () => {
    const s = healthyIrsaSnapshot();
    s.clusters[0].oidcIssuer = unknown('aws_eks_cluster.prod.identity[0].oidc[0].issuer');
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
  });

  it('stays silent when the node SA does not use IRSA', () => {
    const s = healthyLiveSnapshot();
    expect(s.oidcProviders).toEqual([]);
    expect(run(s)).toEqual([]);
  });
});
