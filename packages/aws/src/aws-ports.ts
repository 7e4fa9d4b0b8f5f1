import {
  EC2Client,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeVpcPeeringConnections,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import {
  DeleteFileSystemPolicyCommand,
  DescribeFileSystemPolicyCommand,
  PutFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  EFSClient,
  paginateDescribeAccessPoints,
  paginateDescribeMountTargets,
} from '@aws-sdk/client-efs';
import {
  type PodIdentityAssociation as EksAssociation,
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribeUpdateCommand,
  UpdateAddonCommand,
  UpdatePodIdentityAssociationCommand,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  paginateListAddons,
  paginateListNodegroups,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteFileSystemPolicyCommand as DeleteS3FilesPolicyCommand,
  GetFileSystemCommand as GetS3FileSystemCommand,
  GetFileSystemPolicyCommand as GetS3FilesPolicyCommand,
  PutFileSystemPolicyCommand as PutS3FilesPolicyCommand,
  S3FilesClient,
} from '@aws-sdk/client-s3files';
import {
  AttachRolePolicyCommand,
  DetachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  type IAMClientConfig,
  ListOpenIDConnectProvidersCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import {
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type {
  AccessPointInfo,
  AssociationInfo,
  Ec2Port,
  EfsPort,
  EfsWriter,
  EksPort,
  EksWriter,
  IamPort,
  IamWriter,
  ManagedPolicyRef,
  MountTargetInfo,
  PeeringInfo,
  RecordInfo,
  RouteInfo,
  Route53Port,
  S3FilesPort,
  S3FilesWriter,
  S3Port,
  SecurityGroupInfo,
  StsPort,
  VpcInfo,
} from '@efs-node-identity/core';

export interface AwsPortsOptions {
  region: string;
  /** Explicit credentials (a second account, an assumed role); default: the SDK's default provider chain. */
  credentials?: IAMClientConfig['credentials'];
  /** Called once per API operation (not per retry attempt), for the call count of a run. */
  onCall?: (service: string, operation: string) => void;
  maxAttempts?: number;
  /**
   * S3 path-style addressing (`<endpoint>/<bucket>`). Default: on when an endpoint is configured
   * (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`): a custom endpoint such as the sandbox has no bucket subdomains.
   */
  s3ForcePathStyle?: boolean;
  /**
   * How long one request may wait for its answer before it fails with TimeoutError (retried like throttling):
   * without it a socket the server never answers hangs the run forever. Default 30 s; a long list is paginated, so
   * no single answer of the APIs used here takes close to that.
   */
  requestTimeoutMs?: number;
}

export interface AwsPorts {
  region: string;
  sts: StsPort;
  iam: IamPort & IamWriter;
  eks: EksPort & EksWriter;
  efs: EfsPort & EfsWriter;
  ec2: Ec2Port;
  route53: Route53Port;
  /** Amazon S3 Files: the file systems of `s3files:` volumes and their policies. */
  s3files: S3FilesPort & S3FilesWriter;
  /** S3: the policy of an S3 file system's linked bucket. */
  s3: S3Port;
  /** The SDK clients' credential provider, for signing the EKS token with the same identity. */
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  destroy(): void;
}

/** Errors that mean "this resource does not exist": the ports answer undefined for them. */
const NOT_FOUND = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'ResourceNotFoundException',
  'FileSystemNotFound',
  'PolicyNotFound',
  'MountTargetNotFound',
  'NoSuchHostedZone',
]);

export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; Code?: string };
  return NOT_FOUND.has(e?.name ?? '') || NOT_FOUND.has(e?.Code ?? '');
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** IAM returns policy documents URL-encoded (RFC 3986) in its Query API; the SDK does not decode them. */
export function decodePolicy(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    // Not percent-encoded after all (or an endpoint that already decoded it, with a literal `%`): keep it.
    return text;
  }
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : undefined);

/**
 * Builds the SDK v3 clients for one account and region and wraps them as ports. Region, credentials and
 * `AWS_ENDPOINT_URL*` come from the SDK's own configuration loading (explicit options override); retries are
 * adaptive (client-side rate limiting on throttling, which a run of many parallel reads provokes).
 */
