import {
  emptySnapshot,
  normalizePolicy,
  parseVolumeHandle,
  unknown,
  type AddonInfo,
  type AssociationInfo,
  type AttachedPolicy,
  type AwsOrigin,
  type Container,
  type FileSystem,
  type KubeObjectInfo,
  type KubeOrigin,
  type KubePort,
  type Maybe,
  type NodegroupInfo,
  type PersistentVolume,
  type Pod,
  type Role,
  type Snapshot,
  type StorageClass,
} from '@efs-node-identity/core';
import { createAwsPorts, type AwsPorts } from './aws-ports';
import { eksBearerToken } from './eks-token';
import { createKubePort, type KubeAccess } from './kube';
import { limiter, memoize, type Limiter } from './limit';
import { createNodePodReads, inspectNodePods, type InspectMountsOptions } from './node-inspect';

const EFS_DRIVER = 'efs.csi.aws.com';
const EFS_ADDON = 'aws-efs-csi-driver';
const NODE_DAEMONSET = 'efs-csi-node';
const AGENT_DAEMONSET = 'eks-pod-identity-agent';
const CONTROLLER_SA = 'efs-csi-controller-sa';
const SYSTEM_NAMESPACE = 'kube-system';
const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
const ZONE_ID_LABEL = 'topology.k8s.aws/zone-id';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';
const SECRET_NAME = 'csi.storage.k8s.io/provisioner-secret-name';
const SECRET_NAMESPACE = 'csi.storage.k8s.io/provisioner-secret-namespace';
/** The only Secret keys a rule reads (K8-05, XA-03, XA-04); nothing else is copied out of a Secret. */
const SECRET_KEYS = ['awsRoleArn', 'crossaccount', 'externalId'];

/** Raised for a cluster DescribeCluster does not know: the CLI prints it without a stack trace. */
export class ClusterNotFoundError extends Error {
  constructor(cluster: string, region: string) {
    super(`cluster "${cluster}" not found in ${region} (DescribeCluster: ResourceNotFoundException)`);
    this.name = 'ClusterNotFoundError';
  }
}

export interface CollectOptions {
  cluster: string;
  region: string;
  /** File systems to verify besides those the cluster's StorageClasses and PVs name. */
  fileSystemIds?: string[];
  /**
   * Amazon S3 Files file systems to verify besides those of the cluster's `s3files:` volumes and `s3files-ap`
   * StorageClasses. Read in the cluster's account (S3 Files mounts are same-account), with the linked bucket's policy.
   */
  s3FileSystemIds?: string[];
  /**
   * Kubernetes access: a kubeconfig, `'eks-token'` (a bearer token presigned from the AWS credentials, endpoint from
   * DescribeCluster), or false for an AWS-only snapshot (inputs ['A']). Default: 'eks-token'.
   */
  kube?: Extract<KubeAccess, { kind: 'kubeconfig' }> | 'eks-token' | false;
  /** Ports of the cluster's account; default: SDK clients with the default credential chain. */
  ports?: AwsPorts;
  /**
   * Ports of other accounts (cross-account file systems and their roles): a file system the cluster account does not
   * know is looked up in each; a role ARN of such an account is read there.
   */
  otherAccounts?: AwsPorts[];
  /** Parallel reads at most (default 8). */
  concurrency?: number;
  /**
   * Opt-in ground truth: read each running efs-csi-node pod's mount state files (pods/exec, a fixed read-only
   * command in `efs-plugin`) and the last lines of its `efs-plugin` log (pods/log) into `Snapshot.nodeInspections`
   * for NR-03 and LG-01. Needs Kubernetes access; `true` takes the default limits.
   */
  inspectMounts?: boolean | InspectMountsOptions;
  env?: Record<string, string | undefined>;
}

export interface CollectStats {
  awsCalls: number;
  kubernetesCalls: number;
  /** `service:Operation` → count. */
  byOperation: Record<string, number>;
}

/**
 * A fact the run could not read because it lives in an account it has no ports for (cross-account without
 * `otherAccounts`), or that no account knows. Rules see it as absent; the CLI says so instead of staying silent.
 */
export interface UnreadFact {
  kind: 'file-system' | 'role' | 'bucket-policy';
  /** File system ID, role ARN or bucket ARN. */
  id: string;
  /** The account it belongs to, when the ARN says. */
  accountId?: string;
  reason: string;
}

export interface CollectResult {
  snapshot: Snapshot;
  stats: CollectStats;
  unread: UnreadFact[];
}

const aws = (arn: string): AwsOrigin => ({ kind: 'aws', arn });
const k8s = (ref: string): KubeOrigin => ({ kind: 'k8s', ref });
const accountOf = (arn: string | undefined) => arn?.split(':')[4];
const roleNameOf = (arn: string) => arn.split('/').pop() ?? arn;

