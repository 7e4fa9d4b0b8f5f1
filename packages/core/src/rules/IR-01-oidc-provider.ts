import type { OidcProvider } from '../model/snapshot';
import { isKnown, isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { irsaInUse } from './identity-support';

const AUDIENCE = 'sts.amazonaws.com';

/**
 * IR-01: with IRSA in use for the node SA, the cluster's OIDC issuer (Cluster.oidcIssuer, DescribeCluster) must be
 * an IAM OIDC provider of the cluster's account (Snapshot.oidcProviders, ListOpenIDConnectProviders: the URL is kept
 * without `https://`) whose client IDs include sts.amazonaws.com. Otherwise STS rejects the web identity token and
 * efs-utils falls back to the node instance role.
 */
export const IR01: Rule = {
  id: 'IR-01',
  severity: 'error',
  title: "No IAM OIDC provider for the cluster's issuer",
  requires: ['A'],
  check({ view, snapshot }) {
    if (!irsaInUse(view)) return [];
    const findings: RuleFinding[] = [];
    for (const cluster of snapshot.clusters) {
      if (cluster.oidcIssuer === undefined) continue;
      const name = isKnown(cluster.name) ? cluster.name : '<cluster>';
      const resource = isKnown(cluster.arn) ? cluster.arn : `cluster/${name}`;
      if (isUnknown(cluster.oidcIssuer)) {
        findings.push({
          message: `cannot tell whether cluster ${name} has an IAM OIDC provider: its issuer is ${cluster.oidcIssuer.expression}`,
          origin: cluster.origin,
          resource,
          undecidable: true,
        });
        continue;
      }
      const issuer = hostPath(cluster.oidcIssuer);
      const account = isKnown(cluster.accountId)
        ? cluster.accountId
        : isKnown(cluster.arn)
          ? cluster.arn.split(':')[4]
          : undefined;
      const inAccount = (p: OidcProvider) => !account || !isKnown(p.arn) || p.arn.split(':')[4] === account;
      const providers = snapshot.oidcProviders.filter(
        (p) => isKnown(p.url) && hostPath(p.url) === issuer && inAccount(p),
      );
      const create = `aws iam create-open-id-connect-provider --url https://${issuer} --client-id-list ${AUDIENCE}\n# or: eksctl utils associate-iam-oidc-provider --cluster ${name} --approve`;
      if (providers.length === 0) {
        if (snapshot.oidcProviders.some((p) => isUnknown(p.url))) {
          findings.push({
            message: `cannot tell whether an IAM OIDC provider exists for ${cluster.oidcIssuer}: a provider's URL is unknown`,
            origin: cluster.origin,
            resource,
            undecidable: true,
          });
          continue;
        }
        findings.push({
          message:
            `the node SA uses IRSA, but account ${account ?? '(unknown)'} has no IAM OIDC provider for the issuer ${cluster.oidcIssuer} of cluster ${name}: ` +
            `STS answers "InvalidIdentityToken: No OpenIDConnect provider found", and efs-utils falls back to the node instance role`,
          origin: cluster.origin,
          resource,
          fix: create,
        });
        continue;
      }
      if (providers.some((p) => p.clientIds.includes(AUDIENCE))) continue;
      if (providers.some((p) => p.clientIds.some(isUnknown))) {
        findings.push({
          message: `cannot tell whether the OIDC provider for ${issuer} accepts the audience ${AUDIENCE}: a client ID is unknown`,
          origin: providers[0].origin,
          resource,
          undecidable: true,
        });
        continue;
      }
      const provider = providers[0];
      const arn = isKnown(provider.arn)
        ? provider.arn
        : `arn:aws:iam::${account ?? '<account>'}:oidc-provider/${issuer}`;
      findings.push({
        message:
          `the IAM OIDC provider ${arn} for cluster ${name} lists the client IDs ${provider.clientIds.filter(isKnown).join(', ') || '(none)'} but not ${AUDIENCE}: ` +
          `STS rejects the service account token with "Incorrect token audience" and efs-utils falls back to the node instance role`,
        origin: provider.origin,
        resource,
        fix: `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id ${AUDIENCE}`,
      });
    }
    return findings;
  },
};

/** `https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/` → `oidc.eks.eu-west-1.amazonaws.com/id/ABC` (host lower-cased). */
function hostPath(url: string): string {
  const bare = url.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? bare.toLowerCase() : bare.slice(0, slash).toLowerCase() + bare.slice(slash);
}