export function createAwsPorts(options: AwsPortsOptions): AwsPorts {
  const common = {
    region: options.region,
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? 6,
    // throwOnRequestTimeout: this version of @smithy/node-http-handler only logs a warning at requestTimeout otherwise.
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionTimeout: 10_000,
      throwOnRequestTimeout: true,
    },
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const count = <C extends { middlewareStack: IAMClient['middlewareStack'] }>(
    client: C,
    service: string,
  ): C => {
    if (options.onCall) {
      const onCall = options.onCall;
      client.middlewareStack.add(
        (next, context) => (args) => {
          onCall(service, String(context.commandName ?? 'unknown').replace(/Command$/, ''));
          return next(args);
        },
        { step: 'initialize', name: 'efsNodeIdentityCallCounter' },
      );
    }
    return client;
  };
  const iamClient = count(new IAMClient(common), 'iam');
  const stsClient = count(new STSClient(common), 'sts');
  const eksClient = count(new EKSClient(common) as unknown as IAMClient, 'eks') as unknown as EKSClient;
  const efsClient = count(new EFSClient(common) as unknown as IAMClient, 'efs') as unknown as EFSClient;
  const ec2Client = count(new EC2Client(common) as unknown as IAMClient, 'ec2') as unknown as EC2Client;
  const s3filesClient = count(
    new S3FilesClient(common) as unknown as IAMClient,
    's3files',
  ) as unknown as S3FilesClient;
  const s3Client = count(
    new S3Client({
      ...common,
      forcePathStyle:
        options.s3ForcePathStyle ?? Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL),
    }) as unknown as IAMClient,
    's3',
  ) as unknown as S3Client;
  const r53Client = count(
    new Route53Client(common) as unknown as IAMClient,
    'route53',
  ) as unknown as Route53Client;

  const sts: StsPort = {
    async getCallerIdentity() {
      const out = await stsClient.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? '', arn: out.Arn ?? '' };
    },
  };

  const iam: IamPort & IamWriter = {
    async getRole(roleName) {
      const out = await orUndefined(iamClient.send(new GetRoleCommand({ RoleName: roleName })));
      const role = out?.Role;
      if (!role) return undefined;
      return {
        name: role.RoleName ?? roleName,
        arn: role.Arn ?? '',
        roleId: role.RoleId ?? '',
        trustPolicy: decodePolicy(role.AssumeRolePolicyDocument),
        tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        ...(role.CreateDate ? { createdAt: iso(role.CreateDate) } : {}),
      };
    },
    async listRolePolicyNames(roleName) {
      const names: string[] = [];
      for await (const page of paginateListRolePolicies({ client: iamClient }, { RoleName: roleName })) {
        names.push(...(page.PolicyNames ?? []));
      }
      return names;
    },
    async getRolePolicy(roleName, policyName) {
      const out = await orUndefined(
        iamClient.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
      );
      return decodePolicy(out?.PolicyDocument);
    },
    async listAttachedRolePolicies(roleName) {
      const refs: ManagedPolicyRef[] = [];
      for await (const page of paginateListAttachedRolePolicies(
        { client: iamClient },
        { RoleName: roleName },
      )) {
        for (const p of page.AttachedPolicies ?? []) {
          if (p.PolicyArn)
            refs.push({ arn: p.PolicyArn, name: p.PolicyName ?? p.PolicyArn.split('/').pop()! });
        }
      }
      return refs;
    },
    async getManagedPolicyDocument(policyArn) {
      const policy = await orUndefined(iamClient.send(new GetPolicyCommand({ PolicyArn: policyArn })));
      const versionId = policy?.Policy?.DefaultVersionId;
      if (!versionId) return undefined;
      const version = await orUndefined(
        iamClient.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })),
      );
      return decodePolicy(version?.PolicyVersion?.Document);
    },
    async listOpenIdConnectProviders() {
      // ListOpenIDConnectProviders has no paging: it returns every provider of the account.
      const list = await iamClient.send(new ListOpenIDConnectProvidersCommand({}));
      const arns = (list.OpenIDConnectProviderList ?? []).map((p) => p.Arn).filter((a): a is string => !!a);
      const out = await Promise.all(
        arns.map(async (arn) => {
          const p = await orUndefined(
            iamClient.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
          );
          return p ? { arn, url: p.Url ?? '', clientIds: p.ClientIDList ?? [] } : undefined;
        }),
      );
      return out.filter((p): p is NonNullable<typeof p> => !!p);
    },
    async getOpenIdConnectProvider(arn) {
      const p = await orUndefined(
        iamClient.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
      return p ? { arn, url: p.Url ?? '', clientIds: p.ClientIDList ?? [] } : undefined;
    },
    async createRole(input) {
      const out = await iamClient.send(
        new CreateRoleCommand({
          RoleName: input.roleName,
          AssumeRolePolicyDocument: input.trustPolicy,
          Description: input.description,
          Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      const role = out.Role;
      return {
        name: role?.RoleName ?? input.roleName,
        arn: role?.Arn ?? '',
        roleId: role?.RoleId ?? '',
        trustPolicy: decodePolicy(role?.AssumeRolePolicyDocument) ?? input.trustPolicy,
        tags: input.tags,
        ...(role?.CreateDate ? { createdAt: iso(role.CreateDate) } : {}),
      };
    },
    async tagRole(roleName, tags) {
      await iamClient.send(
        new TagRoleCommand({
          RoleName: roleName,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    },
    async untagRole(roleName, keys) {
      await iamClient.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: keys }));
    },
    async updateAssumeRolePolicy(roleName, policy) {
      await iamClient.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: policy }));
    },
    async putRolePolicy(roleName, policyName, policy) {
      await iamClient.send(
        new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: policy }),
      );
    },
    async deleteRolePolicy(roleName, policyName) {
      await orUndefined(
        iamClient.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
      );
    },
    async deleteRole(roleName) {
      await orUndefined(iamClient.send(new DeleteRoleCommand({ RoleName: roleName })));
    },
    async attachRolePolicy(roleName, policyArn) {
      await iamClient.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
    },
    async detachRolePolicy(roleName, policyArn) {
      await orUndefined(
        iamClient.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
      );
    },
  };

  const eks: EksPort & EksWriter = {
    async describeCluster(name) {
      const out = await orUndefined(eksClient.send(new DescribeClusterCommand({ name })));
      const c = out?.cluster;
      if (!c) return undefined;
      return {
        name: c.name ?? name,
        arn: c.arn ?? '',
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        ...(c.certificateAuthority?.data ? { certificateAuthority: c.certificateAuthority.data } : {}),
        ...(c.version ? { version: c.version } : {}),
        ...(c.identity?.oidc?.issuer ? { oidcIssuer: c.identity.oidc.issuer } : {}),
        ...(c.resourcesVpcConfig?.vpcId ? { vpcId: c.resourcesVpcConfig.vpcId } : {}),
        securityGroupIds: c.resourcesVpcConfig?.securityGroupIds ?? [],
        ...(c.resourcesVpcConfig?.clusterSecurityGroupId
          ? { clusterSecurityGroupId: c.resourcesVpcConfig.clusterSecurityGroupId }
          : {}),
      };
    },
    async listAddons(cluster) {
      const names: string[] = [];
      for await (const page of paginateListAddons({ client: eksClient }, { clusterName: cluster })) {
        names.push(...(page.addons ?? []));
      }
      return names;
    },
    async describeAddon(cluster, addonName) {
      const out = await orUndefined(
        eksClient.send(new DescribeAddonCommand({ clusterName: cluster, addonName })),
      );
      const a = out?.addon;
      if (!a) return undefined;
      return {
        name: a.addonName ?? addonName,
        arn: a.addonArn ?? '',
        ...(a.addonVersion ? { version: a.addonVersion } : {}),
        ...(a.status ? { status: a.status } : {}),
        healthIssues: (a.health?.issues ?? []).map((i) => [i.code, i.message].filter(Boolean).join(': ')),
        podIdentityAssociationArns: a.podIdentityAssociations ?? [],
        ...(a.createdAt ? { createdAt: iso(a.createdAt) } : {}),
        ...(a.modifiedAt ? { modifiedAt: iso(a.modifiedAt) } : {}),
      };
    },
    async describeAddonPodIdentityServiceAccounts(addonName, addonVersion) {
      const out = await orUndefined(
        eksClient.send(new DescribeAddonConfigurationCommand({ addonName, addonVersion })),
      );
      if (!out) return undefined;
      return (out.podIdentityConfiguration ?? [])
        .map((c) => c.serviceAccount)
        .filter((s): s is string => !!s);
    },
    async listPodIdentityAssociationIds(cluster) {
      const ids: string[] = [];
      for await (const page of paginateListPodIdentityAssociations(
        { client: eksClient },
        { clusterName: cluster },
      )) {
        for (const a of page.associations ?? []) if (a.associationId) ids.push(a.associationId);
      }
      return ids;
    },
    async describePodIdentityAssociation(cluster, associationId) {
      const out = await orUndefined(
        eksClient.send(new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId })),
      );
      return out?.association ? associationInfo(out.association, associationId) : undefined;
    },
    async listNodegroups(cluster) {
      const names: string[] = [];
      for await (const page of paginateListNodegroups({ client: eksClient }, { clusterName: cluster })) {
        names.push(...(page.nodegroups ?? []));
      }
      return names;
    },
    async describeNodegroup(cluster, nodegroupName) {
      const out = await orUndefined(
        eksClient.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName })),
      );
      const n = out?.nodegroup;
      if (!n) return undefined;
      return {
        name: n.nodegroupName ?? nodegroupName,
        arn: n.nodegroupArn ?? '',
        ...(n.nodeRole ? { nodeRoleArn: n.nodeRole } : {}),
        securityGroupIds: n.remoteAccess?.sourceSecurityGroups ?? [],
      };
    },
    async createPodIdentityAssociation(input) {
      const out = await eksClient.send(
        new CreatePodIdentityAssociationCommand({
          clusterName: input.cluster,
          namespace: input.namespace,
          serviceAccount: input.serviceAccount,
          roleArn: input.roleArn,
          ...(input.targetRoleArn ? { targetRoleArn: input.targetRoleArn } : {}),
          ...(input.disableSessionTags !== undefined ? { disableSessionTags: input.disableSessionTags } : {}),
          ...(input.policy ? { policy: input.policy } : {}),
          ...(input.tags && Object.keys(input.tags).length > 0 ? { tags: input.tags } : {}),
        }),
      );
      if (!out.association) throw new Error('CreatePodIdentityAssociation returned no association');
      return associationInfo(out.association);
    },
    async updatePodIdentityAssociation(input) {
      const out = await eksClient.send(
        new UpdatePodIdentityAssociationCommand({
          clusterName: input.cluster,
          associationId: input.associationId,
          roleArn: input.roleArn,
          ...(input.targetRoleArn !== undefined ? { targetRoleArn: input.targetRoleArn } : {}),
          ...(input.disableSessionTags !== undefined ? { disableSessionTags: input.disableSessionTags } : {}),
          ...(input.policy !== undefined ? { policy: input.policy } : {}),
        }),
      );
      if (!out.association) throw new Error('UpdatePodIdentityAssociation returned no association');
      return associationInfo(out.association, input.associationId);
    },
    async deletePodIdentityAssociation(cluster, associationId) {
      await orUndefined(
        eksClient.send(new DeletePodIdentityAssociationCommand({ clusterName: cluster, associationId })),
      );
    },
    async updateAddonAssociations(cluster, addonName, associations) {
      // The full list, always: EKS replaces every association the add-on owns with it (an omitted list would
      // leave them, [] would delete them all).
      const out = await eksClient.send(
        new UpdateAddonCommand({
          clusterName: cluster,
          addonName,
          podIdentityAssociations: associations.map((a) => ({
            serviceAccount: a.serviceAccount,
            roleArn: a.roleArn,
          })),
        }),
      );
      if (!out.update?.id) throw new Error('UpdateAddon returned no update ID');
      return out.update.id;
    },
    async describeUpdate(cluster, updateId, addonName) {
      const out = await eksClient.send(new DescribeUpdateCommand({ name: cluster, updateId, addonName }));
      return {
        id: out.update?.id ?? updateId,
        status: out.update?.status ?? 'InProgress',
        errors: (out.update?.errors ?? []).map((e) =>
          [e.errorCode, e.errorMessage].filter(Boolean).join(': '),
        ),
      };
    },
  };

  const efs: EfsPort & EfsWriter = {
    async describeFileSystem(fileSystemId) {
      const out = await orUndefined(
        efsClient.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId })),
      );
      const f = out?.FileSystems?.[0];
      if (!f) return undefined;
      return {
        id: f.FileSystemId ?? fileSystemId,
        arn: f.FileSystemArn ?? '',
        ownerId: f.OwnerId ?? '',
        ...(f.Name ? { name: f.Name } : {}),
      };
    },
    async describeFileSystemPolicy(fileSystemId) {
      const out = await orUndefined(
        efsClient.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId })),
      );
      return out?.Policy ?? null;
    },
    async describeMountTargets(fileSystemId) {
      const targets: MountTargetInfo[] = [];
      for await (const page of paginateDescribeMountTargets(
        { client: efsClient },
        { FileSystemId: fileSystemId },
      )) {
        for (const m of page.MountTargets ?? []) {
          targets.push({
            id: m.MountTargetId ?? '',
            fileSystemId: m.FileSystemId ?? fileSystemId,
            ...(m.OwnerId ? { ownerId: m.OwnerId } : {}),
            availabilityZoneId: m.AvailabilityZoneId ?? '',
            ...(m.AvailabilityZoneName ? { availabilityZoneName: m.AvailabilityZoneName } : {}),
            ...(m.IpAddress ? { ipAddress: m.IpAddress } : {}),
            state: m.LifeCycleState ?? 'unknown',
            ...(m.SubnetId ? { subnetId: m.SubnetId } : {}),
            ...(m.VpcId ? { vpcId: m.VpcId } : {}),
          });
        }
      }
      return targets;
    },
    async describeMountTargetSecurityGroups(mountTargetId) {
      const out = await efsClient.send(
        new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mountTargetId }),
      );
      return out.SecurityGroups ?? [];
    },
    async describeAccessPoints(fileSystemId) {
      const points: AccessPointInfo[] = [];
      for await (const page of paginateDescribeAccessPoints(
        { client: efsClient },
        { FileSystemId: fileSystemId },
      )) {
        for (const p of page.AccessPoints ?? []) {
          points.push({
            id: p.AccessPointId ?? '',
            arn: p.AccessPointArn ?? '',
            fileSystemId: p.FileSystemId ?? fileSystemId,
            ...(p.RootDirectory?.Path ? { rootDirectory: p.RootDirectory.Path } : {}),
          });
        }
      }
      return points;
    },
    async putFileSystemPolicy(fileSystemId, policy) {
      await efsClient.send(new PutFileSystemPolicyCommand({ FileSystemId: fileSystemId, Policy: policy }));
    },
    async deleteFileSystemPolicy(fileSystemId) {
      await orUndefined(efsClient.send(new DeleteFileSystemPolicyCommand({ FileSystemId: fileSystemId })));
    },
  };

  const ec2: Ec2Port = {
    async describeSecurityGroups(ids) {
      if (ids.length === 0) return [];
      const groups: SecurityGroupInfo[] = [];
      for await (const page of paginateDescribeSecurityGroups({ client: ec2Client }, { GroupIds: ids })) {
        for (const g of page.SecurityGroups ?? []) {
          const ingress: SecurityGroupInfo['ingress'] = [];
          for (const p of g.IpPermissions ?? []) {
            const base = {
              protocol: p.IpProtocol ?? '-1',
              ...(p.FromPort !== undefined ? { fromPort: p.FromPort } : {}),
              ...(p.ToPort !== undefined ? { toPort: p.ToPort } : {}),
            };
            for (const r of p.IpRanges ?? []) if (r.CidrIp) ingress.push({ ...base, cidr: r.CidrIp });
            for (const pair of p.UserIdGroupPairs ?? []) {
              if (pair.GroupId) ingress.push({ ...base, sourceSecurityGroupId: pair.GroupId });
            }
          }
          groups.push({
            id: g.GroupId ?? '',
            ...(g.VpcId ? { vpcId: g.VpcId } : {}),
            ...(g.OwnerId ? { ownerId: g.OwnerId } : {}),
            ingress,
          });
        }
      }
      return groups;
    },
    async describeVpcs(ids) {
      if (ids.length === 0) return [];
      const vpcs: VpcInfo[] = [];
      for await (const page of paginateDescribeVpcs({ client: ec2Client }, { VpcIds: ids })) {
        for (const v of page.Vpcs ?? []) {
          const cidrs = (v.CidrBlockAssociationSet ?? [])
            .map((c) => c.CidrBlock)
            .filter((c): c is string => !!c);
          if (cidrs.length === 0 && v.CidrBlock) cidrs.push(v.CidrBlock);
          vpcs.push({ id: v.VpcId ?? '', ...(v.OwnerId ? { ownerId: v.OwnerId } : {}), cidrs });
        }
      }
      return vpcs;
    },
    async describeVpcPeeringConnections(vpcIds) {
      if (vpcIds.length === 0) return [];
      const seen = new Map<string, PeeringInfo>();
      // EC2 filters are ANDed across names, so one request per side.
      for (const side of ['requester-vpc-info.vpc-id', 'accepter-vpc-info.vpc-id']) {
        for await (const page of paginateDescribeVpcPeeringConnections(
          { client: ec2Client },
          { Filters: [{ Name: side, Values: vpcIds }] },
        )) {
          for (const p of page.VpcPeeringConnections ?? []) {
            if (!p.VpcPeeringConnectionId) continue;
            seen.set(p.VpcPeeringConnectionId, {
              id: p.VpcPeeringConnectionId,
              status: p.Status?.Code ?? 'unknown',
              requester: {
                vpcId: p.RequesterVpcInfo?.VpcId ?? '',
                ...(p.RequesterVpcInfo?.OwnerId ? { ownerId: p.RequesterVpcInfo.OwnerId } : {}),
              },
              accepter: {
                vpcId: p.AccepterVpcInfo?.VpcId ?? '',
                ...(p.AccepterVpcInfo?.OwnerId ? { ownerId: p.AccepterVpcInfo.OwnerId } : {}),
              },
            });
          }
        }
      }
      return [...seen.values()];
    },
    async describeRoutes(vpcIds) {
      if (vpcIds.length === 0) return [];
      const routes: RouteInfo[] = [];
      for await (const page of paginateDescribeRouteTables(
        { client: ec2Client },
        { Filters: [{ Name: 'vpc-id', Values: vpcIds }] },
      )) {
        for (const t of page.RouteTables ?? []) {
          for (const r of t.Routes ?? []) {
            const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
            if (!destination) continue;
            routes.push({
              routeTableId: t.RouteTableId ?? '',
              vpcId: t.VpcId ?? '',
              destinationCidr: destination,
              target:
                r.VpcPeeringConnectionId ??
                r.TransitGatewayId ??
                r.GatewayId ??
                r.NatGatewayId ??
                r.NetworkInterfaceId ??
                'unknown',
              state: r.State ?? 'active',
            });
          }
        }
      }
      return routes;
    },
  };

  const s3files: S3FilesPort & S3FilesWriter = {
    async getFileSystem(fileSystemId) {
      const out = await orUndefined(s3filesClient.send(new GetS3FileSystemCommand({ fileSystemId })));
      if (!out?.fileSystemId) return undefined;
      return {
        id: out.fileSystemId,
        arn: out.fileSystemArn ?? '',
        ownerId: out.ownerId ?? '',
        bucket: out.bucket ?? '',
        ...(out.prefix !== undefined ? { prefix: out.prefix } : {}),
        ...(out.roleArn ? { roleArn: out.roleArn } : {}),
        ...(out.status ? { status: out.status } : {}),
        ...(out.name ? { name: out.name } : {}),
      };
    },
    async getFileSystemPolicy(fileSystemId) {
      const out = await orUndefined(s3filesClient.send(new GetS3FilesPolicyCommand({ fileSystemId })));
      return out?.policy ?? null;
    },
    async putFileSystemPolicy(fileSystemId, policy) {
      await s3filesClient.send(new PutS3FilesPolicyCommand({ fileSystemId, policy }));
    },
    async deleteFileSystemPolicy(fileSystemId) {
      await orUndefined(s3filesClient.send(new DeleteS3FilesPolicyCommand({ fileSystemId })));
    },
  };

  const s3: S3Port = {
    async getBucketPolicy(bucket) {
      try {
        const out = await s3Client.send(new GetBucketPolicyCommand({ Bucket: bucket }));
        return out.Policy ?? null;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchBucketPolicy') return null;
        if (name === 'NoSuchBucket') return undefined;
        throw error;
      }
    },
  };

  const route53: Route53Port = {
    async listHostedZoneIdsByVpc(vpcId, region) {
      // ListHostedZonesByVPC has no SDK paginator: page by NextToken by hand.
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const out = await r53Client.send(
          new ListHostedZonesByVPCCommand({
            VPCId: vpcId,
            VPCRegion: region as VPCRegion,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const z of out.HostedZoneSummaries ?? [])
          if (z.HostedZoneId) ids.push(stripZone(z.HostedZoneId));
        token = out.NextToken;
      } while (token);
      return ids;
    },
    async getHostedZone(id) {
      const out = await orUndefined(r53Client.send(new GetHostedZoneCommand({ Id: id })));
      if (!out?.HostedZone) return undefined;
      return {
        id: stripZone(out.HostedZone.Id ?? id),
        name: (out.HostedZone.Name ?? '').replace(/\.$/, ''),
        privateZone: out.HostedZone.Config?.PrivateZone ?? false,
        vpcIds: (out.VPCs ?? []).map((v) => v.VPCId).filter((v): v is string => !!v),
      };
    },
    async listRecords(zoneId) {
      // ListResourceRecordSets pages by (name, type, identifier), not by token: no SDK paginator either.
      const records: RecordInfo[] = [];
      let next: { name?: string; type?: string; identifier?: string } | undefined = {};
      while (next) {
        const out: ListResourceRecordSetsCommandOutput = await r53Client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ...(next.name ? { StartRecordName: next.name } : {}),
            ...(next.type ? { StartRecordType: next.type as never } : {}),
            ...(next.identifier ? { StartRecordIdentifier: next.identifier } : {}),
          }),
        );
        for (const r of out.ResourceRecordSets ?? []) {
          records.push({
            name: (r.Name ?? '').replace(/\.$/, ''),
            type: r.Type ?? '',
            values: (r.ResourceRecords ?? []).map((v) => v.Value).filter((v): v is string => !!v),
          });
        }
        next = out.IsTruncated
          ? {
              ...(out.NextRecordName ? { name: out.NextRecordName } : {}),
              ...(out.NextRecordType ? { type: out.NextRecordType } : {}),
              ...(out.NextRecordIdentifier ? { identifier: out.NextRecordIdentifier } : {}),
            }
          : undefined;
      }
      return records;
    },
  };

  return {
    region: options.region,
    sts,
    iam,
    eks,
    efs,
    ec2,
    route53,
    s3files,
    s3,
    credentials: () => stsClient.config.credentials(),
    destroy() {
      for (const c of [
        iamClient,
        stsClient,
        eksClient,
        efsClient,
        ec2Client,
        r53Client,
        s3filesClient,
        s3Client,
      ])
        c.destroy();
    },
  };
}

function associationInfo(a: EksAssociation, associationId = ''): AssociationInfo {
  return {
    associationId: a.associationId ?? associationId,
    associationArn: a.associationArn ?? '',
    namespace: a.namespace ?? '',
    serviceAccount: a.serviceAccount ?? '',
    ...(a.roleArn ? { roleArn: a.roleArn } : {}),
    ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
    ...(a.externalId ? { externalId: a.externalId } : {}),
    ...(a.disableSessionTags !== undefined ? { disableSessionTags: a.disableSessionTags } : {}),
    ...(a.policy ? { policy: a.policy } : {}),
    ...(a.ownerArn ? { ownerArn: a.ownerArn } : {}),
    ...(a.createdAt ? { createdAt: iso(a.createdAt) } : {}),
    ...(a.modifiedAt ? { modifiedAt: iso(a.modifiedAt) } : {}),
  };
}

/** `/hostedzone/Z123` → `Z123`. */
function stripZone(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}
