/**
 * Scenarios: YAML files in `packages/sandbox/scenarios/` that describe the sandbox's world declaratively (see
 * schema.ts and the README). `readScenario(name)` reads and validates one; `loadScenario(state, data)` seeds a
 * state with it through the same seed helpers the tests use (services/eks-seed.ts, services/network-seed.ts,
 * kube/seed.ts), so a scenario cannot build anything the helpers would not.
 *
 * Errors name the file and the field (`healthy.yaml:42 accounts[0].roles[1].trustPolicy: …`): scenario files are
 * edited by hand for demos and tests, and a message that says where is most of the fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { addAccount } from '../accounts';
import { addAccessEntry, addAddon, addAssociation, addCluster, addNodegroup } from '../services/eks-seed';
import { zonesFor } from '../services/ec2-zones';
import {
  addAccessPoint,
  addFileSystem,
  addHostedZone,
  addMountTarget,
  addRouteTable,
  addSecurityGroup,
  addSubnet,
  addVpc,
  addVpcPeering,
  setAvailabilityZones,
} from '../services/network-seed';
import {
  addEfsCsiNode,
  addNode,
  addPersistentVolume,
  addPersistentVolumeClaim,
  addSecret,
  addServiceAccount,
  addStorageClass,
} from '../kube/seed';
import {
  addBucket,
  addS3FileSystem,
  addS3FilesAccessPoint,
  addS3FilesMountTarget,
} from '../services/s3files-seed';
import type { Account, SandboxState } from '../state/account';
import type { EksCluster } from '../state/eks';
import { nodeHost } from '../kube/node-exec';
import { iamId, newRole } from '../state/iam';
import {
  durationMs,
  scenarioSchema,
  type ScenarioAccount,
  type ScenarioCluster,
  type ScenarioNode,
  type ScenarioData,
} from './schema';

export { durationMs, scenarioSchema, type ScenarioData } from './schema';

/** Where the scenario files are: `packages/sandbox/scenarios` (the same relative place from src/ and dist/). */
export const SCENARIO_DIR = path.resolve(__dirname, '..', '..', 'scenarios');

/** A scenario that cannot be read, parsed, validated or loaded: the message names the file and the field. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** The names of the bundled scenarios (file names without `.yaml`), sorted. */
export function scenarioNames(dir = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Name, one-line description and rule IDs of each bundled scenario (for `sandbox --list` and the demo catalog). */
export function listScenarios(
  dir = SCENARIO_DIR,
): Array<{ name: string; description: string; rules: string[] }> {
  return scenarioNames(dir).map((name) => {
    const data = readScenario(name, dir);
    return { name, description: data.description, rules: data.rules ?? [] };
  });
}

/** `accounts[0].roles[1].name` from a zod/YAML path. */
function fieldName(parts: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of parts)
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

/** Reads and validates a bundled scenario by name. */
export function readScenario(name: string, dir = SCENARIO_DIR): ScenarioData {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !scenarioNames(dir).includes(name)) {
    throw new ScenarioError(`unknown scenario "${name}" (known: ${scenarioNames(dir).join(', ')})`);
  }
  const file = path.join(dir, `${name}.yaml`);
  return parseScenario(readFileSync(file, 'utf8'), `${name}.yaml`);
}

/** Parses and validates scenario YAML (or JSON, which is YAML) text; `file` names it in errors. */
export function parseScenario(text: string, file = 'scenario'): ScenarioData {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const at = lines.linePos(error.pos[0]);
    throw new ScenarioError(`${file}:${at.line}: not valid YAML: ${error.message.split('\n')[0]}`, file);
  }
  const result = scenarioSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const parts: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) parts.push(issue.keys[0]!);
  // The line of the nearest node that exists (a missing field has none: point at its parent).
  let line: number | undefined;
  for (let n = parts.length; n >= 0 && line === undefined; n--) {
    const node = doc.getIn(parts.slice(0, n) as Array<string | number>, true);
    if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
  }
  const field = fieldName(parts);
  throw new ScenarioError(
    `${file}${line !== undefined ? `:${line}` : ''}: ${field}: ${issue.message}`,
    file,
    field,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

const policyText = (policy: string | Record<string, unknown>) =>
  typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);

