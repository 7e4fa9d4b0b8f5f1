import { isKnown, isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at } from './support';
import { EFS_ADDON, parseVersion, versionBelow } from './identity-support';

const FIRST_CAPABLE: [number, number, number] = [3, 0, 0];

/**
 * AD-01: the node SA's association is configured through the EKS add-on on a version that cannot own it.
 * Live, DescribeAddonConfiguration(...).podIdentityConfiguration[].serviceAccount says which SAs the version can
 * own (E). Statically we assume aws-efs-csi-driver ≥ v3.0.0-eksbuild.1 can and older cannot (rules.md, Semantics
 * 4: the re:Post article; nothing in the driver repository or the add-on page states it), so the finding is a W.
 */
export const AD01: Rule = {
  id: 'AD-01',
  severity: 'warning',
  title: 'The add-on version cannot own the node ServiceAccount association',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    for (const addon of view.snapshot.addons.filter((a) => a.name === EFS_ADDON)) {
      const listed = (addon.podIdentityAssociations ?? []).some((a) => a.serviceAccount === sa.name);
      if (!listed) continue;
      const where = `add-on ${EFS_ADDON} (${at(addon.origin)})`;
      const fix =
        `Either upgrade the add-on to v3.0.0-eksbuild.1 or later (check: aws eks describe-addon-configuration --addon-name ${EFS_ADDON} --addon-version <version> --query podIdentityConfiguration), ` +
        `or remove ${sa.name} from the add-on's podIdentityAssociations and create the association yourself:\n` +
        `  aws eks create-pod-identity-association --cluster-name <cluster> --namespace ${sa.namespace} --service-account ${sa.name} --role-arn <node role ARN>`;
      if (addon.podIdentityCapableServiceAccounts) {
        if (addon.podIdentityCapableServiceAccounts.includes(sa.name)) continue;
        findings.push({
          message: `${where} ${isKnown(addon.version) ? addon.version : ''} lists ${sa.name} in its podIdentityAssociations, but DescribeAddonConfiguration says this version can own associations only for ${addon.podIdentityCapableServiceAccounts.join(', ') || 'no service account'}: CreateAddon/UpdateAddon fails with InvalidParameterException`,
          severity: 'error',
          origin: addon.origin,
          resource: `addon/${EFS_ADDON}`,
          fix,
        });
        continue;
      }
      if (addon.version === undefined) continue;
      if (isUnknown(addon.version)) {
        findings.push({
          message: `cannot tell whether ${where} can own the association of ${sa.name}: its version is ${addon.version.expression}`,
          origin: addon.origin,
          resource: `addon/${EFS_ADDON}`,
          undecidable: true,
        });
        continue;
      }
      const version = parseVersion(addon.version);
      if (!version || !versionBelow(version, FIRST_CAPABLE)) continue;
      findings.push({
        message:
          `${where} is ${addon.version} and lists ${sa.name} in its podIdentityAssociations. This is an assumption, not read from AWS: we take versions before v3.0.0-eksbuild.1 ` +
          `to be unable to own the node SA's association (AWS re:Post; the add-on page does not say), in which case CreateAddon/UpdateAddon rejects the list and the node keeps no dedicated identity. ` +
          `Run the check against AWS (verify) to know`,
        origin: addon.origin,
        resource: `addon/${EFS_ADDON}`,
        fix,
      });
    }
    return findings;
  },
};
