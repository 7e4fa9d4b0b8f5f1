import { isKnown } from '../model/unknown';
import { decideClientAccess, mountContext, type NamedPolicy } from '../policy/decisions';
import { evaluatePolicy } from '../policy/evaluate';
import { nodePermissionsPolicy } from '../policy/generate';
import type { Rule, RuleFinding } from './rule';
import { at, CLIENT_MOUNT, CLIENT_WRITE, mountOf, nodePrincipalsFor } from './support';
import { fileSystemArnFor, managedWithoutDocument } from './identity-support';

/**
 * NI-01: the node role's identity policies allow ClientMount (and ClientWrite for read-write volumes) on each
 * in-scope EFS file system. Semantics 1: the mount depends on that Allow across accounts, and with
 * `efsPolicySemantics: documented` where the file system policy does not itself allow the role (E); otherwise the
 * file system policy or its absence decides, and the identity Allow is the recommended second half (W).
 */
export const NI01: Rule = {
  id: 'NI-01',
  severity: 'error',
  title: "The node role's identity policies do not allow mounting the file system",
  requires: ['S', 'A'],
  check({ view, config }) {
    const findings: RuleFinding[] = [];
    // What each node role's identity policies are, computed once per role.
    const roles = new Map<
      object,
      { managed: ReturnType<typeof managedWithoutDocument>; policies: NamedPolicy[]; reported: Set<string> }
    >();
    for (const volume of view.volumes.filter((v) => v.type === 'efs' && isKnown(v.fileSystemId))) {
      const id = volume.fileSystemId as string;
      const fileSystem = view.fileSystemsWithId(id)[0];
      // Several clusters in one repository: only the roles something connects to this volume.
      for (const { binding, principal } of nodePrincipalsFor(view, { fileSystem, volume })) {
        let role = roles.get(principal);
        if (!role) {
          const managed = managedWithoutDocument(binding.role);
          role = {
            managed,
            policies: [...view.identityPoliciesOf(binding.role, binding), ...managed.documents],
            reported: new Set(),
          };
          roles.set(principal, role);
        }
        const { managed, policies, reported } = role;
        // Nothing of the node role's permissions is in the inputs: absent, not wrong.
        if (policies.length === 0 && !binding.role) continue;
        const fsArn = fileSystemArnFor(view, id, principal.accountId, volume);
        const where = `${volume.resource} (${at(volume.origin)})`;
        if (!fsArn) {
          if (policies.length > 0 && !reported.has(id)) {
            reported.add(id);
            findings.push({
              message: `cannot check whether ${principal.arn} may mount ${id} for ${where}: the file system's region and account are not in the files`,
              origin: volume.origin,
              resource: id,
              undecidable: true,
            });
          }
          continue;
        }
        const mount = mountOf(volume, fileSystem);
        const context = mountContext({ ...mount, iam: true }, principal);
        const actions = volume.readWrite ? [CLIENT_MOUNT, CLIENT_WRITE] : [CLIENT_MOUNT];
        const crossAccount = fsArn.split(':')[4] !== principal.accountId;
        const key = `${id}|${actions.join()}|${JSON.stringify(context)}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const fsPolicy = fileSystem?.policy;
        const association = binding.association;
        const session: NamedPolicy | undefined = association?.sessionPolicy
          ? {
              name: `session policy of the Pod Identity association ${association.associationId ?? `${String(association.namespace)}/${String(association.serviceAccount)}`}`,
              document: association.sessionPolicy,
            }
          : undefined;
        // Per action: the identity policies alone (the Allow this rule is about), then the whole decision (severity).
        const results = actions.map((action) => {
          const outcomes = policies.map((p) =>
            evaluatePolicy(
              p.document,
              { principal, action, resource: fsArn, context },
              { name: p.name, hasPrincipals: false },
            ),
          );
          const open = outcomes.some((o) => o.allows === 'unknown') || managed.opaque.length > 0;
          const denied = outcomes.some((o) => o.denies === true);
          const allows = denied
            ? false
            : outcomes.some((o) => o.allows === true)
              ? true
              : open
                ? ('unknown' as const)
                : false;
          const decision =
            fsPolicy !== undefined
              ? decideClientAccess({
                  principal,
                  action,
                  fileSystemArn: fsArn,
                  identityPolicies: policies,
                  fileSystemPolicy: fsPolicy,
                  context,
                  semantics: config.efsPolicySemantics,
                  ...(session ? { sessionPolicy: session } : {}),
                })
              : undefined;
          const sessionOutcome = session
            ? evaluatePolicy(
                session.document,
                { principal, action, resource: fsArn, context },
                { name: session.name, hasPrincipals: false },
              )
            : undefined;
          // The session policy limits every grant but (see decideClientAccess) that of a file system without a policy.
          const limitedBySession = !(fsPolicy === null && !crossAccount);
          const sessionBlocks =
            sessionOutcome !== undefined &&
            (sessionOutcome.denies === true || (limitedBySession && sessionOutcome.allows === false));
          return {
            action,
            allows,
            trace: decision?.trace ?? outcomes.flatMap((o) => o.trace),
            decision: decision?.decision,
            sessionBlocks,
            sessionTrace: sessionOutcome?.trace ?? [],
          };
        });
        const blocked = results.filter((r) => r.sessionBlocks);
        if (session && association && blocked.length > 0) {
          const names = blocked.map((r) => r.action).join(' and ');
          findings.push({
            message: `the ${session.name} does not allow ${names} on ${fsArn}: the node pods' credentials may do only what that policy allows, whatever the role's policies and the file system policy grant, so ${where} ${blocked.some((r) => r.action === CLIENT_MOUNT) ? 'fails to mount with "access denied by server"' : 'mounts, but every write fails'}`,
            severity: 'error',
            origin: association.sessionPolicy?.origin ?? association.origin,
            resource: id,
            trace: blocked.flatMap((r) => r.sessionTrace),
            fix: `Add this statement to the association's session policy (\`efs-node-identity apply\` merges it by Sid and keeps the rest):\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: [fsArn], access: volume.readWrite ? 'write' : 'read' }).Statement[0], null, 2)}`,
          });
        }
        const missing = results.filter((r) => r.allows === false);
        const open = results.filter((r) => r.allows === 'unknown');
        if (missing.length === 0 && open.length === 0) continue;
        const shown = missing.length > 0 ? missing : open;
        const names = shown.map((r) => r.action).join(' and ');
        const depends =
          crossAccount ||
          (config.efsPolicySemantics === 'documented' &&
            !!fsPolicy &&
            shown.some((r) => r.decision !== 'allow'));
        const failure = shown.some((r) => r.action === CLIENT_MOUNT)
          ? `fails to mount with "access denied by server"`
          : 'mounts, but every write fails (no ClientWrite)';
        const consequence = depends
          ? crossAccount
            ? `the file system is in account ${fsArn.split(':')[4]}: cross-account access needs this Allow, so ${where} ${failure}`
            : `with efsPolicySemantics: documented and a file system policy that does not allow the role, access depends on this Allow: ${where} ${failure}`
          : `${where} works through the file system policy${fsPolicy === null ? ' (none: full access)' : ''} alone; the recommended setup allows it in both`;
        findings.push({
          message:
            missing.length === 0
              ? `cannot tell whether the identity policies of ${principal.arn} allow ${names} on ${fsArn}: ${managed.opaque.length > 0 ? `the content of ${managed.opaque.join(', ')} is not in the inputs` : 'a value in them is unknown'}`
              : `the identity policies of the node role ${principal.arn} (bound at ${at(binding.origin)}) do not allow ${names} on ${fsArn}: ${consequence}`,
          severity: depends ? 'error' : 'warning',
          undecidable: missing.length === 0,
          origin: policies[0]?.document.origin ?? binding.role?.origin ?? binding.origin,
          resource: id,
          trace: shown.flatMap((r) => r.trace),
          fix: `Attach this identity policy to ${principal.arn} (scoped to the file system):\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: [fsArn], access: volume.readWrite ? 'write' : 'read' }), null, 2)}`,
        });
      }
    }
    return findings;
  },
};