class Loader {
  private readonly now: number;

  constructor(
    private readonly state: SandboxState,
    private readonly source: string,
  ) {
    this.now = state.now();
  }

  fail(field: string, message: string): never {
    throw new ScenarioError(`${this.source}: ${field}: ${message}`, this.source, field);
  }

  ago(text: string | undefined): number {
    return text === undefined ? this.now : this.now - durationMs(text);
  }

  account(id: string, field: string): Account {
    return this.state.accounts.get(id) ?? this.fail(field, `no account ${id} in the scenario`);
  }

  /** A role name of this account → its ARN; an ARN as given (it may name a role the sandbox does not have). */
  roleArn(account: Account, ref: string, field: string): string {
    if (ref.startsWith('arn:')) return ref;
    return account.iam.roles.get(ref)?.arn ?? this.fail(field, `no role ${ref} in account ${account.id}`);
  }

  /** Runs a seed helper, turning its error into one that names the field. */
  seed<T>(field: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ScenarioError) throw error;
      return this.fail(field, (error as Error).message.replace(/^(eks )?seed: /, ''));
    }
  }

  load(data: ScenarioData): void {
    const { state } = this;
    const settings = data.settings ?? {};
    if (settings.associationDelay !== undefined)
      state.settings.associationDelayMs = durationMs(settings.associationDelay);
    if (settings.roleDelay !== undefined) state.settings.roleDelayMs = durationMs(settings.roleDelay);
    if (settings.enforcePermissions !== undefined)
      state.settings.enforcePermissions = settings.enforcePermissions;

    const seen = new Set<string>();
    data.accounts.forEach((a, i) => {
      if (seen.has(a.id)) this.fail(`accounts[${i}].id`, `account ${a.id} is listed twice`);
      seen.add(a.id);
    });
    // Dependencies decide the order: accounts and IAM, then networks, peerings (two accounts), file systems (subnets),
    // then clusters (roles, networks) and, per cluster, what pods must see before they are created.
    data.accounts.forEach((a, i) => this.accountAndIam(a, `accounts[${i}]`));
    data.accounts.forEach((a, i) => this.network(a, `accounts[${i}]`));
    (data.peerings ?? []).forEach((p, i) => {
      const field = `peerings[${i}]`;
      this.account(p.requester.account, `${field}.requester.account`);
      this.account(p.accepter.account, `${field}.accepter.account`);
      this.seed(field, () =>
        addVpcPeering(state, {
          id: p.id,
          requester: { accountId: p.requester.account, vpcId: p.requester.vpc },
          accepter: { accountId: p.accepter.account, vpcId: p.accepter.vpc },
          ...(p.status ? { status: p.status } : {}),
        }),
      );
    });
    data.accounts.forEach((a, i) => this.fileSystems(a, `accounts[${i}]`));
    data.accounts.forEach((a, i) => this.s3Files(a, `accounts[${i}]`));
    data.accounts.forEach((a, i) => {
      const account = this.account(a.id, `accounts[${i}].id`);
      (a.clusters ?? []).forEach((c, j) =>
        this.cluster(account, c, `accounts[${i}].clusters[${j}]`, settings.rolloutDelay),
      );
      (a.oidcProviders ?? []).forEach((p, j) => {
        const field = `accounts[${i}].oidcProviders[${j}]`;
        const issuer =
          p.url ??
          (
            account.eks.clusters.get(p.cluster!) ??
            this.fail(`${field}.cluster`, `no cluster ${p.cluster} in account ${account.id}`)
          ).oidcIssuer;
        const hostPath = issuer.replace(/^https:\/\//, '');
        const arn = `arn:aws:iam::${account.id}:oidc-provider/${hostPath}`;
        account.iam.oidcProviders.set(arn, {
          arn,
          url: hostPath,
          clientIds: p.clientIds ?? ['sts.amazonaws.com'],
          // Guess: a placeholder thumbprint (IAM no longer uses it for EKS issuers); only its shape matters.
          thumbprints: p.thumbprints ?? ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
          createDate: new Date(this.now),
          tags: new Map(),
        });
      });
    });
  }

  private accountAndIam(a: ScenarioAccount, field: string): void {
    const { state } = this;
    const { account } = addAccount(state, a.id);
    for (const [region, mapping] of Object.entries(a.network?.availabilityZones ?? {})) {
      setAvailabilityZones(state, a.id, region, mapping);
    }
    if (a.admin) {
      const arn = `arn:aws:iam::${a.id}:user/sandbox-admin`;
      account.iam.users.set('sandbox-admin', {
        userName: 'sandbox-admin',
        // The same ID STS reports for the user without a record, so GetCallerIdentity does not change with the scenario.
        userId: iamId('AIDA', arn),
        arn,
        inlinePolicies: new Map(
          Object.entries(a.admin.inlinePolicies ?? {}).map(([k, v]) => [k, policyText(v)]),
        ),
        attachedPolicyArns: [...(a.admin.managedPolicyArns ?? [])],
      });
    }
    (a.roles ?? []).forEach((r, j) => {
      const roleField = `${field}.roles[${j}]`;
      if (account.iam.roles.has(r.name)) this.fail(`${roleField}.name`, `role ${r.name} is listed twice`);
      const role = newRole(a.id, r.name, policyText(r.trustPolicy), {
        ...(r.path !== undefined ? { path: r.path } : {}),
        ...(r.description !== undefined ? { description: r.description } : {}),
        now: this.ago(r.createdAgo),
        delayMs: state.settings.roleDelayMs,
        tags: new Map(Object.entries(r.tags ?? {})),
      });
      for (const [name, doc] of Object.entries(r.inlinePolicies ?? {}))
        role.inlinePolicies.set(name, policyText(doc));
      role.attachedPolicyArns.push(...(r.managedPolicyArns ?? []));
      account.iam.roles.set(r.name, role);
      if (r.nodeInstanceRole) {
        account.iam.instanceProfiles.set(r.name, {
          name: r.name,
          id: iamId('AIPA', `${a.id}/${r.name}`),
          arn: `arn:aws:iam::${a.id}:instance-profile${role.path}${r.name}`,
          path: role.path,
          roleNames: [r.name],
          createDate: role.createDate,
        });
      }
    });
  }

  private network(a: ScenarioAccount, field: string): void {
    const { state } = this;
    const net = a.network;
    if (!net) return;
    (net.vpcs ?? []).forEach((v, j) => {
      const vf = `${field}.network.vpcs[${j}]`;
      const vpc = this.seed(vf, () =>
        addVpc(state, a.id, {
          vpcId: v.id,
          cidrBlock: v.cidr,
          ...(v.region ? { region: v.region } : {}),
          ...(v.name ? { name: v.name } : {}),
          ...(v.tags ? { tags: v.tags } : {}),
        }),
      );
      (v.subnets ?? []).forEach((s, k) =>
        this.seed(`${vf}.subnets[${k}]`, () =>
          addSubnet(state, a.id, {
            subnetId: s.id,
            vpcId: vpc.vpcId,
            cidrBlock: s.cidr,
            ...(s.az ? { availabilityZone: s.az } : {}),
            ...(s.azId ? { availabilityZoneId: s.azId } : {}),
            ...(s.name ? { name: s.name } : {}),
            ...(s.tags ? { tags: s.tags } : {}),
          }),
        ),
      );
      (v.securityGroups ?? []).forEach((g, k) =>
        this.seed(`${vf}.securityGroups[${k}]`, () =>
          addSecurityGroup(state, a.id, {
            groupId: g.id,
            groupName: g.name,
            vpcId: vpc.vpcId,
            ...(g.description ? { description: g.description } : {}),
            ...(g.defaultEgress !== undefined ? { defaultEgress: g.defaultEgress } : {}),
            ...(g.tags ? { tags: g.tags } : {}),
            rules: (g.rules ?? []).map((r) => ({
              egress: r.direction === 'egress',
              ...(r.protocol !== undefined ? { ipProtocol: r.protocol } : {}),
              ...(r.port !== undefined ? { port: r.port } : {}),
              ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}),
              ...(r.toPort !== undefined ? { toPort: r.toPort } : {}),
              ...(r.cidr !== undefined ? { cidrIpv4: r.cidr } : {}),
              ...(r.sourceGroup !== undefined ? { referencedGroupId: r.sourceGroup } : {}),
              ...(r.sourceGroupOwner !== undefined ? { referencedGroupOwnerId: r.sourceGroupOwner } : {}),
              ...(r.description !== undefined ? { description: r.description } : {}),
            })),
          }),
        ),
      );
      (v.routeTables ?? []).forEach((t, k) =>
        this.seed(`${vf}.routeTables[${k}]`, () =>
          addRouteTable(state, a.id, {
            routeTableId: t.id,
            vpcId: vpc.vpcId,
            ...(t.main !== undefined ? { main: t.main } : {}),
            ...(t.subnets ? { subnetIds: t.subnets } : {}),
            ...(t.name ? { name: t.name } : {}),
            routes: (t.routes ?? []).map((r) => ({
              destinationCidrBlock: r.destination,
              ...(r.peering ? { vpcPeeringConnectionId: r.peering } : {}),
              ...(r.transitGateway ? { transitGatewayId: r.transitGateway } : {}),
              ...(r.gateway ? { gatewayId: r.gateway } : {}),
              ...(r.natGateway ? { natGatewayId: r.natGateway } : {}),
              ...(r.state ? { state: r.state } : {}),
            })),
          }),
        ),
      );
    });
    const account = this.account(a.id, `${field}.id`);
    (net.hostedZones ?? []).forEach((z, j) => {
      const zf = `${field}.network.hostedZones[${j}]`;
      const vpcs = (z.vpcs ?? []).map((v, k) => {
        if (typeof v !== 'string') return { vpcId: v.vpc, vpcRegion: v.region };
        const found =
          account.ec2.vpcs.get(v) ?? this.fail(`${zf}.vpcs[${k}]`, `no VPC ${v} in account ${a.id}`);
        return { vpcId: v, vpcRegion: found.region ?? state.defaultRegion };
      });
      this.seed(zf, () =>
        addHostedZone(state, a.id, {
          ...(z.id ? { id: z.id } : {}),
          name: z.name,
          vpcs,
          ...(z.comment ? { comment: z.comment } : {}),
          records: (z.records ?? []).map((r) => ({
            name: r.name,
            type: r.type,
            ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
            values: r.values,
          })),
        }),
      );
    });
  }

  /** Buckets first (a file system may link to a bucket of another account), then the S3 file systems. */
  private s3Files(a: ScenarioAccount, field: string): void {
    const { state } = this;
    const account = this.account(a.id, `${field}.id`);
    (a.buckets ?? []).forEach((b, j) =>
      this.seed(`${field}.buckets[${j}]`, () =>
        addBucket(state, a.id, {
          name: b.name,
          ...(b.region ? { region: b.region } : {}),
          ...(b.policy !== undefined && b.policy !== null ? { policy: policyText(b.policy) } : {}),
        }),
      ),
    );
    (a.s3FileSystems ?? []).forEach((f, j) => {
      const ff = `${field}.s3FileSystems[${j}]`;
      const fs = this.seed(ff, () =>
        addS3FileSystem(state, a.id, {
          fileSystemId: f.id,
          bucket: f.bucket,
          roleArn: this.roleArn(account, f.role, `${ff}.role`),
          ...(f.prefix !== undefined ? { prefix: f.prefix } : {}),
          ...(f.region ? { region: f.region } : {}),
          ...(f.name ? { name: f.name } : {}),
          ...(f.policy !== undefined && f.policy !== null ? { policy: policyText(f.policy) } : {}),
          ...(f.tags ? { tags: f.tags } : {}),
          creationTime: new Date(this.ago(f.createdAgo)),
        }),
      );
      (f.mountTargets ?? []).forEach((m, k) => {
        const mf = `${ff}.mountTargets[${k}]`;
        const subnetId =
          m.subnet ??
          [...account.ec2.subnets.values()].find((s) => s.availabilityZoneId === m.azId)?.subnetId ??
          this.fail(`${mf}.azId`, `account ${a.id} has no subnet in ${m.azId} for the mount target`);
        this.seed(mf, () =>
          addS3FilesMountTarget(state, a.id, {
            ...(m.id ? { mountTargetId: m.id } : {}),
            fileSystemId: fs.fileSystemId,
            subnetId,
            ...(m.ip ? { ipAddress: m.ip } : {}),
            ...(m.securityGroups ? { securityGroups: m.securityGroups } : {}),
            ...(m.state ? { status: m.state } : {}),
          }),
        );
      });
      (f.accessPoints ?? []).forEach((p, k) =>
        this.seed(`${ff}.accessPoints[${k}]`, () =>
          addS3FilesAccessPoint(state, a.id, {
            accessPointId: p.id,
            fileSystemId: fs.fileSystemId,
            ...(p.name ? { name: p.name } : {}),
            ...(p.tags ? { tags: p.tags } : {}),
            ...(p.posixUser ? { posixUser: p.posixUser } : {}),
            ...(p.rootDirectory ? { rootDirectory: p.rootDirectory } : {}),
          }),
        ),
      );
    });
  }

  private fileSystems(a: ScenarioAccount, field: string): void {
    const { state } = this;
    const account = this.account(a.id, `${field}.id`);
    (a.fileSystems ?? []).forEach((f, j) => {
      const ff = `${field}.fileSystems[${j}]`;
      const fs = this.seed(ff, () =>
        addFileSystem(state, a.id, {
          fileSystemId: f.id,
          ...(f.region ? { region: f.region } : {}),
          ...(f.name ? { name: f.name } : {}),
          ...(f.policy !== undefined && f.policy !== null ? { policy: policyText(f.policy) } : {}),
          ...(f.encrypted !== undefined ? { encrypted: f.encrypted } : {}),
          ...(f.tags ? { tags: f.tags } : {}),
          creationTime: new Date(this.ago(f.createdAgo)),
        }),
      );
      (f.mountTargets ?? []).forEach((m, k) => {
        const mf = `${ff}.mountTargets[${k}]`;
        let subnetId = m.subnet;
        if (subnetId !== undefined) {
          const subnet =
            account.ec2.subnets.get(subnetId) ??
            this.fail(`${mf}.subnet`, `no subnet ${subnetId} in account ${a.id}`);
          if (subnet.availabilityZoneId !== m.azId)
            this.fail(`${mf}.subnet`, `subnet ${subnetId} is in ${subnet.availabilityZoneId}, not ${m.azId}`);
        } else {
          subnetId =
            [...account.ec2.subnets.values()].find((s) => s.availabilityZoneId === m.azId)?.subnetId ??
            this.fail(
              `${mf}.azId`,
              `account ${a.id} has no subnet in ${m.azId} for the mount target (add one under network.vpcs)`,
            );
        }
        this.seed(mf, () =>
          addMountTarget(state, a.id, {
            ...(m.id ? { mountTargetId: m.id } : {}),
            fileSystemId: fs.fileSystemId,
            subnetId: subnetId!,
            ...(m.ip ? { ipAddress: m.ip } : {}),
            ...(m.securityGroups ? { securityGroups: m.securityGroups } : {}),
            ...(m.state ? { lifeCycleState: m.state } : {}),
          }),
        );
      });
      (f.accessPoints ?? []).forEach((p, k) =>
        this.seed(`${ff}.accessPoints[${k}]`, () =>
          addAccessPoint(state, a.id, {
            accessPointId: p.id,
            fileSystemId: fs.fileSystemId,
            ...(p.name ? { name: p.name } : {}),
            ...(p.tags ? { tags: p.tags } : {}),
            ...(p.posixUser ? { posixUser: { Uid: p.posixUser.uid, Gid: p.posixUser.gid } } : {}),
            ...(p.rootDirectory
              ? {
                  rootDirectory: {
                    Path: p.rootDirectory.path,
                    ...(p.rootDirectory.owner
                      ? {
                          CreationInfo: {
                            OwnerUid: p.rootDirectory.owner.uid,
                            OwnerGid: p.rootDirectory.owner.gid,
                            Permissions: p.rootDirectory.owner.permissions,
                          },
                        }
                      : {}),
                  },
                }
              : {}),
          }),
        ),
      );
    });
  }

  private cluster(
    account: Account,
    c: ScenarioCluster,
    field: string,
    rolloutDelay: string | undefined,
  ): void {
    const { state } = this;
    const createdAt = this.ago(c.createdAgo);
    const cluster: EksCluster = this.seed(field, () =>
      addCluster(state, account, {
        name: c.name,
        ...(c.region ? { region: c.region } : {}),
        ...(c.version ? { version: c.version } : {}),
        ...(c.platformVersion ? { platformVersion: c.platformVersion } : {}),
        ...(c.oidcId ? { oidcId: c.oidcId } : {}),
        ...(c.vpc ? { vpcId: c.vpc } : {}),
        ...(c.subnets ? { subnetIds: c.subnets } : {}),
        ...(c.clusterSecurityGroup ? { clusterSecurityGroupId: c.clusterSecurityGroup } : {}),
        ...(c.securityGroups ? { securityGroupIds: c.securityGroups } : {}),
        ...(c.role ? { roleArn: this.roleArn(account, c.role, `${field}.role`) } : {}),
        createdAt: new Date(createdAt),
      }),
    );
    if (rolloutDelay !== undefined) cluster.kube.settings.rolloutDelayMs = durationMs(rolloutDelay);
    // Associations with `deletedAgo` exist while the pods are seeded and are removed afterwards.
    const deletions: Array<{ id: string; at: number }> = [];
    (c.addons ?? []).forEach((d, j) => {
      const df = `${field}.addons[${j}]`;
      const addonCreated = this.ago(d.createdAgo);
      const addon = this.seed(df, () =>
        addAddon(state, account, cluster.name, {
          addonName: d.name,
          addonVersion: d.version,
          ...(d.status ? { status: d.status } : {}),
          ...(d.healthIssues ? { health: { issues: d.healthIssues } } : {}),
          ...(d.serviceAccountRole
            ? {
                serviceAccountRoleArn: this.roleArn(
                  account,
                  d.serviceAccountRole,
                  `${df}.serviceAccountRole`,
                ),
              }
            : {}),
          ...(d.configurationValues !== undefined ? { configurationValues: d.configurationValues } : {}),
          createdAt: new Date(addonCreated),
        }),
      );
      // The owned associations are seeded here rather than by addAddon so each can have its own creation time
      // (an UpdateAddon that added one after the add-on was created).
      (d.podIdentityAssociations ?? []).forEach((p, k) => {
        const at = p.createdAgo === undefined ? addonCreated : this.ago(p.createdAgo);
        const made = addAssociation(state, account, cluster.name, {
          namespace: 'kube-system',
          serviceAccount: p.serviceAccount,
          roleArn: this.roleArn(account, p.role, `${df}.podIdentityAssociations[${k}].role`),
          ownerArn: addon.addonArn,
          createdAt: new Date(at),
        });
        if (p.deletedAgo !== undefined) {
          deletions.push({ id: made.associationId, at: this.ago(p.deletedAgo) });
          addon.modifiedAt = new Date(Math.max(addon.modifiedAt.getTime(), this.ago(p.deletedAgo)));
        }
      });
    });
    (c.associations ?? []).forEach((p, j) => {
      const pf = `${field}.associations[${j}]`;
      const created = this.ago(p.createdAgo);
      const made = addAssociation(state, account, cluster.name, {
        ...(p.id ? { associationId: p.id } : {}),
        namespace: p.namespace ?? 'kube-system',
        serviceAccount: p.serviceAccount,
        roleArn: this.roleArn(account, p.role, `${pf}.role`),
        ...(p.targetRole ? { targetRoleArn: this.roleArn(account, p.targetRole, `${pf}.targetRole`) } : {}),
        ...(p.disableSessionTags !== undefined ? { disableSessionTags: p.disableSessionTags } : {}),
        ...(p.policy !== undefined ? { policy: policyText(p.policy) } : {}),
        createdAt: new Date(created),
        ...(p.modifiedAgo !== undefined ? { modifiedAt: new Date(this.ago(p.modifiedAgo)) } : {}),
        // Pods admitted after the last change see it (a modification re-applies with the same delay).
        effectiveAt:
          (p.modifiedAgo !== undefined ? this.ago(p.modifiedAgo) : created) +
          state.settings.associationDelayMs,
      });
      if (p.deletedAgo !== undefined) deletions.push({ id: made.associationId, at: this.ago(p.deletedAgo) });
    });
    (c.nodegroups ?? []).forEach((g, j) =>
      this.seed(`${field}.nodegroups[${j}]`, () =>
        addNodegroup(state, account, cluster.name, {
          nodegroupName: g.name,
          nodeRole: this.roleArn(account, g.nodeRole, `${field}.nodegroups[${j}].nodeRole`),
          ...(g.subnets ? { subnets: g.subnets } : {}),
          ...(g.desiredSize !== undefined ? { desiredSize: g.desiredSize } : {}),
          ...(g.instanceTypes ? { instanceTypes: g.instanceTypes } : {}),
          ...(g.labels ? { labels: g.labels } : {}),
        }),
      ),
    );
    (c.accessEntries ?? []).forEach((e, j) =>
      addAccessEntry(state, account, cluster.name, {
        principalArn: this.roleArn(account, e.principal, `${field}.accessEntries[${j}].principal`),
        ...(e.type ? { type: e.type } : {}),
        ...(e.groups ? { kubernetesGroups: e.groups } : {}),
        ...(e.username ? { username: e.username } : {}),
        ...(e.accessPolicies ? { accessPolicies: e.accessPolicies } : {}),
      }),
    );
    this.kubernetes(account, cluster, c, `${field}.kubernetes`, createdAt);
    for (const { id } of deletions) cluster.associations.delete(id);
  }

  /** The node's mount state files and efs-plugin log lines (kube/node-exec.ts serves them). */
  private nodeHost(cluster: EksCluster, nodeName: string, n: ScenarioNode): void {
    if (!n.efsState && !n.efsPluginLog) return;
    const host = nodeHost(cluster, nodeName);
    (n.efsState ?? []).forEach((f, i) => {
      const mountpoint =
        f.mountpoint ??
        `/var/lib/kubelet/pods/${f.podUid ?? '00000000-0000-4000-8000-000000000000'}/volumes/kubernetes.io~csi/${f.persistentVolume ?? 'volume'}/mount`;
      const port = f.port ?? 20049 + i;
      // efs-utils' file name: fs id, the mount point with / as . (leading dots stripped), the tunnel port.
      const name = `${f.fileSystem}.${mountpoint.replace(/\//g, '.').replace(/^\.+/, '')}.${port}`;
      const region = f.region ?? cluster.region;
      const stateDir = `${name}+`;
      const content =
        f.content ??
        JSON.stringify({
          pid: 2000 + i,
          cmd: ['/usr/bin/efs-proxy', `/var/run/efs/stunnel-config.${name}`, '--tls'],
          files: [`/var/run/efs/stunnel-config.${name}`],
          mount_time: this.ago(f.mountedAgo) / 1000,
          mountpoint,
          service_type: 'efs',
          ...(f.awsCredentialsMethod !== undefined ? { awsCredentialsMethod: f.awsCredentialsMethod } : {}),
          ...(f.accessPoint ? { accessPoint: f.accessPoint } : {}),
          mountStateDir: stateDir,
          commonName: nodeName.slice(0, 64),
          region,
          certificate: `/var/run/efs/${stateDir}/certificate.pem`,
          privateKey: '/etc/amazon/efs/privateKey.pem',
          fsId: f.fileSystem,
        });
      host.efsState.set(name, content);
    });
    for (const l of n.efsPluginLog ?? []) host.pluginLog.push({ at: this.ago(l.ago), line: l.line });
    host.pluginLog.sort((a, b) => a.at - b.at);
  }

  private kubernetes(
    account: Account,
    cluster: EksCluster,
    c: ScenarioCluster,
    field: string,
    clusterCreated: number,
  ): void {
    const k = c.kubernetes;
    if (!k) return;
    const zones = zonesFor(account, cluster.region);
    (k.nodes ?? []).forEach((n, j) => {
      const zone =
        zones.find((z) => z.zoneName === n.zone) ??
        this.fail(
          `${field}.nodes[${j}].zone`,
          `account ${account.id} has no zone ${n.zone} in ${cluster.region}`,
        );
      const added = addNode(cluster, {
        zone: zone.zoneName,
        zoneId: zone.zoneId,
        ...(n.name ? { name: n.name } : {}),
        ...(n.ip ? { internalIp: n.ip } : {}),
        ...(n.instanceId ? { instanceId: n.instanceId } : {}),
        ...(n.instanceType ? { instanceType: n.instanceType } : {}),
        ...(n.nodegroup ? { nodegroup: n.nodegroup } : {}),
        ...(n.labels ? { labels: n.labels } : {}),
        createdAt: n.createdAgo === undefined ? clusterCreated : this.ago(n.createdAgo),
      });
      this.nodeHost(cluster, added.metadata.name, n);
    });
    // ServiceAccounts (and their IRSA annotations) before the DaemonSet: the simulated webhook reads them when the
    // pods are created, as the real one does.
    for (const sa of k.serviceAccounts ?? []) {
      addServiceAccount(cluster, {
        name: sa.name,
        namespace: sa.namespace,
        ...(sa.annotations ? { annotations: sa.annotations } : {}),
        ...(sa.labels ? { labels: sa.labels } : {}),
        createdAt: this.ago(sa.createdAgo),
      });
    }
    if (k.efsCsiNode) {
      const d = k.efsCsiNode;
      const created = this.ago(d.createdAgo);
      this.seed(`${field}.efsCsiNode`, () =>
        addEfsCsiNode(cluster, {
          ...(d.imageTag ? { imageTag: d.imageTag } : {}),
          ...(d.imageRepository ? { imageRepository: d.imageRepository } : {}),
          ...(d.serviceAccountName ? { serviceAccountName: d.serviceAccountName } : {}),
          ...(d.namespace ? { namespace: d.namespace } : {}),
          ...(d.updateStrategy ? { updateStrategy: d.updateStrategy } : {}),
          ...(d.env ? { env: d.env } : {}),
          createdAt: created,
          podsCreatedAt: d.podsCreatedAgo === undefined ? created : this.ago(d.podsCreatedAgo),
        }),
      );
    }
    const at = this.now;
    for (const s of k.storageClasses ?? []) addStorageClass(cluster, s, at);
    for (const pv of k.persistentVolumes ?? []) addPersistentVolume(cluster, pv, at);
    for (const pvc of k.persistentVolumeClaims ?? []) addPersistentVolumeClaim(cluster, pvc, at);
    for (const s of k.secrets ?? []) addSecret(cluster, s, at);
  }
}

/**
 * Seeds `state` with a scenario: parsed data (validated again here, so data built in code gets the same checks) or
 * the name of a bundled scenario. `state.baseUrl` must be set first (cluster endpoints are built from it), which
 * `startSandbox` does. Loading into a state that already has the scenario's accounts adds to them.
 */
export function loadScenario(
  state: SandboxState,
  data: ScenarioData | string | unknown,
  source = 'scenario',
): ScenarioData {
  let parsed: ScenarioData;
  if (typeof data === 'string') {
    parsed = readScenario(data);
    source = `${data}.yaml`;
  } else {
    const result = scenarioSchema.safeParse(data);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = fieldName([
        ...issue.path,
        ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
      ]);
      throw new ScenarioError(`${source}: ${field}: ${issue.message}`, source, field);
    }
    parsed = result.data;
  }
  if (!state.baseUrl)
    throw new ScenarioError(
      `${source}: load scenarios after the server listens (state.baseUrl is empty)`,
      source,
    );
  new Loader(state, source).load(parsed);
  return parsed;
}
