import type { Origin } from '../model/origin';
import type { PolicyDocument, Statement } from '../model/policy';
import type { FileSystem } from '../model/snapshot';
import { isKnown, isUnknown } from '../model/unknown';
import { fileSystemArn, parseRoleArn } from '../policy/arn';
import type { MountFacts } from '../policy/decisions';
import type { RequestPrincipal } from '../policy/evaluate';
import { globMatch } from '../policy/match';
import type { DriverVolume, NodeIdentityView, NodeRoleBinding } from './view';

/** Shared helpers for rules: small questions many rules ask of the view. */

export const CLIENT_MOUNT = 'elasticfilesystem:ClientMount';
export const CLIENT_WRITE = 'elasticfilesystem:ClientWrite';
export const CLIENT_ROOT = 'elasticfilesystem:ClientRootAccess';

/** Node role bindings whose role ARN is known, as evaluator principals. */
export function knownNodePrincipals(view: NodeIdentityView): Array<{ binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }> {
  const out: Array<{ binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }> = [];
  for (const binding of view.nodeRoles) {
    const arn = isKnown(binding.arn) ? binding.arn : isKnown(binding.role?.arn) ? (binding.role?.arn as string) : undefined;
    if (!arn || !parseRoleArn(arn)) continue;
    out.push({ binding, principal: { kind: 'aws', arn, accountId: parseRoleArn(arn)?.accountId } });
  }
  return out;
}

/** The mount a volume makes, for the request context. */
export function mountOf(volume: DriverVolume, fileSystem?: FileSystem): MountFacts {
  const region = fileSystem && isKnown(fileSystem.region) ? fileSystem.region : undefined;
  const account = fileSystem && isKnown(fileSystem.accountId) ? fileSystem.accountId : undefined;
  const accessPointArn =
    volume.accessPointId && region && account
      ? `arn:aws:elasticfilesystem:${region}:${account}:access-point/${volume.accessPointId}`
      : undefined;
  return { tls: volume.tls !== false, iam: volume.iam, ...(accessPointArn ? { accessPointArn } : {}) };
}

/** The ARN of a file system when it is known or can be built from its parts. */
export function arnOf(fileSystem: FileSystem): string | undefined {
  if (isKnown(fileSystem.arn)) return fileSystem.arn;
  if (isKnown(fileSystem.id) && isKnown(fileSystem.region) && isKnown(fileSystem.accountId)) {
    return fileSystemArn(fileSystem.type, fileSystem.region, fileSystem.accountId, fileSystem.id);
  }
  return undefined;
}

/** Does some statement with this effect name the action (ignoring principal, resource and conditions)? */
export function statementsFor(policy: PolicyDocument, effect: 'Allow' | 'Deny', action: string): Statement[] {
  return policy.statements.filter((s) => {
    if (s.effect !== effect) return false;
    if (s.action) return s.action.some((a) => isUnknown(a) || globMatch(a, action, true));
    if (s.notAction) return !s.notAction.some((a) => !isUnknown(a) && globMatch(a, action, true));
    return false;
  });
}

/** A statement's principals as text. */
export function principalsOf(statement: Statement): string[] {
  const block = statement.principal ?? {};
  return Object.values(block)
    .flat()
    .map((v) => (isUnknown(v) ? `(${v.expression})` : (v as string)));
}

export function isStarPrincipal(statement: Statement): boolean {
  return (statement.principal?.AWS ?? []).includes('*');
}

/** `file.json:12` for a message. */
export function at(origin: Origin | undefined): string {
  if (!origin) return '';
  if (origin.kind === 'file') return origin.line ? `${origin.file}:${origin.line}` : origin.file;
  return origin.kind === 'aws' ? origin.arn : origin.ref;
}

/** A name for a statement in messages: its Sid, else its position. */
export function statementName(policy: PolicyDocument, statement: Statement): string {
  return statement.sid ? `\`${statement.sid}\`` : `#${policy.statements.indexOf(statement) + 1}`;
}

/** Display ID of a file system. */
export function fileSystemName(fileSystem: FileSystem): string {
  return isKnown(fileSystem.id) ? fileSystem.id : `file system (${fileSystem.id.expression})`;
}

/** A trust policy that governs the node SA's role, with the binding that makes it so when known. */
export interface NodeTrust {
  document: PolicyDocument;
  binding?: NodeRoleBinding;
  /** For messages: the role's name/ARN, or the file of a loose trust policy. */
  label: string;
}

const PODS_SERVICE = 'pods.eks.amazonaws.com';

function namesService(statement: Statement, service: string): boolean {
  return (statement.principal?.Service ?? []).some((s) => s === service);
}

function isWebIdentityStatement(statement: Statement): boolean {
  return (
    (statement.principal?.Federated ?? []).length > 0 &&
    (statement.action ?? []).some((a) => typeof a === 'string' && globMatch(a, 'sts:AssumeRoleWithWebIdentity', true))
  );
}

/** `sub` values of a web identity statement. */
export function subValues(statement: Statement): string[] {
  return statement.conditions
    .filter((c) => /:sub$/i.test(c.key))
    .flatMap((c) => c.values.filter((v): v is string => typeof v === 'string'));
}

/**
 * Trust policies of the node role for one mechanism: the trust of every role bound to the node SA that way, and
 * loose trust policy files of that kind (Pod Identity: trusting pods.eks.amazonaws.com; IRSA: a web identity
 * trust whose `sub` names the node SA).
 */
export function nodeTrusts(view: NodeIdentityView, mechanism: 'pod-identity' | 'irsa'): NodeTrust[] {
  const out: NodeTrust[] = [];
  const seen = new Set<PolicyDocument>();
  for (const binding of view.nodeRoles) {
    if (binding.via !== mechanism || !binding.role?.trustPolicy) continue;
    if (seen.has(binding.role.trustPolicy)) continue;
    seen.add(binding.role.trustPolicy);
    const label = isKnown(binding.role.arn) ? binding.role.arn : isKnown(binding.role.name) ? `role ${binding.role.name}` : binding.role.id;
    out.push({ document: binding.role.trustPolicy, binding, label });
  }
  const sa = view.nodeServiceAccount;
  const subject = `system:serviceaccount:${sa.namespace}:${sa.name}`;
  for (const loose of view.snapshot.loosePolicies) {
    if (loose.kind !== 'trust' || seen.has(loose.document)) continue;
    const statements = loose.document.statements;
    const relevant =
      mechanism === 'pod-identity'
        ? statements.some((s) => namesService(s, PODS_SERVICE))
        : statements.some(
            (s) =>
              isWebIdentityStatement(s) &&
              (subValues(s).some((v) => v.includes(sa.name) || globMatch(v, subject)) || view.usesIrsa),
          );
    if (!relevant) continue;
    out.push({ document: loose.document, label: `the trust policy in ${at(loose.document.origin)}` });
  }
  return out;
}

export { isWebIdentityStatement, namesService, PODS_SERVICE };
