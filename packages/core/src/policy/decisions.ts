import type { TraceStep } from '../model/finding';
import type { PolicyDocument } from '../model/policy';
import { evaluatePolicy, type AuthzRequest, type ContextValue, type RequestPrincipal } from './evaluate';
import { arnField } from './arn';
import type { Tri } from './match';

export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

/** A decision with its trace. `unknown` when an unknown value (plan-time, parameter) could change it. */
export interface DecisionResult {
  decision: Decision | 'unknown';
  trace: TraceStep[];
}

/**
 * How an Allow in the file system policy and in the identity policies combine for a same-account client:
 * `strict` (default) needs the file system policy to Allow the principal; `documented` (the EFS User Guide's
 * reading) accepts an Allow in either. Cross-account always needs both.
 */
export type EfsPolicySemantics = 'strict' | 'documented';

export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

export interface ClientAccessQuestion {
  /** The node role, or anonymous for a mount without `iam`. */
  principal: RequestPrincipal;
  /** `elasticfilesystem:ClientMount` / `ClientWrite` / `ClientRootAccess` (or `s3files:` equivalents). */
  action: string;
  fileSystemArn: string;
  identityPolicies: NamedPolicy[];
  /** `null`: the file system has no policy. */
  fileSystemPolicy: PolicyDocument | null;
  context: Record<string, ContextValue>;
  semantics: EfsPolicySemantics;
  /**
   * The session policy the credentials carry (a Pod Identity association's `policy`), when there is one. IAM
   * intersects it with everything else that grants the role: a session policy never grants by itself.
   */
  sessionPolicy?: NamedPolicy;
}

/** Effective mount options of a volume, as the driver turns them into a mount. */
export interface MountFacts {
  tls: boolean;
  iam: boolean;
  accessPointArn?: string;
}

/**
 * The request context EFS sees for a mount: TLS ⇒ aws:SecureTransport=true; a mount through a mount target ⇒
 * elasticfilesystem:AccessedViaMountTarget=true; an access point ⇒ elasticfilesystem:AccessPointArn. With `iam`,
 * the principal's own keys are present too (we accept aws:PrincipalArn, see FS-04).
 */
export function mountContext(
  mount: MountFacts,
  principal?: { arn: string; accountId?: string },
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {
    'aws:securetransport': mount.tls ? 'true' : 'false',
    'elasticfilesystem:accessedviamounttarget': 'true',
  };
  if (mount.accessPointArn) {
    context['elasticfilesystem:accesspointarn'] = mount.accessPointArn;
    context['s3files:accesspointarn'] = mount.accessPointArn;
  }
  if (mount.iam && principal) {
    context['aws:principalarn'] = principal.arn;
    const account = principal.accountId ?? arnField(principal.arn, 4);
    if (account) context['aws:principalaccount'] = account;
    context['aws:principaltype'] = 'AssumedRole';
  }
  return context;
}

function accountOf(arn: string): string | undefined {
  return arnField(arn, 4) || undefined;
}

/**
 * May this principal perform this EFS or S3 Files client action on this file system? Explicit Deny anywhere wins.
 * EFS: no file system policy grants every client full access; otherwise the semantics decide (see
 * EfsPolicySemantics). S3 Files (`s3files:` actions) always uses the documented "either policy" rule (S3 User Guide
 * "How S3 Files works with IAM": an Allow in the identity policy or the file system policy suffices), and without a
 * file system policy only the identity policies can allow. Cross-account access needs both, for either type.
 */
