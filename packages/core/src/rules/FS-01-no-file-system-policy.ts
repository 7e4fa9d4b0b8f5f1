import { fileSystemAllowStatement } from '../policy/generate';
import type { Rule, RuleFinding } from './rule';
import { arnOf, fileSystemName, knownNodePrincipals } from './support';
import { clusterNameOf } from './identity-support';

/**
 * FS-01: an in-scope EFS file system with no file system policy (FileSystem.policy === null: DescribeFileSystemPolicy
 * answered PolicyNotFound). The default policy grants every client that reaches a mount target full access, IAM or
 * anonymous (EFS User Guide), so the dedicated node identity decides nothing. In scope: a StorageClass/PV of the
 * driver names it, or the snapshot has no driver volumes at all (the collector read the file systems it was given).
 */
export const FS01: Rule = {
  id: 'FS-01',
  severity: 'warning',
  title: 'The file system has no file system policy',
  requires: ['A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const principal = knownNodePrincipals(view)[0]?.principal;
    const cluster = clusterNameOf(view);
    for (const fileSystem of view.snapshot.fileSystems) {
      if (fileSystem.type !== 'efs' || fileSystem.policy !== null) continue;
      const volumes = view.volumesOn(fileSystem);
      if (view.volumes.length > 0 && volumes.length === 0) continue;
      const name = fileSystemName(fileSystem);
      const arn = arnOf(fileSystem);
      const withoutIam = volumes.filter((v) => !v.iam).map((v) => v.resource);
      const statement =
        principal && arn && cluster
          ? fileSystemAllowStatement({ cluster, roleArn: principal.arn, fileSystemArn: arn, access: 'write' })
          : {
              Sid: `EfsCsiNode-${cluster ?? '<cluster>'}`,
              Effect: 'Allow',
              Principal: { AWS: principal?.arn ?? '<node role ARN>' },
              Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
              Resource: arn ?? '<file system ARN>',
              Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
            };
      findings.push({
        message:
          `${name} has no file system policy (PolicyNotFound): EFS grants full access, root included, to every client that can reach a mount target, ` +
          `with or without \`iam\`, so the node role${principal ? ` ${principal.arn}` : ''} is never consulted` +
          (volumes.length > 0 ? ` (used by ${volumes.map((v) => v.resource).join(', ')})` : ''),
        origin: fileSystem.origin,
        resource: name,
        fix:
          (withoutIam.length > 0
            ? `First add the \`iam\` mount option to ${withoutIam.join(', ')}: a policy turns anonymous mounts off (FS-03). `
            : 'Make sure every volume on it mounts with `iam` and the node role works (verify): a policy turns anonymous mounts off. ') +
          `Then put this policy (add ClientRootAccess only if a volume needs root):\n` +
          `aws efs put-file-system-policy --file-system-id ${name} --policy '${JSON.stringify({ Version: '2012-10-17', Statement: [statement] })}'`,
      });
    }
    return findings;
  },
};
