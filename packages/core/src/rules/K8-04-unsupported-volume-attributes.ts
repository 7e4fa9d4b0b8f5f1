import { isIP } from 'node:net';
import { isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { parseGoBool } from './support';

/**
 * K8-04: PV volumeAttributes the driver rejects. Driver v3 NodePublishVolume (`pkg/driver/node.go`) switches on the
 * lower-cased volume context key: only `storage.kubernetes.io/csiprovisioneridentity`, `encryptintransit`,
 * `mounttargetip`, `mounttargetipmap` and `crossaccount` are accepted, anything else fails with "Volume context
 * property … not supported" (v3 removed `path`: it goes in the volumeHandle). `encryptInTransit` and `crossaccount`
 * must parse with Go's strconv.ParseBool, `mounttargetip` with net.ParseIP, `mounttargetipmap` as a JSON object.
 */
const ALLOWED = [
  'storage.kubernetes.io/csiprovisioneridentity',
  'encryptintransit',
  'mounttargetip',
  'mounttargetipmap',
  'crossaccount',
];

export const K804: Rule = {
  id: 'K8-04',
  severity: 'error',
  title: 'A PV volumeAttribute that driver v3 rejects',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (volume.kind !== 'PersistentVolume') continue;
      for (const [key, value] of Object.entries(volume.attributes)) {
        const lower = key.toLowerCase();
        const base = { origin: volume.attributeOrigin(key), resource: volume.resource };
        if (!ALLOWED.includes(lower)) {
          findings.push({
            ...base,
            message:
              `${volume.resource} has volumeAttributes key \`${key}\`, which driver v3 does not support: every mount of it fails with ` +
              `"Volume context property ${key} not supported." and the pod stays in ContainerCreating` +
              (lower === 'path' ? ' (`path` was removed in v3: the path is part of the volumeHandle)' : ''),
            fix:
              lower === 'path'
                ? `Remove \`path\` and put the path in the volumeHandle: volumeHandle: <fs-id>:${isUnknown(value) ? '<path>' : value}[:<fsap-id>]`
                : `Remove \`${key}\` from spec.csi.volumeAttributes (accepted: encryptInTransit, mounttargetip, mounttargetipmap, crossaccount).`,
          });
          continue;
        }
        if (isUnknown(value)) {
          if (lower === 'storage.kubernetes.io/csiprovisioneridentity') continue;
          findings.push({
            ...base,
            undecidable: true,
            message: `${volume.resource}: volumeAttributes \`${key}\` is unknown (${value.expression}): cannot check that driver v3 accepts its value`,
          });
          continue;
        }
        const problem = valueProblem(lower, value);
        if (!problem) continue;
        findings.push({
          ...base,
          message: `${volume.resource} has volumeAttributes \`${key}: "${value}"\`, ${problem}: driver v3 rejects every mount of this volume (InvalidArgument)`,
          fix:
            lower === 'mounttargetip'
              ? `Set \`${key}\` to the IP address of a mount target of the file system (aws efs describe-mount-targets --file-system-id <fs-id>).`
              : lower === 'mounttargetipmap'
                ? `Remove \`${key}\` (the controller writes it for cross-account dynamic volumes) or make it a JSON object of AZ name to IP.`
                : `Set \`${key}\` to "true" or "false".`,
        });
      }
    }
    return findings;
  },
};

function valueProblem(key: string, value: string): string | undefined {
  if (key === 'encryptintransit' || key === 'crossaccount') {
    return parseGoBool(value) === undefined ? 'which is not a boolean' : undefined;
  }
  if (key === 'mounttargetip') return isIP(value) === 0 ? 'which is not an IP address' : undefined;
  if (key === 'mounttargetipmap') {
    try {
      const parsed: unknown = JSON.parse(value);
      const ok =
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((v) => typeof v === 'string');
      return ok ? undefined : 'which is not a JSON object of AZ name to IP address';
    } catch {
      return 'which is not valid JSON';
    }
  }
  return undefined;
}
