import type { PolicyDocument } from '../model/policy';
import type { TraceStep } from '../model/finding';
import { unknown } from '../model/unknown';
import { mountContext } from '../policy/decisions';
import { evaluatePolicy, type PolicyOutcome, type RequestPrincipal } from '../policy/evaluate';
import type { FileSystem } from '../model/snapshot';
import type { Rule, RuleFinding } from './rule';
import type { DriverVolume, NodeIdentityView } from './view';
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
    const outcomesByPolicy = new Map<object, Map<string, PolicyOutcome>>();
    const denyOutcomes = new Map<object, Map<string, PolicyOutcome>>();
    // What the loop needs of a volume, worked out at its first visit: a repository with many file systems whose IDs
    // are known only after apply visits the same volumes once per file system.
    const volumeFacts = new Map<DriverVolume, VolumeFacts | null>();
    const signatures = new Map<string, number>();
    const lists = new Map<DriverVolume[], ListFacts>();
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      const name = fileSystemName(fileSystem);
      const fsArn = arnOf(fileSystem);
      const denying = denyingPart(policy);
      const volumes = view.volumesOn(fileSystem);
      const { facts: listFacts, representatives } = factsForList(
        view,
        fileSystem,
        volumes,
        volumeFacts,
        signatures,
        lists,
      );
      // A policy without Deny statements denies nothing (the volumes are still visited above: their first visit
      // pairs them with node roles).
      if (denying.statements.length === 0) continue;
      /** Pushes FS-09's finding for a volume, if any, to `out`. */
      const judge = (volume: DriverVolume, facts: VolumeFacts, out: RuleFinding[]) => {
        const { iam, nodePrincipals, tls } = facts;
        // With `iam` but no node role in the files, the principal's own keys are unknown rather than guessed.
        const principals: Array<RequestPrincipal | undefined> = !iam
          ? [{ kind: 'anonymous' }]
          : nodePrincipals.length > 0
            ? // When no Deny depends on who the principal is, one node role answers for all of them.
              principalBlindDenies(policy)
              ? nodePrincipals.slice(0, 1)
              : nodePrincipals
            : [undefined];
        const actions = volume.readWrite ? [CLIENT_MOUNT, CLIENT_WRITE] : [CLIENT_MOUNT];
        for (const principal of principals) {
          for (const action of actions) {
            const outcomeFor =
              (document: PolicyDocument, memos: Map<object, Map<string, PolicyOutcome>>) => (t: boolean) => {
                const mount = { ...mountOf(volume, fileSystem), tls: t, iam };
                // Volumes with the same mount get the same answer from one policy: evaluate each once.
                const memoKey = `${principal?.kind === 'aws' ? principal.arn : (principal?.kind ?? '-')}|${action}|${t}|${iam}|${mount.accessPointArn ?? ''}`;
                let memo = memos.get(document);
                if (!memo) memos.set(document, (memo = new Map()));
                const known = memo.get(memoKey);
                if (known) return known;
                const context = mountContext(mount, principal?.kind === 'aws' ? principal : undefined);
                if (!principal) {
                  for (const key of ['aws:principalarn', 'aws:principalaccount'])
                    context[key] = unknown('the node role (not in these files)');
                }
                const who: RequestPrincipal = principal ?? {
                  kind: 'aws',
                  arn: 'arn:aws:iam::000000000000:role/(node role not in these files)',
                };
                const outcome = evaluatePolicy(
                  document,
                  { principal: who, action, ...(fsArn ? { resource: fsArn } : {}), context },
                  { name: 'file system policy', hasPrincipals: true },
                );
                memo.set(memoKey, outcome);
                return outcome;
              };
            const tlsValues = tls === 'unknown' ? [true, false] : [tls];
            // Whether the policy denies is up to its Deny statements alone (evaluatePolicy judges each statement on
            // its own): the whole policy is evaluated, for the trace, only when they deny.
            if (tlsValues.map(outcomeFor(denying, denyOutcomes)).every((o) => o.denies === false)) continue;
            const outcomes = tlsValues.map(outcomeFor(policy, outcomesByPolicy));
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
            out.push({
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
            return;
          }
        }
      };
      // Volumes with the same signature (principals, `iam`, TLS, access, access point) get the same outcomes from the
      // evaluation memo, so one of each tells whether any volume on this file system is denied; usually none is.
      const trial: RuleFinding[] = [];
      for (const i of representatives) judge(volumes[i], listFacts[i] as VolumeFacts, trial);
      if (trial.length === 0) continue;
      const cleared = new Set<number>();
      volumes.forEach((volume, i) => {
        const facts = listFacts[i];
        if (!facts || cleared.has(facts.signature)) return;
        const findingsBefore = findings.length;
        judge(volume, facts, findings);
        if (findings.length === findingsBefore) cleared.add(facts.signature);
      });
    }
    return findings;
  },
};