/** Parses a document's text: a parse failure is kept as the text so FS-07 can say it is not JSON. */
function policyFrom(text: string, arn: string, withSize = false) {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = text;
  }
  return normalizePolicy(raw, aws(arn), withSize ? { size: text.length } : {});
}

/** Runs every method of a port under the limiter, memoized by arguments: one read per resource per run. */
function shared<P extends object>(port: P, limit: Limiter): P {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(port) as Array<keyof P & string>) {
    const fn = port[key];
    if (typeof fn !== 'function') continue;
    out[key] = memoize((...args: unknown[]) =>
      limit(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args)),
    );
  }
  return out as P;
}

interface Account {
  id?: string;
  ports: AwsPorts;
  iam: AwsPorts['iam'];
  efs: AwsPorts['efs'];
  ec2: AwsPorts['ec2'];
}

/**
 * Reads the live state of one cluster (and the file systems it uses) into a Snapshot, the same shape static sources
 * produce, so `verify` runs the same rules as `check`. Independent reads run in parallel under a limit; every port
 * method is memoized, so a role, policy or file system named twice is read once.
 */
export async function collectLiveSnapshot(options: CollectOptions): Promise<CollectResult> {
  const env = options.env ?? process.env;
  const stats: CollectStats = { awsCalls: 0, kubernetesCalls: 0, byOperation: {} };
  const count = (service: string, operation: string) => {
    if (service === 'kubernetes') stats.kubernetesCalls++;
    else stats.awsCalls++;
    const key = `${service}:${operation}`;
    stats.byOperation[key] = (stats.byOperation[key] ?? 0) + 1;
  };
  const ownPorts = !options.ports;
  const ports = options.ports ?? createAwsPorts({ region: options.region, onCall: count });
  const limit = limiter(options.concurrency ?? 8);
  const account = (p: AwsPorts): Account => ({
    ports: p,
    iam: shared(p.iam, limit),
    efs: shared(p.efs, limit),
    ec2: shared(p.ec2, limit),
  });
  const home = account(ports);
  const others = (options.otherAccounts ?? []).map(account);
  const eks = shared(ports.eks, limit);
  const route53 = shared(ports.route53, limit);
  const s3files = shared(ports.s3files, limit);
  const s3 = shared(ports.s3, limit);
  try {
    const s = emptySnapshot(['A']);
    const unread: UnreadFact[] = [];
    const cluster = await eks.describeCluster(options.cluster);
    if (!cluster) throw new ClusterNotFoundError(options.cluster, options.region);
    home.id = accountOf(cluster.arn);
    // Other accounts are identified by their own caller identity, once.
    await Promise.all(
      others.map(async (o) => {
        o.id = (await o.ports.sts.getCallerIdentity()).account;
      }),
    );
    const accountFor = (arn: string | undefined) => {
      const id = accountOf(arn);
      if (!id || id === home.id) return home;
      return others.find((o) => o.id === id);
    };

    // ---- Kubernetes, in parallel with the AWS reads that do not depend on it. ----
    let kube: KubePort | undefined;
    let kubeAccess: KubeAccess | undefined;
    if (options.kube !== false) {
      const access: KubeAccess =
        options.kube && options.kube !== 'eks-token'
          ? options.kube
          : {
              kind: 'token',
              server: cluster.endpoint ?? '',
              token: await eksBearerToken({
                cluster: cluster.name,
                region: options.region,
                credentials: await ports.credentials(),
                env,
              }),
              clusterName: cluster.name,
              ...(cluster.certificateAuthority ? { certificateAuthority: cluster.certificateAuthority } : {}),
            };
      if (access.kind === 'token' && !access.server)
        throw new Error(`cluster ${cluster.name} has no endpoint`);
      const port = await createKubePort({
        access,
        preferredContexts: [cluster.arn, cluster.name],
        onCall: (operation) => count('kubernetes', operation),
      });
      kube = shared(port, limit);
      s.inputs.push('K');
      kubeAccess = access;
    }

    const kubeRead = kube
      ? readKubernetes(kube, s).then(async (facts) => {
          if (options.inspectMounts && kubeAccess) {
            const settings = options.inspectMounts === true ? {} : options.inspectMounts;
            const reads = await createNodePodReads(
              {
                access: kubeAccess,
                preferredContexts: [cluster.arn, cluster.name],
                onCall: (operation) => count('kubernetes', operation),
              },
              settings,
            );
            const running = s.pods.filter(
              (p) => p.ownerDaemonSet === NODE_DAEMONSET && (p.phase === undefined || p.phase === 'Running'),
            );
            s.nodeInspections.push(...(await inspectNodePods(reads, running, settings)));
          }
          return facts;
        })
      : Promise.resolve<KubeFacts>({
          roleArns: [],
          fileSystemIds: [],
          s3FileSystemIds: [],
          nodegroupOf: new Map(),
        });
    const addonsRead = (async () => {
      const names = await eks.listAddons(cluster.name);
      const addons = await Promise.all(names.map((n) => eks.describeAddon(cluster.name, n)));
      return addons.filter((a): a is AddonInfo => !!a);
    })();
    const associationsRead = (async () => {
      const ids = await eks.listPodIdentityAssociationIds(cluster.name);
      const described = await Promise.all(
        ids.map((id) => eks.describePodIdentityAssociation(cluster.name, id)),
      );
      return described.filter((a): a is AssociationInfo => !!a);
    })();
    const nodegroupsRead = (async () => {
      const names = await eks.listNodegroups(cluster.name);
      const groups = await Promise.all(names.map((n) => eks.describeNodegroup(cluster.name, n)));
      return groups.filter((g): g is NodegroupInfo => !!g);
    })();
    const issuerHost = cluster.oidcIssuer?.replace(/^https:\/\//, '');
    const oidcRead =
      issuerHost && home.id
        ? home.iam.getOpenIdConnectProvider(`arn:aws:iam::${home.id}:oidc-provider/${issuerHost}`)
        : Promise.resolve(undefined);

    const [addons, associations, nodegroups, oidc, fromKube] = await Promise.all([
      addonsRead,
      associationsRead,
      nodegroupsRead,
      oidcRead,
      kubeRead,
    ]);

    // ---- Cluster, add-ons, associations, OIDC provider. ----
    const nodeSecurityGroupIds = [
      ...new Set([
        ...(cluster.clusterSecurityGroupId ? [cluster.clusterSecurityGroupId] : []),
        ...nodegroups.flatMap((g) => g.securityGroupIds),
      ]),
    ];
    s.clusters.push({
      name: cluster.name,
      arn: cluster.arn,
      ...(home.id ? { accountId: home.id } : {}),
      region: options.region,
      ...(cluster.oidcIssuer ? { oidcIssuer: cluster.oidcIssuer } : {}),
      ...(cluster.version ? { version: cluster.version } : {}),
      ...(cluster.vpcId ? { vpcId: cluster.vpcId } : {}),
      ...(cluster.clusterSecurityGroupId ? { clusterSecurityGroupId: cluster.clusterSecurityGroupId } : {}),
      nodeSecurityGroupIds,
      origin: aws(cluster.arn),
    });
    const addonByArn = new Map(addons.map((a) => [a.arn, a]));
    const capable = await Promise.all(
      addons.map((a) =>
        a.name === EFS_ADDON && a.version
          ? eks.describeAddonPodIdentityServiceAccounts(a.name, a.version)
          : Promise.resolve(undefined),
      ),
    );
    addons.forEach((a, i) => {
      const owned = associations.filter((x) => a.podIdentityAssociationArns.includes(x.associationArn));
      s.addons.push({
        cluster: cluster.name,
        name: a.name,
        ...(a.version ? { version: a.version } : {}),
        ...(a.status ? { status: a.status } : {}),
        healthIssues: a.healthIssues,
        podIdentityAssociations: owned.map((x) => ({
          serviceAccount: x.serviceAccount,
          roleArn: x.roleArn ?? '',
        })),
        ...(a.modifiedAt ? { modifiedAt: a.modifiedAt } : {}),
        ...(capable[i] ? { podIdentityCapableServiceAccounts: capable[i] } : {}),
        origin: aws(a.arn),
      });
    });
    for (const a of associations) {
      // ownerArn names the add-on (arn:…:addon/<cluster>/<name>/<uuid>); fall back to the add-ons' own lists.
      const owner =
        (a.ownerArn && (addonByArn.get(a.ownerArn)?.name ?? a.ownerArn.split('/')[2])) ||
        addons.find((x) => x.podIdentityAssociationArns.includes(a.associationArn))?.name;
      s.podIdentityAssociations.push({
        cluster: cluster.name,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn ?? '',
        ...(a.roleArn ? { roleId: a.roleArn } : {}),
        ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn, targetRoleId: a.targetRoleArn } : {}),
        ...(a.externalId ? { externalId: a.externalId } : {}),
        ...(a.disableSessionTags !== undefined ? { disableSessionTags: a.disableSessionTags } : {}),
        // DescribePodIdentityAssociation returns the whole association, so no policy means none.
        sessionPolicy: a.policy ? policyFrom(a.policy, a.associationArn) : null,
        ...(owner ? { ownerAddon: owner } : {}),
        associationId: a.associationId,
        ...(a.createdAt ? { createdAt: a.createdAt } : {}),
        ...(a.modifiedAt ? { modifiedAt: a.modifiedAt } : {}),
        origin: aws(a.associationArn),
      });
    }
    if (oidc)
      s.oidcProviders.push({
        arn: oidc.arn,
        url: oidc.url,
        clientIds: oidc.clientIds,
        origin: aws(oidc.arn),
      });

    // Node → instance role through its node group label (managed node groups).
    const nodeRoleByGroup = new Map(nodegroups.map((g) => [g.name, g.nodeRoleArn]));
    for (const node of s.nodes) {
      const group = fromKube.nodegroupOf.get(node.name);
      const role = group
        ? nodeRoleByGroup.get(group)
        : nodegroups.length === 1
          ? nodegroups[0]!.nodeRoleArn
          : undefined;
      if (role) node.instanceRoleArn = role;
    }

    // ---- Roles: each read once, with its inline and managed policies. ----
    const instanceRoles = new Set(nodegroups.map((g) => g.nodeRoleArn).filter((a): a is string => !!a));
    const roleArns = new Set<string>([
      ...associations.flatMap((a) => [a.roleArn, a.targetRoleArn]).filter((a): a is string => !!a),
      ...instanceRoles,
      ...fromKube.roleArns,
    ]);
    const roles = await Promise.all(
      [...roleArns].map((arn) => readRole(arn, accountFor(arn), instanceRoles.has(arn))),
    );
    for (const r of roles) if (r) s.roles.push(r);

    // ---- File systems in scope, then the network between them and the cluster. ----
    const fsIds = [...new Set([...fromKube.fileSystemIds, ...(options.fileSystemIds ?? [])])];
    const fileSystems = await Promise.all(fsIds.map((id) => readFileSystem(id)));
    const sgByAccount = new Map<Account, Set<string>>([[home, new Set(nodeSecurityGroupIds)]]);
    const foreignVpcs = new Map<Account, Set<string>>();
    for (const found of fileSystems) {
      if (!found) continue;
      s.fileSystems.push(found.fs);
      const groups = sgByAccount.get(found.account) ?? new Set<string>();
      for (const mt of found.fs.mountTargets ?? []) {
        for (const g of mt.securityGroupIds) groups.add(g);
        if (mt.vpcId && mt.vpcId !== cluster.vpcId) {
          const vpcs = foreignVpcs.get(found.account) ?? new Set<string>();
          vpcs.add(mt.vpcId);
          foreignVpcs.set(found.account, vpcs);
        }
      }
      sgByAccount.set(found.account, groups);
    }
    const s3Ids = [...new Set([...fromKube.s3FileSystemIds, ...(options.s3FileSystemIds ?? [])])];
    const s3FileSystems = await Promise.all(s3Ids.map((id) => readS3FileSystem(id)));
    for (const fs of s3FileSystems) if (fs) s.fileSystems.push(fs);
    await readNetwork(s, cluster.vpcId, sgByAccount, foreignVpcs);
    return { snapshot: s, stats, unread };

    /**
     * An S3 file system as the static sources describe one (type s3files, linked bucket ARN, prefix, the file
     * system's own role, its policy) plus what only the APIs know: the linked bucket's policy (S3F-04).
     */
    async function readS3FileSystem(id: string): Promise<FileSystem | undefined> {
      const info = await s3files.getFileSystem(id);
      if (!info) {
        unread.push({
          kind: 'file-system',
          id,
          reason: `no S3 file system ${id} in account ${home.id ?? '?'} (${options.region})`,
        });
        return undefined;
      }
      const bucketName = /^arn:aws[\w-]*:s3:::([^/]+)$/.exec(info.bucket)?.[1];
      const [policy, bucketPolicy] = await Promise.all([
        s3files.getFileSystemPolicy(info.id),
        bucketName ? readBucketPolicy(info.bucket, bucketName) : Promise.resolve(undefined),
      ]);
      return {
        type: 's3files',
        id: info.id,
        arn: info.arn,
        accountId: info.ownerId,
        region: options.region,
        policy: policy === null ? null : policyFrom(policy, info.arn, true),
        bucket: info.bucket,
        bucketPrefix: info.prefix ?? '',
        ...(info.roleArn ? { roleArn: info.roleArn } : {}),
        ...(bucketPolicy !== undefined
          ? { bucketPolicy: bucketPolicy === null ? null : policyFrom(bucketPolicy, info.bucket) }
          : {}),
        origin: aws(info.arn),
      };
    }

    /** The bucket policy text, null for none, undefined when it cannot be read (said in `unread`). */
    async function readBucketPolicy(bucketArn: string, name: string): Promise<string | null | undefined> {
      try {
        const text = await s3.getBucketPolicy(name);
        if (text === undefined)
          unread.push({
            kind: 'bucket-policy',
            id: bucketArn,
            reason: 'the bucket does not exist (NoSuchBucket)',
          });
        return text;
      } catch (error) {
        // The linked bucket is often another team's: a refused read leaves S3F-04 silent for it, and the run says so
        // instead of failing every other rule.
        if ((error as { name?: string }).name !== 'AccessDenied') throw error;
        unread.push({
          kind: 'bucket-policy',
          id: bucketArn,
          reason: 's3:GetBucketPolicy was refused (AccessDenied)',
        });
        return undefined;
      }
    }

    async function readRole(
      arn: string,
      acct: Account | undefined,
      nodeInstanceRole: boolean,
    ): Promise<Role | undefined> {
      if (!acct) {
        // A role of an account we have no ports for: its facts stay absent, and the run says which.
        const id = accountOf(arn);
        unread.push({
          kind: 'role',
          id: arn,
          ...(id ? { accountId: id } : {}),
          reason: `account ${id ?? '?'} is not readable with these credentials`,
        });
        return undefined;
      }
      const name = roleNameOf(arn);
      const info = await acct.iam.getRole(name);
      if (!info) return undefined;
      const [inlineNames, attached] = await Promise.all([
        acct.iam.listRolePolicyNames(name),
        acct.iam.listAttachedRolePolicies(name),
      ]);
      const inlinePolicies: AttachedPolicy[] = await Promise.all(
        inlineNames.map(async (policyName) => {
          const text = await acct.iam.getRolePolicy(name, policyName);
          return {
            name: policyName,
            ...(text !== undefined ? { document: policyFrom(text, info.arn) } : {}),
            origin: aws(info.arn),
          };
        }),
      );
      const managedPolicies: AttachedPolicy[] = await Promise.all(
        attached.map(async (p) => {
          // AWS managed and customer managed alike: the rules evaluate what the documents grant.
          const text = await acct.iam.getManagedPolicyDocument(p.arn);
          return {
            arn: p.arn,
            name: p.name,
            ...(text !== undefined ? { document: policyFrom(text, p.arn) } : {}),
            origin: aws(p.arn),
          };
        }),
      );
      return {
        id: info.arn,
        name: info.name,
        arn: info.arn,
        ...(accountOf(info.arn) ? { accountId: accountOf(info.arn) } : {}),
        ...(info.trustPolicy !== undefined ? { trustPolicy: policyFrom(info.trustPolicy, info.arn) } : {}),
        inlinePolicies,
        managedPolicies,
        ...(Object.keys(info.tags).length ? { tags: info.tags } : {}),
        ...(nodeInstanceRole ? { nodeInstanceRole: true } : {}),
        origin: aws(info.arn),
      };
    }

    async function readFileSystem(id: string): Promise<{ fs: FileSystem; account: Account } | undefined> {
      let acct: Account | undefined;
      let info;
      for (const candidate of [home, ...others]) {
        info = await candidate.efs.describeFileSystem(id);
        if (info) {
          acct = candidate;
          break;
        }
      }
      if (!info || !acct) {
        const searched = [home, ...others].map((x) => x.id ?? '?').join(', ');
        unread.push({
          kind: 'file-system',
          id,
          reason: `not found in account${others.length ? 's' : ''} ${searched}`,
        });
        return undefined;
      }
      const a = acct;
      const [policy, targets] = await Promise.all([
        a.efs.describeFileSystemPolicy(id),
        a.efs.describeMountTargets(id),
      ]);
      const mountTargets = await Promise.all(
        targets.map(async (mt) => ({
          id: mt.id,
          fileSystemId: mt.fileSystemId,
          ...(mt.ownerId || info.ownerId ? { accountId: mt.ownerId ?? info.ownerId } : {}),
          availabilityZoneId: mt.availabilityZoneId,
          ...(mt.availabilityZoneName ? { availabilityZoneName: mt.availabilityZoneName } : {}),
          ...(mt.ipAddress ? { ipAddress: mt.ipAddress } : {}),
          state: mt.state,
          ...(mt.subnetId ? { subnetId: mt.subnetId } : {}),
          ...(mt.vpcId ? { vpcId: mt.vpcId } : {}),
          securityGroupIds: await a.efs.describeMountTargetSecurityGroups(mt.id),
          origin: aws(`${info.arn}/mount-target/${mt.id}`),
        })),
      );
      return {
        account: a,
        fs: {
          type: 'efs',
          id: info.id,
          arn: info.arn,
          accountId: info.ownerId,
          region: options.region,
          policy: policy === null ? null : policyFrom(policy, info.arn, true),
          mountTargets,
          origin: aws(info.arn),
        },
      };
    }

    async function readNetwork(
      snapshot: Snapshot,
      clusterVpc: string | undefined,
      groups: Map<Account, Set<string>>,
      foreign: Map<Account, Set<string>>,
    ): Promise<void> {
      const region = options.region;
      const sgArn = (acct: string | undefined, id: string) =>
        `arn:aws:ec2:${region}:${acct ?? ''}:security-group/${id}`;
      const crossVpc = foreign.size > 0;
      const tasks: Array<Promise<void>> = [];
      for (const [acct, ids] of groups) {
        tasks.push(
          acct.ec2.describeSecurityGroups([...ids].sort()).then((found) => {
            for (const g of found) {
              snapshot.network.securityGroups.push({
                id: g.id,
                ...(g.vpcId ? { vpcId: g.vpcId } : {}),
                ...(g.ownerId ? { accountId: g.ownerId } : {}),
                ingress: g.ingress,
                origin: aws(sgArn(g.ownerId ?? acct.id, g.id)),
              });
            }
          }),
        );
      }
      if (clusterVpc) {
        tasks.push(
          home.ec2.describeVpcs([clusterVpc]).then((vpcs) => {
            const c = snapshot.clusters[0]!;
            c.vpcCidrs = vpcs.flatMap((v) => v.cidrs);
          }),
        );
      }
      // Peering, routes and the per-AZ-ID hosted zones matter only when a file system is in another VPC (XA-01/02).
      if (clusterVpc && crossVpc) {
        const routeTasks: Array<[Account, string[]]> = [[home, [clusterVpc]]];
        for (const [acct, vpcs] of foreign) {
          if (acct === home) routeTasks[0]![1].push(...vpcs);
          else routeTasks.push([acct, [...vpcs]]);
        }
        for (const [acct, vpcs] of routeTasks) {
          tasks.push(
            acct.ec2.describeRoutes(vpcs.sort()).then((routes) => {
              for (const r of routes) {
                snapshot.network.routes.push({
                  ...r,
                  origin: aws(`arn:aws:ec2:${region}:${acct.id ?? ''}:route-table/${r.routeTableId}`),
                });
              }
            }),
          );
        }
        tasks.push(
          home.ec2.describeVpcPeeringConnections([clusterVpc]).then((peerings) => {
            for (const p of peerings) {
              snapshot.network.connections.push({
                kind: 'peering',
                id: p.id,
                status: p.status,
                vpcIds: [p.requester.vpcId, p.accepter.vpcId],
                ...(p.requester.ownerId && p.accepter.ownerId
                  ? { accountIds: [p.requester.ownerId, p.accepter.ownerId] as [string, string] }
                  : {}),
                origin: aws(
                  `arn:aws:ec2:${region}:${p.requester.ownerId ?? home.id ?? ''}:vpc-peering-connection/${p.id}`,
                ),
              });
            }
          }),
        );
        tasks.push(
          (async () => {
            const zoneIds = await route53.listHostedZoneIdsByVpc(clusterVpc, region);
            const zones = await Promise.all(
              zoneIds.map(async (id) => {
                const [zone, records] = await Promise.all([
                  route53.getHostedZone(id),
                  route53.listRecords(id),
                ]);
                return zone ? { ...zone, records } : undefined;
              }),
            );
            for (const z of zones) {
              if (z)
                snapshot.network.hostedZones.push({
                  ...z,
                  origin: aws(`arn:aws:route53:::hostedzone/${z.id}`),
                });
            }
          })(),
        );
      }
      await Promise.all(tasks);
    }
  } finally {
    if (ownPorts) ports.destroy();
  }
}