export function decideClientAccess(question: ClientAccessQuestion): DecisionResult {
  const trace: TraceStep[] = [];
  const request: AuthzRequest = {
    principal: question.principal,
    action: question.action,
    resource: question.fileSystemArn,
    context: question.context,
  };
  const anonymous = question.principal.kind === 'anonymous';
  const principalAccount =
    question.principal.kind === 'aws'
      ? (question.principal.accountId ?? accountOf(question.principal.arn))
      : undefined;
  const crossAccount =
    principalAccount !== undefined && principalAccount !== accountOf(question.fileSystemArn);
  const s3files = question.action.toLowerCase().startsWith('s3files:');
  const semantics: EfsPolicySemantics = s3files ? 'documented' : question.semantics;

  let identityAllows: Tri = false;
  let identityDenies: Tri = false;
  if (!anonymous) {
    const allows: Tri[] = [];
    const denies: Tri[] = [];
    for (const policy of question.identityPolicies) {
      const outcome = evaluatePolicy(
        policy.document,
        request,
        { name: policy.name, hasPrincipals: false },
        trace,
      );
      allows.push(outcome.allows);
      denies.push(outcome.denies);
    }
    identityAllows = or(allows);
    identityDenies = or(denies);
    if (question.identityPolicies.length === 0) {
      trace.push({ outcome: 'note', message: 'no identity policy of the principal is known' });
    }
  } else {
    trace.push({
      outcome: 'note',
      message: 'the mount has no `iam` option: EFS sees an anonymous client, identity policies do not apply',
    });
  }

  // The session policy limits what the session may do (IAM user guide, "Session policies"), including what a
  // resource policy grants to the role's ARN; an explicit Deny in it denies like any other.
  let sessionAllows: Tri = true;
  if (question.sessionPolicy && !anonymous) {
    const outcome = evaluatePolicy(question.sessionPolicy.document, request, {
      name: question.sessionPolicy.name,
      hasPrincipals: false,
    });
    trace.push(...outcome.trace);
    sessionAllows = outcome.allows;
    identityDenies = or([identityDenies, outcome.denies]);
  }

  let fsAllows: Tri;
  let fsDenies: Tri = false;
  if (question.fileSystemPolicy === null && s3files) {
    // S3 Files has no open default like EFS: every mount is an IAM-authenticated client, and "any role with
    // s3files:ClientMount can mount … unless a file system policy restricts it" (S3 User Guide, "Control client
    // access to an S3 Files file system"). Without a file system policy the identity policies alone decide.
    fsAllows = false;
    trace.push({
      outcome: 'note',
      message: 'the S3 file system has no policy: only the identity policies can allow the client',
      policy: 'file system policy',
    });
  } else if (question.fileSystemPolicy === null) {
    fsAllows = true;
    trace.push({
      outcome: 'default',
      message:
        'the file system has no policy: EFS grants full access to every client that can reach a mount target',
      policy: 'file system policy',
    });
    if (anonymous || !crossAccount) {
      // Guess: the grant of a file system without a policy reaches every client, the session itself included, so
      // only the session policy's explicit Deny (counted above) limits it.
      return finish(identityDenies, true, trace, 'no file system policy');
    }
  } else {
    const outcome = evaluatePolicy(
      question.fileSystemPolicy,
      request,
      { name: 'file system policy', hasPrincipals: true },
      trace,
    );
    fsAllows = outcome.allows;
    fsDenies = outcome.denies;
  }

  const denies = or([identityDenies, fsDenies]);
  let allowed: Tri;
  let rule: string;
  if (anonymous) {
    allowed = fsAllows;
    rule = 'an anonymous client needs an Allow for "*" in the file system policy';
  } else if (crossAccount) {
    allowed = and([identityAllows, fsAllows]);
    rule = 'cross-account access needs an Allow in the identity policy and in the file system policy';
  } else if (semantics === 'strict') {
    allowed = fsAllows;
    rule = 'strict semantics: the file system policy must explicitly Allow the principal';
  } else {
    allowed = or([identityAllows, fsAllows]);
    rule = s3files
      ? 'S3 Files: an Allow in the identity policy or the file system policy suffices'
      : 'documented semantics: an Allow in the identity policy or the file system policy suffices';
  }
  if (question.sessionPolicy && !anonymous) {
    if (sessionAllows !== true) {
      trace.push({
        outcome: sessionAllows === false ? 'no-match' : 'unknown',
        message: `${question.sessionPolicy.name} does not allow ${question.action}: the session may do only what it allows`,
        policy: question.sessionPolicy.name,
      });
    }
    allowed = and([allowed, sessionAllows]);
    rule += '; limited by the session policy';
  }
  return finish(denies, allowed, trace, rule);
}

