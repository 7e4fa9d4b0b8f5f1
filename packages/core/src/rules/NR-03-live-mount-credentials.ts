import type { LiveMount, NodePodInspection } from '../model/node-inspection';
import { summarizeLiveMounts, type ExpectedNodeIdentity, type JudgedLiveMount } from './live-mounts';
import type { Rule, RuleFinding } from './rule';
import { describeMount, notInspected, podRef, problemFindings } from './node-inspection-support';

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
    const summary = summarizeLiveMounts(snapshot, view);
    if (!summary) return [];
    const findings: RuleFinding[] = [];
    if (summary.skipped.length > 0)
      findings.push(notInspected('mount state files', 'pods/exec', summary.skipped, (i) => i.stateFiles));
    findings.push(...problemFindings(snapshot.nodeInspections, 'state-files'));
    const { expected, tally } = summary;
    for (const judged of summary.mounts) {
      if (judged.needsRemount && expected) findings.push(remountFinding(judged, expected));
    }
    if (summary.inspected.length > 0) {
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
          `live mounts: ${parts.join(', ')} (${total} state file(s) on ${summary.inspected.length} node pod(s)` +
          `${expected ? '' : '; no dedicated identity is configured for the node service account'})`,
        resource: 'DaemonSet/kube-system/efs-csi-node',
        origin: summary.inspected[0]!.origin,
      });
    }
    return findings;
  },
};

/** Error for a mount on the instance role (the silent fallback), warning for one on another identity. */
function remountFinding(judged: JudgedLiveMount, expected: ExpectedNodeIdentity): RuleFinding {
  const { mount, inspection } = judged;
  if (judged.bucket === 'instanceRole') {
    return {
      severity: 'error',
      message:
        `${describeMount(mount, inspection)} was made with the node instance role (awsCredentialsMethod \`metadata:\`) ` +
        `although ${expected.label} is configured: efs-utils fell back to the instance profile because the dedicated ` +
        `identity failed when the volume was mounted (PI-06, PI-07 and IR-04 report lasting causes), and the ` +
        `watchdog keeps renewing this mount's certificate with the instance role until the volume is mounted again`,
      origin: mount.origin,
      resource: mountResource(mount, inspection),
      fix: remountFix(mount, inspection),
    };
  }
  const source = mount.credentials;
  const made =
    source.kind === 'pod-identity'
      ? 'with Pod Identity'
      : source.kind === 'web-identity'
        ? `with IRSA (role ${source.roleArn})`
        : `with \`${mount.credentialsMethod ?? source.kind}\``;
  return {
    severity: 'warning',
    message:
      `${describeMount(mount, inspection)} was made ${made}, but ${expected.label} is configured now: ` +
      `the mount keeps the identity it was made with until the volume is mounted again`,
    origin: mount.origin,
    resource: mountResource(mount, inspection),
    fix: remountFix(mount, inspection),
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