interface KubeFacts {
  roleArns: string[];
  fileSystemIds: string[];
  /** IDs of Amazon S3 Files file systems (`s3files:` volume handles, `s3files-ap` StorageClasses). */
  s3FileSystemIds: string[];
  nodegroupOf: Map<string, string>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));
const ref = (o: KubeObjectInfo) => `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

function containersOf(podSpec: Json, owner: string): Container[] {
  return arr(podSpec.containers).map((c) => {
    const container = obj(c);
    const env: Record<string, Maybe<string>> = {};
    for (const e of arr(container.env)) {
      const entry = obj(e);
      const name = str(entry.name);
      if (!name) continue;
      // valueFrom (a Secret, a field ref) is resolved by the kubelet: the value is unknown here, not absent.
      env[name] = str(entry.value) ?? (entry.valueFrom ? unknown(`valueFrom of ${name} in ${owner}`) : '');
    }
    const image = str(container.image);
    return { name: str(container.name) ?? '', ...(image ? { image } : {}), env };
  });
}

/** The newest managedFields entry that touched metadata.annotations: when the IRSA annotation last changed. */
function annotationsUpdatedAt(meta: Json): string | undefined {
  let newest: string | undefined;
  for (const f of arr(meta.managedFields)) {
    const entry = obj(f);
    const fields = obj(obj(entry.fieldsV1)['f:metadata']);
    const time = str(entry.time);
    if (time && fields['f:annotations'] && (!newest || Date.parse(time) > Date.parse(newest))) newest = time;
  }
  return newest;
}

function daemonSetFact(ds: KubeObjectInfo) {
  const spec = obj(ds.raw.spec);
  const podSpec = obj(obj(spec.template).spec);
  const status = obj(ds.raw.status);
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const generation = obj(ds.raw.metadata).generation;
  return {
    namespace: ds.namespace ?? SYSTEM_NAMESPACE,
    name: ds.name,
    serviceAccountName: str(podSpec.serviceAccountName) ?? str(podSpec.serviceAccount) ?? 'default',
    containers: containersOf(podSpec, ref(ds)),
    origin: k8s(ref(ds)),
    status: {
      desiredNumberScheduled: num(status.desiredNumberScheduled),
      numberReady: num(status.numberReady),
      ...(typeof status.updatedNumberScheduled === 'number'
        ? { updatedNumberScheduled: status.updatedNumberScheduled }
        : {}),
      ...(typeof status.numberAvailable === 'number' ? { numberAvailable: status.numberAvailable } : {}),
      ...(typeof status.observedGeneration === 'number'
        ? { observedGeneration: status.observedGeneration }
        : {}),
    },
    ...(typeof generation === 'number' ? { generation } : {}),
  };
}

/** Reads the Kubernetes side into the snapshot; returns what the AWS side must read next. */
async function readKubernetes(kube: KubePort, s: Snapshot): Promise<KubeFacts> {
  const [nodeDs, agentDs, nodes, classes, volumes] = await Promise.all([
    kube.getDaemonSet(SYSTEM_NAMESPACE, NODE_DAEMONSET),
    kube.getDaemonSet(SYSTEM_NAMESPACE, AGENT_DAEMONSET),
    kube.listNodes(),
    kube.listStorageClasses(),
    kube.listPersistentVolumes(),
  ]);
  const nodeSa = nodeDs ? daemonSetFact(nodeDs).serviceAccountName : 'efs-csi-node-sa';
  const selector = nodeDs
    ? Object.entries(strings(obj(obj(nodeDs.raw.spec).selector).matchLabels))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : 'app=efs-csi-node';
  const efsClasses = classes.filter((c) => str(c.raw.provisioner) === EFS_DRIVER);
  const efsVolumes = volumes.filter((v) => str(obj(obj(v.raw.spec).csi).driver) === EFS_DRIVER);
  const secretRefs = new Map<string, { namespace: string; name: string }>();
  for (const c of efsClasses) {
    const p = strings(c.raw.parameters);
    const name = p[SECRET_NAME];
    if (name) {
      const namespace = p[SECRET_NAMESPACE] ?? 'default';
      secretRefs.set(`${namespace}/${name}`, { namespace, name });
    }
  }
  const [pods, serviceAccounts, secrets] = await Promise.all([
    selector ? kube.listPods(SYSTEM_NAMESPACE, selector) : Promise.resolve([]),
    Promise.all(
      [...new Set([nodeSa, CONTROLLER_SA])].map((name) => kube.getServiceAccount(SYSTEM_NAMESPACE, name)),
    ),
    Promise.all(
      [...secretRefs.values()].map(async (r) => ({
        ...r,
        data: await kube.getSecretKeys(r.namespace, r.name, SECRET_KEYS),
      })),
    ),
  ]);

  const nodegroupOf = new Map<string, string>();
  const zoneOf = new Map<string, { zone?: string; zoneId?: string }>();
  for (const n of nodes) {
    const labels = strings(obj(n.raw.metadata).labels);
    const zone = labels[ZONE_LABEL];
    const zoneId = labels[ZONE_ID_LABEL];
    zoneOf.set(n.name, { ...(zone ? { zone } : {}), ...(zoneId ? { zoneId } : {}) });
    if (labels[NODEGROUP_LABEL]) nodegroupOf.set(n.name, labels[NODEGROUP_LABEL]);
    s.nodes.push({
      name: n.name,
      ...(zone ? { availabilityZone: zone } : {}),
      ...(zoneId ? { availabilityZoneId: zoneId } : {}),
      origin: k8s(`Node/${n.name}`),
    });
  }
  for (const ds of [nodeDs, agentDs]) if (ds) s.daemonSets.push(daemonSetFact(ds));
  for (const p of pods) {
    const meta = obj(p.raw.metadata);
    const spec = obj(p.raw.spec);
    const owner = arr(meta.ownerReferences)
      .map(obj)
      .find((o) => o.kind === 'DaemonSet');
    const nodeName = str(spec.nodeName);
    const zone = nodeName ? zoneOf.get(nodeName) : undefined;
    const createdAt = str(meta.creationTimestamp);
    const phase = str(obj(p.raw.status).phase);
    const sa = str(spec.serviceAccountName);
    const pod: Pod = {
      namespace: p.namespace ?? SYSTEM_NAMESPACE,
      name: p.name,
      ...(nodeName ? { nodeName } : {}),
      ...(zone?.zoneId ? { availabilityZoneId: zone.zoneId } : {}),
      ...(owner && str(owner.name) ? { ownerDaemonSet: str(owner.name) } : {}),
      ...(sa ? { serviceAccountName: sa } : {}),
      ...(phase ? { phase } : {}),
      ...(createdAt ? { createdAt } : {}),
      containers: containersOf(spec, ref(p)),
      origin: k8s(ref(p)),
    };
    s.pods.push(pod);
  }
  const roleArns: string[] = [];
  for (const sa of serviceAccounts) {
    if (!sa) continue;
    const meta = obj(sa.raw.metadata);
    const annotations = strings(meta.annotations);
    // Only the annotations a rule reads: others (kubectl's last-applied configuration) may be large.
    const kept = Object.fromEntries(
      Object.entries(annotations).filter(([k]) => k.startsWith('eks.amazonaws.com/')),
    );
    if (kept[IRSA_ANNOTATION]) roleArns.push(kept[IRSA_ANNOTATION]);
    const updated = annotationsUpdatedAt(meta);
    s.serviceAccounts.push({
      namespace: sa.namespace ?? SYSTEM_NAMESPACE,
      name: sa.name,
      annotations: kept,
      origin: k8s(ref(sa)),
      ...(updated ? { annotationsUpdatedAt: updated } : {}),
    });
  }
  const fileSystemIds = new Set<string>();
  const s3FileSystemIds = new Set<string>();
  for (const c of efsClasses) {
    const parameters = strings(c.raw.parameters);
    const fsParam = parameters.fileSystemId;
    // Driver v3: `provisioningMode: s3files-ap` provisions on an S3 file system; its ID may carry the s3files: prefix.
    if (fsParam && (parameters.provisioningMode === 's3files-ap' || fsParam.startsWith('s3files:')))
      s3FileSystemIds.add(fsParam.replace(/^s3files:/, ''));
    else if (fsParam) fileSystemIds.add(fsParam.replace(/^efs:/, ''));
    const sc: StorageClass = {
      name: c.name,
      provisioner: EFS_DRIVER,
      mountOptions: arr(c.raw.mountOptions).filter((m): m is string => typeof m === 'string'),
      parameters,
      origin: k8s(ref(c)),
    };
    s.storageClasses.push(sc);
  }
  for (const v of efsVolumes) {
    const spec = obj(v.raw.spec);
    const csi = obj(spec.csi);
    const handle = str(csi.volumeHandle) ?? '';
    const parsed = parseVolumeHandle(handle);
    if (!('error' in parsed))
      (parsed.type === 's3files' ? s3FileSystemIds : fileSystemIds).add(parsed.fileSystemId);
    const pv: PersistentVolume = {
      name: v.name,
      driver: EFS_DRIVER,
      volumeHandle: handle,
      volumeAttributes: strings(csi.volumeAttributes),
      mountOptions: arr(spec.mountOptions).filter((m): m is string => typeof m === 'string'),
      accessModes: arr(spec.accessModes).filter((m): m is string => typeof m === 'string'),
      ...(typeof spec.storageClassName === 'string' ? { storageClassName: spec.storageClassName } : {}),
      origin: k8s(ref(v)),
    };
    s.persistentVolumes.push(pv);
  }
  for (const secret of secrets) {
    if (!secret.data) continue;
    if (secret.data.awsRoleArn) roleArns.push(secret.data.awsRoleArn);
    s.secrets.push({
      namespace: secret.namespace,
      name: secret.name,
      data: secret.data,
      origin: k8s(`Secret/${secret.namespace}/${secret.name}`),
    });
  }
  return { roleArns, fileSystemIds: [...fileSystemIds], s3FileSystemIds: [...s3FileSystemIds], nodegroupOf };
}
