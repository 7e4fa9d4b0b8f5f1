import type { TraceStep } from '../model/finding';
import type { Role } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import { evaluatePolicy } from '../policy/evaluate';
import { triOr, type Tri } from '../policy/match';
import type { Rule, RuleFinding } from './rule';
import { nodeInstanceRoles, roleLabel } from './support';
import { clusterResource, managedName, podIdentityInUse } from './identity-support';

const ACTION = 'eks-auth:AssumeRoleForPodIdentity';
/** AWS managed policies that allow the action: the worker node policies (pod-id-agent-setup) and the admin ones. */
const GRANTING = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKSWorkerNodeMinimalPolicy',
  'AdministratorAccess',
  'PowerUserAccess',
];
const AWS_MANAGED = /^arn:aws[\w-]*:iam::aws:policy\//;

/**
 * PI-09: the Pod Identity Agent calls the EKS Auth API with the node instance role's credentials, so every node
 * instance role (Role.nodeInstanceRole, and the roles named by NodeFacts.instanceRoleArn, live) must allow
 * eks-auth:AssumeRoleForPodIdentity: an AWS managed worker node policy by ARN, or an identity policy the evaluator
 * finds allowing it, with no Deny. Permissions boundaries and SCPs are not in the snapshot.
 */
export const PI09: Rule = {
  id: 'PI-09',
  severity: 'error',
  title: 'A node instance role cannot call eks-auth:AssumeRoleForPodIdentity',
  requires: ['A'],
  check({ view }) {
    if (!podIdentityInUse(view)) return [];
    const findings: RuleFinding[] = [];
    const cluster = clusterResource(view);
    const resource = cluster.resource.startsWith('arn:') ? cluster.resource : '*';
    const roles = new Set<Role>(nodeInstanceRoles(view));
    for (const node of view.snapshot.nodes) {
      if (!node.instanceRoleArn) continue;
      const role = view.findRole(undefined, node.instanceRoleArn);
      if (role) roles.add(role);
      else if (!findings.some((f) => f.resource === node.instanceRoleArn)) {
        findings.push({
          message: `cannot tell whether the instance role ${node.instanceRoleArn} of node ${node.name} may call ${ACTION}: its policies were not read`,
          origin: node.origin,
          resource: node.instanceRoleArn,
          undecidable: true,
        });
      }
    }
    for (const role of roles) {
      const label = roleLabel(role);
      const managed = role.managedPolicies.map((p) => ({ policy: p, name: managedName(p) }));
      // AWS managed policies are known by name; a customer managed policy without a document is opaque.
      const awsManaged = (m: (typeof managed)[number]) =>
        isKnown(m.policy.arn) && AWS_MANAGED.test(m.policy.arn);
      const byManaged = managed.find(
        (m) => !m.policy.document && awsManaged(m) && isKnown(m.name) && GRANTING.includes(m.name),
      );
      const opaque = managed.filter((m) => !m.policy.document && !awsManaged(m));
      const trace: TraceStep[] = [];
      const allows: Tri[] = [byManaged ? true : false];
      const denies: Tri[] = [];
      const principal = {
        kind: 'aws' as const,
        arn: isKnown(role.arn) ? role.arn : `arn:aws:iam::000000000000:role/${String(role.name)}`,
      };
      for (const p of [...role.inlinePolicies, ...role.managedPolicies]) {
        if (!p.document) continue;
        const name = `identity policy ${isKnown(p.name) ? p.name : isKnown(p.arn) ? p.arn : '(unnamed)'}`;
        const outcome = evaluatePolicy(
          p.document,
          { principal, action: ACTION, resource, context: {} },
          { name, hasPrincipals: false },
        );
        trace.push(...outcome.trace);
        allows.push(outcome.allows);
        denies.push(outcome.denies);
      }
      const allowed = triOr(allows);
      const denied = triOr(denies);
      if (allowed === true && denied === false) continue;
      const attached =
        managed.map((m) => (isKnown(m.name) ? m.name : '(unknown)')).join(', ') || 'no managed policy';
      const undecidable =
        denied === 'unknown' || (denied === false && (allowed === 'unknown' || opaque.length > 0));
      const reason =
        denied === true
          ? `an explicit Deny of ${ACTION} in its policies`
          : opaque.length > 0 && allowed === false
            ? `no known policy allows it; ${opaque.map((m) => (isKnown(m.name) ? m.name : '(unknown)')).join(', ')} ${opaque.length > 1 ? 'were' : 'was'} not read`
            : `attached: ${attached}${role.inlinePolicies.length > 0 ? `, inline: ${role.inlinePolicies.map((p) => (isKnown(p.name) ? p.name : '(unnamed)')).join(', ')}` : ''}`;
      const roleName = isKnown(role.name) ? role.name : label.split('/').pop();
      findings.push({
        message: undecidable
          ? `cannot tell whether the node instance role ${label} may call ${ACTION} (${reason})`
          : `the node instance role ${label} may not call ${ACTION} (${reason}): the Pod Identity Agent on its nodes gets AccessDeniedException, ` +
            `and efs-utils falls back to this instance role for every mount`,
        origin: role.origin,
        resource: label,
        ...(trace.length > 0 ? { trace } : {}),
        ...(undecidable ? { undecidable: true } : {}),
        fix:
          denied === true
            ? `Remove the Deny of ${ACTION} from the policies of ${label}.`
            : `aws iam attach-role-policy --role-name ${roleName} --policy-arn arn:aws:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy\n` +
              `or add { "Effect": "Allow", "Action": "${ACTION}", "Resource": "*" } to an inline policy; no restart is needed.`,
      });
    }
    return findings;
  },
};
