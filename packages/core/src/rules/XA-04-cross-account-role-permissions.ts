import type { TraceStep } from '../model/finding';
import { isKnown, show } from '../model/unknown';
import { fileSystemArn, parseRoleArn } from '../policy/arn';
import { evaluatePolicy, type ContextValue } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import { arnOf, at, isS3FilesVolume, parseGoBool, provisionerSecretOf } from './support';

const TAG = 'efs.csi.aws.com/cluster';

/**
 * XA-04: the secret's `awsRoleArn` role lacks what the controller calls with it. Driver v3 CreateVolume/DeleteVolume
 * (`pkg/driver/controller.go`, `pkg/cloud/cloud.go`) call DescribeAccessPoints, CreateAccessPoint (tagged
 * `efs.csi.aws.com/cluster=true` unless `enableTagging: "false"`), DeleteAccessPoint, DescribeMountTargets (unless
 * the secret sets `crossaccount: "true"`) and DescribeFileSystems (with `enforceZoneAffinity`), as listed in
 * examples/kubernetes/efs/cross_account_mount/iam-policy-examples/describe-mount-target-example.json.
 */
export const XA04: Rule = {
  id: 'XA-04',
  severity: 'error',
  title: 'The cross-account role lacks the access point permissions the controller needs',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (isS3FilesVolume(volume)) continue;
      const secret = provisionerSecretOf(view, volume)?.secret;
      const target = secret?.data.awsRoleArn;
      const role = isKnown(target) ? view.findRole(undefined, target) : undefined;
      if (!secret || !role || !isKnown(target)) continue;
      const policies = [...role.inlinePolicies, ...role.managedPolicies];
      const documents = policies.flatMap((p) =>
        p.document ? [{ name: `identity policy ${show(p.name ?? p.arn)}`, document: p.document }] : [],
      );
      if (documents.length === 0) continue; // The role's permissions are not in these inputs.
      const fsFact = view.fileSystemsWithId(volume.fileSystemId)[0];
      const region =
        fsFact && isKnown(fsFact.region)
          ? fsFact.region
          : view.snapshot.clusters.map((c) => c.region).find(isKnown);
      const fsArn =
        (fsFact && arnOf(fsFact)) ??
        (isKnown(volume.fileSystemId) && region
          ? fileSystemArn('efs', region, parseRoleArn(target)?.accountId ?? '', volume.fileSystemId)
          : undefined);
      const tagging = !(
        isKnown(volume.attributes.enableTagging) && parseGoBool(volume.attributes.enableTagging) === false
      );
      const tags: Record<string, ContextValue> = tagging
        ? { [`aws:requesttag/${TAG}`]: 'true', 'aws:tagkeys': [TAG] }
        : {};
      const needed: Array<{ action: string; resource?: string; context: Record<string, ContextValue> }> = [
        { action: 'elasticfilesystem:DescribeAccessPoints', resource: fsArn, context: {} },
        { action: 'elasticfilesystem:CreateAccessPoint', resource: fsArn, context: tags },
        {
          action: 'elasticfilesystem:DeleteAccessPoint',
          context: tagging ? { [`aws:resourcetag/${TAG}`]: 'true' } : {},
        },
      ];
      if (!(isKnown(secret.data.crossaccount) && parseGoBool(secret.data.crossaccount) === true)) {
        needed.push({ action: 'elasticfilesystem:DescribeMountTargets', resource: fsArn, context: {} });
      }
      if (
        isKnown(volume.attributes.enforceZoneAffinity) &&
        parseGoBool(volume.attributes.enforceZoneAffinity) === true
      ) {
        needed.push({ action: 'elasticfilesystem:DescribeFileSystems', resource: fsArn, context: {} });
      }
      const missing: string[] = [];
      const trace: TraceStep[] = [];
      let undecidable = false;
      for (const need of needed) {
        const outcomes = documents.map((p) =>
          evaluatePolicy(
            p.document,
            {
              principal: { kind: 'aws', arn: target },
              action: need.action,
              ...(need.resource ? { resource: need.resource } : {}),
              context: need.context,
            },
            { name: p.name, hasPrincipals: false },
          ),
        );
        if (outcomes.some((o) => o.allows === true) && !outcomes.some((o) => o.denies === true)) continue;
        if (
          !outcomes.some((o) => o.denies === true) &&
          (outcomes.some((o) => o.allows === 'unknown' || o.denies === 'unknown') ||
            documents.length < policies.length)
        )
          undecidable = true;
        else missing.push(need.action);
        trace.push(...outcomes.flatMap((o) => o.trace));
      }
      if (missing.length === 0 && !undecidable) continue;
      findings.push({
        message:
          missing.length > 0
            ? `the role ${target} that ${volume.resource} provisions with (Secret ${show(secret.namespace)}/${show(secret.name)}, ${at(secret.origin)}) is not allowed ${missing.join(', ')}` +
              `${fsArn ? ` on ${fsArn}` : ''}: the controller cannot create or clean up access points and every PVC of the StorageClass stays Pending`
            : `cannot tell whether the role ${target} that ${volume.resource} provisions with has every access point permission the controller needs: some of its policies or values are not in these inputs`,
        origin: role.origin,
        resource: target,
        trace,
        ...(missing.length === 0 ? { undecidable: true } : {}),
        fix: `Attach to ${target} a policy like the driver's cross-account example:\n${JSON.stringify(
          {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'elasticfilesystem:DescribeAccessPoints',
                  'elasticfilesystem:DescribeFileSystems',
                  'elasticfilesystem:DescribeMountTargets',
                  'ec2:DescribeAvailabilityZones',
                ],
                Resource: '*',
              },
              {
                Effect: 'Allow',
                Action: 'elasticfilesystem:CreateAccessPoint',
                Resource: fsArn ?? '*',
                Condition: { StringLike: { [`aws:RequestTag/${TAG}`]: 'true' } },
              },
              {
                Effect: 'Allow',
                Action: 'elasticfilesystem:DeleteAccessPoint',
                Resource: '*',
                Condition: { StringEquals: { [`aws:ResourceTag/${TAG}`]: 'true' } },
              },
            ],
          },
          null,
          2,
        )}`,
      });
    }
    return findings;
  },
};