function finish(denies: Tri, allowed: Tri, trace: TraceStep[], rule: string): DecisionResult {
  if (denies === true) {
    trace.push({ outcome: 'deny', message: 'an explicit Deny applies: denied whatever else allows' });
    return { decision: 'explicitDeny', trace };
  }
  if (allowed === true && denies === false) {
    trace.push({ outcome: 'allow', message: `allowed (${rule})` });
    return { decision: 'allow', trace };
  }
  if (allowed === false) {
    trace.push({ outcome: 'no-match', message: `implicitly denied (${rule})` });
    return { decision: 'implicitDeny', trace };
  }
  trace.push({
    outcome: 'unknown',
    message: `undecidable: a value the decision depends on is unknown (${rule})`,
  });
  return { decision: 'unknown', trace };
}

function or(values: Tri[]): Tri {
  if (values.includes(true)) return true;
  return values.includes('unknown') ? 'unknown' : false;
}

function and(values: Tri[]): Tri {
  if (values.includes(false)) return false;
  return values.includes('unknown') ? 'unknown' : true;
}

export interface TrustQuestion {
  trustPolicy: PolicyDocument;
  principal: RequestPrincipal;
  /** Every action the caller needs (Pod Identity: sts:AssumeRole and sts:TagSession). */
  actions: string[];
  context: Record<string, ContextValue>;
}

/** May this principal assume the role with this trust policy? All actions must be allowed. */
export function decideTrust(
  question: TrustQuestion,
): DecisionResult & { perAction: Record<string, Decision | 'unknown'> } {
  const trace: TraceStep[] = [];
  const perAction: Record<string, Decision | 'unknown'> = {};
  const results: DecisionResult[] = [];
  for (const action of question.actions) {
    const outcome = evaluatePolicy(
      question.trustPolicy,
      { principal: question.principal, action, context: question.context },
      { name: `trust policy (${action})`, hasPrincipals: true },
    );
    trace.push(...outcome.trace);
    const result = finish(outcome.denies, outcome.allows, [], `${action} needs an Allow in the trust policy`);
    perAction[action] = result.decision;
    trace.push(...result.trace);
    results.push(result);
  }
  const decisions = results.map((r) => r.decision);
  const decision: Decision | 'unknown' = decisions.includes('explicitDeny')
    ? 'explicitDeny'
    : decisions.includes('implicitDeny')
      ? 'implicitDeny'
      : decisions.includes('unknown')
        ? 'unknown'
        : 'allow';
  return { decision, trace, perAction };
}

/** Session tags EKS Pod Identity attaches when it assumes the role, as trust-policy condition keys. */
export function podIdentityContext(tags: {
  clusterName?: string;
  clusterArn?: string;
  namespace: string;
  serviceAccount: string;
  accountId?: string;
  sessionTags: boolean;
}): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  if (tags.accountId) context['aws:sourceaccount'] = tags.accountId;
  if (tags.clusterArn) context['aws:sourcearn'] = tags.clusterArn;
  if (!tags.sessionTags) return context;
  const put = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    context[`aws:requesttag/${name}`] = value;
    context[`aws:principaltag/${name}`] = value;
  };
  put('eks-cluster-name', tags.clusterName);
  put('eks-cluster-arn', tags.clusterArn);
  put('kubernetes-namespace', tags.namespace);
  put('kubernetes-service-account', tags.serviceAccount);
  const keys = [
    'eks-cluster-arn',
    'eks-cluster-name',
    'kubernetes-namespace',
    'kubernetes-service-account',
    'kubernetes-pod-name',
    'kubernetes-pod-uid',
  ];
  context['aws:tagkeys'] = keys;
  return context;
}

/** The context of AssumeRoleWithWebIdentity for a service account token from an EKS OIDC issuer. */
export function webIdentityContext(
  issuerHostPath: string,
  namespace: string,
  serviceAccount: string,
): Record<string, ContextValue> {
  const prefix = issuerHostPath.replace(/^https:\/\//, '').toLowerCase();
  return {
    [`${prefix}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
    [`${prefix}:aud`]: 'sts.amazonaws.com',
  };
}