interface VolumeFacts {
  iam: boolean;
  tls: boolean | 'unknown';
  nodePrincipals: Array<RequestPrincipal & { kind: 'aws' }>;
  /** Equal for volumes that FS-09 cannot tell apart on one file system: same principals, `iam`, TLS, access and access point. */
  signature: number;
}

/**
 * The facts of every volume of a list (as volumesOn gives it; file systems with one ID share it), kept per list, and
 * the position of the first volume with each signature. A volume's facts are worked out at its first visit, with the
 * file system of that visit, as a loop over the volumes would.
 */
interface ListFacts {
  facts: Array<VolumeFacts | null>;
  representatives: number[];
}

function factsForList(
  view: NodeIdentityView,
  fileSystem: FileSystem,
  volumes: DriverVolume[],
  volumeFacts: Map<DriverVolume, VolumeFacts | null>,
  signatures: Map<string, number>,
  lists: Map<DriverVolume[], ListFacts>,
): ListFacts {
  let found = lists.get(volumes);
  if (!found) {
    const seen = new Set<number>();
    const representatives: number[] = [];
    const facts = volumes.map((volume, i) => {
      let known = volumeFacts.get(volume);
      if (known === undefined) {
        known = factsOf(view, fileSystem, volume, signatures) ?? null;
        volumeFacts.set(volume, known);
      }
      if (known && !seen.has(known.signature)) {
        seen.add(known.signature);
        representatives.push(i);
      }
      return known;
    });
    found = { facts, representatives };
    lists.set(volumes, found);
  }
  return found;
}

/** What FS-09 needs of a volume; undefined for an S3 Files volume (not this rule's). */
function factsOf(
  view: NodeIdentityView,
  fileSystem: FileSystem,
  volume: DriverVolume,
  signatures: Map<string, number>,
): VolumeFacts | undefined {
  if (isS3FilesVolume(volume)) return undefined;
  const iam = hasMountOption(volume, 'iam');
  // Paired at the first file system that asks; nodePrincipalsFor keeps that answer for the volume anyway.
  const nodePrincipals = nodePrincipalsFor(view, { fileSystem, volume }).map((p) => p.principal);
  const tls = volumeTls(volume);
  const text = `${iam}|${tls}|${volume.readWrite}|${volume.accessPointId ?? ''}|${nodePrincipals.map((p) => p.arn).join(',')}`;
  let signature = signatures.get(text);
  if (signature === undefined) signatures.set(text, (signature = signatures.size));
  return { iam, tls, nodePrincipals, signature };
}

const denyingParts = new WeakMap<PolicyDocument, PolicyDocument>();

/** The statements of a policy that can deny: Deny, or an effect that is unknown. */
function denyingPart(policy: PolicyDocument): PolicyDocument {
  let part = denyingParts.get(policy);
  if (!part) {
    part = { ...policy, statements: policy.statements.filter((s) => s.effect !== 'Allow') };
    denyingParts.set(policy, part);
  }
  return part;
}

const blind = new WeakMap<object, boolean>();

/** Every Deny names Principal "*" and no condition key of the principal: the principal cannot change a Deny. */
function principalBlindDenies(policy: PolicyDocument): boolean {
  let answer = blind.get(policy);
  if (answer === undefined) {
    answer = policy.statements
      .filter((s) => s.effect !== 'Allow')
      .every(
        (s) =>
          !s.notPrincipal &&
          (s.principal?.AWS ?? []).includes('*') &&
          !s.conditions.some(
            (c) => c.keyUnknown || /^aws:(principal|userid|username|sourceidentity)/i.test(c.key),
          ),
      );
    blind.set(policy, answer);
  }
  return answer;
}
