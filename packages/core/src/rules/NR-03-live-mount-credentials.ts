import type { LiveMount, NodePodInspection } from '../model/node-inspection';
import { isKnown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { describeMount, notInspected, podRef, problemFindings } from './node-inspection-support';
import type { NodeIdentityView } from './view';

/**
 * NR-03: which credentials each live mount really uses (ground truth, opt-in). efs-utils records the source in the
 * mount's state file (`awsCredentialsMethod`, aws/efs-utils proxy.py) and the watchdog re-uses it at every TLS
 * certificate renewal, so a mount keeps the identity it was made with until it is mounted again. Error: a mount on
 * the instance role (`metadata:`) while a dedicated identity is configured (the silent fallback happened). Warning: a
 * mount on an identity that is no longer the configured one. Info: the count per identity, and "not inspected" when
 * the caller may not exec into the node pods (never a failure).
 */
export const NR03: Rule = {
  id: 'NR-03',
  severity: 'error',
  title: 'Live mounts use the wrong credentials',
  requires: ['K'],
  check({ view, snapshot }) {
    const inspections = snapshot.nodeInspections;
    if (inspections.length === 0) return [];
    const findings: RuleFinding[] = [];
    const skipped = inspections.filter((i) => i.stateFiles.status !== 'read');
    if (skipped.length > 0)
      findings.push(notInspected('mount state files', 'pods/exec', skipped, (i) => i.stateFiles));
    findings.push(...problemFindings(inspections, 'state-files'));
    const expected = configuredIdentity(view);
    const tally = { dedicated: 0, instanceRole: 0, older: 0, withoutIam: 0, other: 0 };
    for (const inspection of inspections) {
      for (const mount of inspection.mounts) {
        const verdict = judge(mount, expected);
        tally[verdict.bucket]++;
        if (verdict.finding) findings.push(verdict.finding(inspection));
      }
    }
    const inspected = inspections.filter((i) => i.stateFiles.status === 'read');
    if (inspected.length > 0) {
      const total = Object.values(tally).reduce((a, b) => a + b, 0);
      const parts = [
        `${tally.dedicated} on the dedicated identity${expected ? ` (${expected.label})` : ''}`,
        `${tally.instanceRole} on the instance role`,
        ...(tally.older > 0 ? [`${tally.older} on an older identity`] : []),
        ...(tally.other > 0 ? [`${tally.other} on other credentials`] : []),
        ...(tally.withoutIam > 0 ? [`${tally.withoutIam} without iam`] : []),
      ];
      findings.push({
        severity: 'info',
        message:
          `live mounts: ${parts.join(', ')} (${total} state file(s) on ${inspected.length} node pod(s)` +
          `${expected ? '' : '; no dedicated identity is configured for the node service account'})`,
        resource: 'DaemonSet/kube-system/efs-csi-node',
        origin: inspected[0]!.origin,
      });
    }
    return findings;
  },
};

/** The identity efs-utils should use today: Pod Identity wins over IRSA (PI-10), as in the credential chain. */
interface ExpectedIdentity {
  via: 'pod-identity' | 'irsa';
  roleArn?: string;
  label: string;
}

function configuredIdentity(view: NodeIdentityView): ExpectedIdentity | undefined {
  const binding =
    view.nodeRoles.find((b) => b.via === 'pod-identity') ?? view.nodeRoles.find((b) => b.via === 'irsa');
  if (!binding) return undefined;
  const roleArn = isKnown(binding.arn) ? binding.arn : undefined;
  const how = binding.via === 'pod-identity' ? 'Pod Identity' : 'IRSA';
  return {
    via: binding.via,
    ...(roleArn ? { roleArn } : {}),
    label: `${how}${roleArn ? `, role ${roleArn}` : ''}`,
  };
}

type Bucket = 'dedicated' | 'instanceRole' | 'older' | 'withoutIam' | 'other';

function judge(
  mount: LiveMount,
  expected: ExpectedIdentity | undefined,
): { bucket: Bucket; finding?: (inspection: NodePodInspection) => RuleFinding } {
  const source = mount.credentials;
  if (source.kind === 'none') return { bucket: 'withoutIam' }; // K8-01 and FS-03 judge mounts without iam
  if (source.kind === 'instance-role') {
    if (!expected) return { bucket: 'instanceRole' };
    return {
      bucket: 'instanceRole',
      finding: (inspection) => ({
        severity: 'error',
        message:
          `${describeMount(mount, inspection)} was made with the node instance role (awsCredentialsMethod \`metadata:\`) ` +
          `although ${expected.label} is configured: efs-utils fell back to the instance profile because the dedicated ` +
          `identity failed when the volume was mounted (PI-06, PI-07 and IR-04 report lasting causes), and the ` +
          `watchdog keeps renewing this mount's certificate with the instance role until the volume is mounted again`,
        origin: mount.origin,
        resource: mountResource(mount, inspection),
        fix: remountFix(mount, inspection),
      }),
    };
  }
  if (!expected) return { bucket: 'other' };
  const matches =
    (source.kind === 'pod-identity' && expected.via === 'pod-identity') ||
    (source.kind === 'web-identity' &&
      expected.via === 'irsa' &&
      (expected.roleArn === undefined || source.roleArn === expected.roleArn));
  if (matches) return { bucket: 'dedicated' };
  const made =
    source.kind === 'pod-identity'
      ? 'with Pod Identity'
      : source.kind === 'web-identity'
        ? `with IRSA (role ${source.roleArn})`
        : `with \`${mount.credentialsMethod ?? source.kind}\``;
  return {
    bucket: source.kind === 'pod-identity' || source.kind === 'web-identity' ? 'older' : 'other',
    finding: (inspection) => ({
      severity: 'warning',
      message:
        `${describeMount(mount, inspection)} was made ${made}, but ${expected.label} is configured now: ` +
        `the mount keeps the identity it was made with until the volume is mounted again`,
      origin: mount.origin,
      resource: mountResource(mount, inspection),
      fix: remountFix(mount, inspection),
    }),
  };
}

/** `PersistentVolume/<pv>` when the mount point names it (suppressions glob on it), else the state file. */
function mountResource(mount: LiveMount, inspection: NodePodInspection): string {
  return mount.persistentVolume
    ? `PersistentVolume/${mount.persistentVolume}`
    : `${podRef(inspection)}:${mount.stateFile}`;
}

function remountFix(mount: LiveMount, inspection: NodePodInspection): string {
  const find = mount.applicationPodUid
    ? `kubectl get pods -A -o jsonpath='{range .items[?(@.metadata.uid=="${mount.applicationPodUid}")]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'`
    : `kubectl get pods -A --field-selector spec.nodeName=${inspection.nodeName ?? '<node>'}`;
  return (
    `Fix the node identity first (the PI-*/IR-* findings), then re-mount: delete or roll out the application pod that ` +
    `uses ${mount.persistentVolume ? `PersistentVolume ${mount.persistentVolume}` : 'this volume'} so the volume is mounted again.\n${find}\n` +
    `kubectl delete pod -n <namespace> <pod>   # its controller re-creates it and the volume is mounted again`
  );
}
