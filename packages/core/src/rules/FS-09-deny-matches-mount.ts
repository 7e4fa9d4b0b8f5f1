import type { TraceStep } from '../model/finding';
import { unknown } from '../model/unknown';
import { mountContext } from '../policy/decisions';
import { evaluatePolicy, type RequestPrincipal } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import {
  arnOf,
  CLIENT_MOUNT,
  CLIENT_WRITE,
  fileSystemName,
  hasMountOption,
  isS3FilesVolume,
  nodePrincipalsFor,
  mountOf,
  volumeTls,
} from './support';

/**
 * FS-09: an explicit Deny in the file system policy matches the request context of a volume's effective mount
 * (rules.md, Semantics 2: TLS unless `encryptInTransit: "false"` without an access point ⇒ aws:SecureTransport,
 * through a mount target, the access point ARN; no `iam` ⇒ anonymous). A Deny wins over every Allow, so the mount
 * (ClientMount) or the writes (ClientWrite on a read-write volume) fail whatever else the policies grant.
 */
export const FS09: Rule = {
  id: 'FS-09',
  severity: 'error',
  title: "An explicit Deny in the file system policy matches a volume's mount",
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      const name = fileSystemName(fileSystem);
      const fsArn = arnOf(fileSystem);
      for (const volume of view.volumesOn(fileSystem)) {
        if (isS3FilesVolume(volume)) continue;
        const iam = hasMountOption(volume, 'iam');
        const nodePrincipals = nodePrincipalsFor(view, { fileSystem, volume }).map((p) => p.principal);
        // With `iam` but no node role in the files, the principal's own keys are unknown rather than guessed.
        const principals: Array<RequestPrincipal | undefined> = !iam
          ? [{ kind: 'anonymous' }]
          : nodePrincipals.length > 0
            ? nodePrincipals
            : [undefined];
        const tls = volumeTls(volume);
        const actions = volume.readWrite ? [CLIENT_MOUNT, CLIENT_WRITE] : [CLIENT_MOUNT];
        outer: for (const principal of principals) {
          for (const action of actions) {
            const outcomes = (tls === 'unknown' ? [true, false] : [tls]).map((t) => {
              const mount = { ...mountOf(volume, fileSystem), tls: t, iam };
              const context = mountContext(mount, principal?.kind === 'aws' ? principal : undefined);
              if (!principal) {
                for (const key of ['aws:principalarn', 'aws:principalaccount'])
                  context[key] = unknown('the node role (not in these files)');
              }
              const who: RequestPrincipal = principal ?? {
                kind: 'aws',
                arn: 'arn:aws:iam::000000000000:role/(node role not in these files)',
              };
              return evaluatePolicy(
                policy,
                { principal: who, action, ...(fsArn ? { resource: fsArn } : {}), context },
                { name: 'file system policy', hasPrincipals: true },
              );
            });
            const denies = outcomes.map((o) => o.denies);
            if (!denies.includes(true) && !denies.includes('unknown')) continue;
            const undecidable = !denies.every((d) => d === true);
            const trace: TraceStep[] = outcomes.find((o) => o.denies !== false)?.trace ?? [];
            const deny = trace.find((t) => t.outcome === 'deny' || t.outcome === 'unknown');
            const how = `${iam ? 'with `iam`' : 'without `iam` (anonymous)'}, ${tls === true ? 'with TLS' : tls === false ? 'without TLS (encryptInTransit "false", no access point)' : 'with TLS depending on an unknown encryptInTransit'}`;
            const effect =
              action === CLIENT_MOUNT
                ? 'every mount fails with "access denied by server"'
                : 'the volume mounts but every write fails with "Permission denied"/"Read-only file system"';
            findings.push({
              message: undecidable
                ? `${volume.resource} mounts ${name} ${how}; whether statement ${deny?.sid ? `\`${deny.sid}\`` : ''} of the file system policy denies ${action} depends on an unknown value`
                : `${volume.resource} mounts ${name} ${how}, and ${deny?.sid ? `statement \`${deny.sid}\`` : 'a Deny statement'} of the file system policy denies ${action} for that mount: ${effect}, whatever the Allow statements grant`,
              origin: deny?.origin ?? policy.origin,
              resource: volume.resource,
              trace,
              ...(undecidable ? { undecidable: true } : {}),
              fix:
                tls !== true
                  ? `Mount with TLS: remove \`encryptInTransit: "false"\` from ${volume.resource} (driver v3 enables TLS by default)${iam ? '' : ' and add `iam` to its mountOptions'}.`
                  : iam
                    ? `Change the Deny statement so it does not match this mount, or change ${volume.resource}'s mount (see the trace).`
                    : `Add \`iam\` to the mountOptions of ${volume.resource}: the Deny matches anonymous clients.`,
            });
            break outer;
          }
        }
      }
    }
    return findings;
  },
};
