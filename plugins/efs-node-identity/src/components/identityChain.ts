import type {
  EntityStatusResponse,
  FindingSeverity,
  IdentityMode,
  StatusFinding,
} from '@efs-node-identity/backstage-plugin-common';

/** The links from a volume to the file system, in the order a mount uses them. */
export type ChainLinkId = 'storage-class' | 'service-account' | 'binding' | 'role' | 'file-system';

/** `unknown`: not verified yet, or a rule on this link could not decide. */
export type ChainLinkState = 'ok' | 'warning' | 'failing' | 'unknown';

export interface ChainLink {
  id: ChainLinkId;
  label: string;
  state: ChainLinkState;
  /** The rule IDs of the findings on this link. */
  ruleIds: string[];
}

// Which link a rule is about, from docs/rules: K8 rules read the StorageClass and PVs; PI-03/06/07/08/10, IR-02/04,
// AD, NR-03 and LG-01 the node DaemonSet and its service account; PI-02/04/05/09/11 and IR-01/03 the association or
// the IRSA trust; NI, NR-01/02, S3F-01..03 and XA-03/04 the role's own policies; FS, S3F-04/05, NET and XA-01/02/05
// the file system side (its policy, mount targets, the route to them).
const LINK_OF_RULE: Array<[RegExp, ChainLinkId]> = [
  [/^K8-/, 'storage-class'],
  [/^(PI-0[13678]|PI-10|IR-0[24]|AD-|NR-03|LG-)/, 'service-account'],
  [/^(PI-0[2459]|PI-11|IR-0[13])/, 'binding'],
  [/^(NI-|NR-0[12]|S3F-0[123]|XA-0[34])/, 'role'],
  [/^(FS-|S3F-0[45]|NET-|XA-0[125])/, 'file-system'],
];

/** The chain link a rule's finding belongs to; undefined for rules about the inputs (SRC-*). */
export function chainLinkOf(ruleId: string): ChainLinkId | undefined {
  return LINK_OF_RULE.find(([pattern]) => pattern.test(ruleId))?.[1];
}

/** The five links with the state the findings give each; every link is unknown before a verification. */
export function identityChain(status: EntityStatusResponse, mode: IdentityMode | undefined): ChainLink[] {
  const binding =
    mode === 'irsa'
      ? 'IRSA (OIDC trust)'
      : mode === 'pod-identity'
        ? 'Pod Identity association'
        : 'Association or IRSA';
  const links: Array<[ChainLinkId, string]> = [
    ['storage-class', 'StorageClass'],
    ['service-account', 'Node service account'],
    ['binding', binding],
    ['role', 'IAM role'],
    ['file-system', 'File system policy'],
  ];
  const verified = status.state === 'ok' || status.state === 'warnings' || status.state === 'failing';
  return links.map(([id, label]) => {
    const findings = status.findings.filter((f) => chainLinkOf(f.ruleId) === id);
    return {
      id,
      label,
      state: verified ? linkState(findings) : 'unknown',
      ruleIds: findings.map((f) => f.ruleId),
    };
  });
}

function linkState(findings: StatusFinding[]): ChainLinkState {
  if (findings.some((f) => f.severity === 'error')) return 'failing';
  if (findings.some((f) => f.undecidable)) return 'unknown';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

const SEVERITY_ORDER: FindingSeverity[] = ['error', 'warning', 'info'];

/** Errors first, then warnings, then notes; rule ID within a severity. */
export function sortFindings(findings: StatusFinding[]): StatusFinding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
