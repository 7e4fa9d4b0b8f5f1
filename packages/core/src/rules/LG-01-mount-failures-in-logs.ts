import type { MountFailureKind, MountLogEvent } from '../model/node-inspection';
import type { Rule, RuleFinding } from './rule';
import { describeInspectedPod, notInspected, podRef, problemFindings } from './node-inspection-support';

/**
 * What each failure kind means and which rules explain it (docs/rules/LG-01.md has the same table). The messages
 * are efs-utils' (mount_utils.py, aws_credentials.py, mount_options.py, dns_resolver.py) and the driver's
 * (pkg/driver/node.go).
 */
const EXPLAINED_BY: Record<MountFailureKind, { what: string; rules: string[] }> = {
  'access-denied': {
    what: 'EFS refused the mount (`access denied by server`)',
    rules: ['FS-02', 'FS-03', 'FS-09', 'NI-01', 'XA-05', 'S3F-01', 'S3F-04'],
  },
  'credentials-not-found': {
    what: 'efs-utils found no AWS credentials',
    rules: ['PI-01', 'PI-04', 'PI-06', 'PI-09', 'IR-01', 'IR-03', 'IR-04'],
  },
  'tls-required-for-iam': {
    what: 'the mount asked for `iam` without `tls`',
    rules: ['K8-02'],
  },
  'dns-resolution': {
    what: 'the file system DNS name did not resolve',
    rules: ['NET-01', 'XA-02'],
  },
  'mount-target-timeout': {
    what: 'the mount target did not answer (timeout)',
    rules: ['NET-02', 'XA-01'],
  },
  'invalid-volume': {
    what: 'the driver rejected the volume',
    rules: ['K8-04', 'K8-06'],
  },
  'crossaccount-option': {
    what: 'the driver rejected `crossaccount` in mountOptions',
    rules: ['K8-03'],
  },
  'tls-with-encryption-off': {
    what: 'the driver rejected `tls` with `encryptInTransit: "false"`',
    rules: ['K8-07'],
  },
};

/**
 * LG-01: the `efs-plugin` logs of the node pods show mount failures. One warning per pod and failure kind, naming
 * the pod, the node, how many lines, the first and last time, the newest line (printable, bounded) and the rules that
 * explain it. Info "not inspected" when the caller may not read pod logs.
 */
export const LG01: Rule = {
  id: 'LG-01',
  severity: 'warning',
  title: 'Node logs show mount failures',
  requires: ['K'],
  check({ snapshot }) {
    const inspections = snapshot.nodeInspections;
    if (inspections.length === 0) return [];
    const findings: RuleFinding[] = [];
    const skipped = inspections.filter((i) => i.logs.status !== 'read');
    if (skipped.length > 0)
      findings.push(notInspected('efs-plugin logs', 'pods/log', skipped, (i) => i.logs));
    findings.push(...problemFindings(inspections, 'logs'));
    for (const inspection of inspections) {
      const byKind = new Map<MountFailureKind, MountLogEvent[]>();
      for (const event of inspection.logEvents) {
        const list = byKind.get(event.kind) ?? [];
        list.push(event);
        byKind.set(event.kind, list);
      }
      for (const [kind, events] of byKind) {
        const { what, rules } = EXPLAINED_BY[kind];
        const times = events.map((e) => e.at).filter((t): t is string => t !== undefined);
        const when =
          times.length === 0
            ? ''
            : times.length === 1 || times[0] === times[times.length - 1]
              ? ` at ${times[0]}`
              : ` from ${times[0]} to ${times[times.length - 1]}`;
        const last = events[events.length - 1]!;
        findings.push({
          message:
            `${describeInspectedPod(inspection)}: ${events.length} efs-plugin log line(s)${when}: ${what}; ` +
            `explained by ${rules.join(', ')} (see their findings). Last line: ${last.line}`,
          resource: podRef(inspection),
          origin: inspection.origin,
          fix:
            `Fix what ${rules.join('/')} report, then re-mount the affected volumes. To read the lines yourself:\n` +
            `kubectl logs -n ${inspection.namespace} ${inspection.pod} -c efs-plugin --timestamps --tail=500`,
        });
      }
    }
    return findings;
  },
};
