import type { Config } from '../config/config';
import type { Origin } from '../model/origin';
import type { PolicyDocument } from '../model/policy';
import type {
  DaemonSet,
  FileSystem,
  FileSystemType,
  PodIdentityAssociation,
  Role,
  ServiceAccount,
  Snapshot,
} from '../model/snapshot';
import { isKnown, isUnknown, type Maybe } from '../model/unknown';
import { ACCESS_POINT_ID, FILE_SYSTEM_ID, parseRoleArn } from '../policy/arn';
import type { NamedPolicy } from '../policy/decisions';
import { parseGoBool } from './support';

export const EFS_DRIVER = 'efs.csi.aws.com';
export const NODE_DAEMONSET = 'efs-csi-node';
export const NODE_CONTAINER = 'efs-plugin';
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** A volume of the driver: a StorageClass (dynamic provisioning) or a PersistentVolume (static). */
export interface DriverVolume {
  kind: 'StorageClass' | 'PersistentVolume';
  name: string;
  /** `StorageClass/efs-sc`, `PersistentVolume/efs-pv`. */
  resource: string;
  type: FileSystemType;
  fileSystemId: Maybe<string> | undefined;
  accessPointId?: string;
  /** An access point is used: in the volume handle, or dynamic provisioning (`provisioningMode: efs-ap`). */
  usesAccessPoint: boolean;
  mountOptions: string[];
  /** PV volumeAttributes or StorageClass parameters. */
  attributes: Record<string, Maybe<string>>;
  /** Effective TLS: on unless encryptInTransit is "false", forced on by an access point and for S3 Files. */
  tls: boolean | 'unknown';
  /** Effective `iam`: the mount option, always on for S3 Files (efs-utils adds it). */
  iam: boolean;
  readWrite: boolean;
  origin: Origin;
  mountOptionOrigin(option: string): Origin;
  attributeOrigin(key: string): Origin;
  handleOrigin?: Origin;
}

/** Which role the node SA is bound to, and how. */
export interface NodeRoleBinding {
  via: 'pod-identity' | 'irsa';
  arn: Maybe<string>;
  role?: Role;
  origin: Origin;
  association?: PodIdentityAssociation;
}

export interface ParsedVolumeHandle {
  type: FileSystemType;
  prefixed: boolean;
  fileSystemId: string;
  path?: string;
  accessPointId?: string;
}

/**
 * Parses a volume handle as driver v3 does: `fs-…[:path[:fsap-…]]`, optionally behind an `efs:` or `s3files:`
 * prefix. Returns an error message for a handle the driver rejects.
 */
export function parseVolumeHandle(handle: string): ParsedVolumeHandle | { error: string } {
  let rest = handle;
  let type: FileSystemType = 'efs';
  let prefixed = false;
  const prefix = /^(efs|s3files):/.exec(rest);
  if (prefix) {
    type = prefix[1] as FileSystemType;
    prefixed = true;
    rest = rest.slice(prefix[0].length);
  }
  const parts = rest.split(':');
  if (parts.length > 3) {
    return {
      error: `too many fields (${parts.length + (prefixed ? 1 : 0)}): the form is ${prefixed ? '<type>:' : ''}fs-…[:path[:fsap-…]]`,
    };
  }
  const [fileSystemId, path, accessPointId] = parts;
  if (!FILE_SYSTEM_ID.test(fileSystemId)) {
    return { error: `"${fileSystemId}" is not a file system ID (fs- followed by 8–40 lowercase hex digits)` };
  }
  if (accessPointId !== undefined && accessPointId !== '' && !ACCESS_POINT_ID.test(accessPointId)) {
    return {
      error: `"${accessPointId}" is not an access point ID (fsap- followed by 8–40 lowercase hex digits)`,
    };
  }
  return {
    type,
    prefixed,
    fileSystemId,
    ...(path ? { path } : {}),
    ...(accessPointId ? { accessPointId } : {}),
  };
}

/** The joins every rule needs, computed once per snapshot. */
export class NodeIdentityView {
  readonly nodeServiceAccount: { namespace: string; name: string; origin?: Origin };
  readonly driverDaemonSets: DaemonSet[];
  readonly nodeServiceAccounts: ServiceAccount[];
  readonly nodeAssociations: PodIdentityAssociation[];
  readonly irsaAnnotations: Array<{ arn: Maybe<string>; origin: Origin; serviceAccount: ServiceAccount }>;
  readonly nodeRoles: NodeRoleBinding[];
  readonly volumes: DriverVolume[];

  constructor(
    readonly snapshot: Snapshot,
    readonly config: Config,
  ) {
    this.driverDaemonSets = snapshot.daemonSets.filter(
      (d) => d.name === NODE_DAEMONSET || d.containers.some((c) => c.name === NODE_CONTAINER),
    );
    const named = this.driverDaemonSets.find((d) => isKnown(d.serviceAccountName));
    this.nodeServiceAccount = named
      ? {
          namespace: isKnown(named.namespace) ? named.namespace : config.nodeServiceAccount.namespace,
          name: named.serviceAccountName as string,
          origin: named.serviceAccountOrigin ?? named.origin,
        }
      : { ...config.nodeServiceAccount };
    const isNodeSa = (namespace: Maybe<string> | undefined, name: Maybe<string>) =>
      name === this.nodeServiceAccount.name &&
      (namespace === undefined || isUnknown(namespace) || namespace === this.nodeServiceAccount.namespace);
    this.nodeServiceAccounts = snapshot.serviceAccounts.filter((sa) => isNodeSa(sa.namespace, sa.name));
    this.nodeAssociations = snapshot.podIdentityAssociations.filter((a) =>
      isNodeSa(a.namespace, a.serviceAccount),
    );
    this.irsaAnnotations = this.nodeServiceAccounts
      .filter((sa) => sa.annotations[IRSA_ANNOTATION] !== undefined)
      .map((sa) => ({
        arn: sa.annotations[IRSA_ANNOTATION],
        origin: sa.annotationOrigins?.[IRSA_ANNOTATION] ?? sa.origin,
        serviceAccount: sa,
      }));
    this.nodeRoles = [
      ...this.nodeAssociations.map((a) => ({
        via: 'pod-identity' as const,
        arn: a.roleArn,
        role: this.findRole(a.roleId, a.roleArn),
        origin: a.origin,
        association: a,
      })),
      ...this.irsaAnnotations.map((a) => ({
        via: 'irsa' as const,
        arn: a.arn,
        role: this.findRole(undefined, a.arn),
        origin: a.origin,
      })),
    ];
    this.volumes = [...this.storageClassVolumes(), ...this.persistentVolumes()];
  }

  /** A role of the snapshot by its snapshot id, else by ARN, else by the name in the ARN. */
  findRole(roleId: string | undefined, arn: Maybe<string> | undefined): Role | undefined {
    const index = this.roleIndex();
    if (roleId) {
      const byId = index.byId.get(roleId);
      if (byId) return byId;
    }
    // The ARN of a role eksctl creates for an IRSA service account is known only once it exists; its ref names the
    // role fact. (Terraform refs are not followed here: linking IRSA annotations to Terraform roles is a separate
    // change to what the NI-* rules judge.)
    if (isUnknown(arn) && arn.ref?.startsWith('eksctl:')) return index.byId.get(arn.ref);
    if (!isKnown(arn)) return undefined;
    const byArn = index.byArn.get(arn);
    if (byArn) return byArn;
    const name = parseRoleArn(arn)?.name;
    return name ? index.byNameWithoutArn.get(name) : undefined;
  }

  private roles?: {
    byId: Map<string, Role>;
    byArn: Map<string, Role>;
    byNameWithoutArn: Map<string, Role>;
  };

  /** The first role with each id, known ARN, and name (of roles whose ARN is not known): what findRole looks for. */
  private roleIndex(): NonNullable<NodeIdentityView['roles']> {
    if (!this.roles) {
      const roles = { byId: new Map(), byArn: new Map(), byNameWithoutArn: new Map() };
      const first = (map: Map<string, Role>, key: unknown, role: Role) => {
        if (typeof key === 'string' && !map.has(key)) map.set(key, role);
      };
      for (const role of this.snapshot.roles) {
        first(roles.byId, role.id, role);
        first(roles.byArn, role.arn, role);
        if (!isKnown(role.arn)) first(roles.byNameWithoutArn, role.name, role);
      }
      this.roles = roles;
    }
    return this.roles;
  }

  /** A Pod Identity association exists for the node SA (rules that also count a pods.eks trust check that themselves). */
  get usesPodIdentity(): boolean {
    return this.nodeAssociations.length > 0;
  }

  /** IRSA is in use for the node SA: a role-arn annotation on it. */
  get usesIrsa(): boolean {
    return this.irsaAnnotations.length > 0;
  }

  /**
   * The identity policies of a node role, for evaluation. When the repository defines no role for the binding, the
   * loose identity policy files that grant EFS or S3 Files client actions stand in for it: all of them when the
   * repository binds one node role, and only those near the binding (same directory, or one above or below the
   * other) when it binds several, since a loose policy cannot belong to every cluster's role.
   */
  identityPoliciesOf(role: Role | undefined, binding?: NodeRoleBinding): readonly NamedPolicy[] {
    // Rules ask this for every binding, and many bindings share a role or a directory: the answers are kept.
    if (role) {
      let policies = this.roleIdentityPolicies.get(role);
      if (!policies) {
        policies = [...role.inlinePolicies, ...role.managedPolicies]
          .filter((p) => p.document)
          .map((p) => ({
            name: `identity policy ${isKnown(p.name) ? p.name : isKnown(p.arn) ? p.arn : '(unnamed)'}`,
            document: p.document as PolicyDocument,
          }));
        this.roleIdentityPolicies.set(role, policies);
      }
      return policies;
    }
    const loose = this.looseClientPolicies();
    if (!binding || this.distinctNodeRoleCount() <= 1) return loose;
    const origin = binding.origin;
    const key = origin.kind === 'file' ? directoryOf(origin) : '\u0000live';
    let near = this.looseNear.get(key);
    if (!near) {
      near = loose.filter((p) => isNear(p.document.origin, origin));
      this.looseNear.set(key, near);
    }
    return near;
  }

  private readonly roleIdentityPolicies = new Map<Role, NamedPolicy[]>();
  /** Loose client policies near a directory (or `\u0000live` for a live binding: all of them). */
  private readonly looseNear = new Map<string, NamedPolicy[]>();

  private looseCache?: NamedPolicy[];

  /** Loose identity policies that grant EFS / S3 Files client actions. */
  looseClientPolicies(): NamedPolicy[] {
    this.looseCache ??= this.snapshot.loosePolicies
      .filter((p) => p.kind === 'identity')
      .filter((p) =>
        p.document.statements.some((s) =>
          [...(s.action ?? []), ...(s.notAction ?? [])].some(
            (a) => typeof a === 'string' && /^(elasticfilesystem|s3files):|^\*$/i.test(a),
          ),
        ),
      )
      .map((p) => ({ name: `identity policy (${describeFile(p.document.origin)})`, document: p.document }));
    return this.looseCache;
  }

  private distinctRoles?: number;

  /** How many different roles the node SA is bound to across the inputs (one per cluster in a multi-cluster repo). */
  distinctNodeRoleCount(): number {
    this.distinctRoles ??= new Set(
      this.nodeRoles.map((b) => (isKnown(b.arn) ? b.arn : (b.role?.id ?? b.arn.expression))),
    ).size;
    return this.distinctRoles;
  }

  /** File system facts for an ID. */
  fileSystemsWithId(id: Maybe<string> | undefined): FileSystem[] {
    if (!isKnown(id)) return [];
    if (!this.fileSystemIndex) {
      this.fileSystemIndex = new Map();
      for (const f of this.snapshot.fileSystems) {
        if (!isKnown(f.id)) continue;
        const list = this.fileSystemIndex.get(f.id) ?? [];
        list.push(f);
        this.fileSystemIndex.set(f.id, list);
      }
    }
    return this.fileSystemIndex.get(id) ?? [];
  }

  private fileSystemIndex?: Map<string, FileSystem[]>;

  /** Every file system policy in the snapshot, with its file system. */
  fileSystemPolicies(): Array<{ fileSystem: FileSystem; policy: PolicyDocument }> {
    return this.snapshot.fileSystems
      .filter((f): f is FileSystem & { policy: PolicyDocument } => !!f.policy)
      .map((f) => ({ fileSystem: f, policy: f.policy }));
  }

  /** Volumes on a file system. */
  volumesOn(fileSystem: FileSystem): DriverVolume[] {
    if (!isKnown(fileSystem.id)) {
      // A file system whose ID is known only after apply: when it is the only one, every volume without a known
      // file system may be on it; with several, only volumes whose file system is unknown too.
      const key = fileSystem.type;
      let list = this.unknownIdVolumes.get(key);
      if (!list) {
        const alone = this.snapshot.fileSystems.filter((f) => f.type === fileSystem.type).length === 1;
        list = this.volumes.filter((v) => v.type === fileSystem.type && (alone || !isKnown(v.fileSystemId)));
        this.unknownIdVolumes.set(key, list);
      }
      return list;
    }
    return this.volumesByFileSystemId().get(fileSystem.id) ?? [];
  }

  private volumeIndex?: Map<string, DriverVolume[]>;
  private readonly unknownIdVolumes = new Map<string, DriverVolume[]>();

  private volumesByFileSystemId(): Map<string, DriverVolume[]> {
    if (!this.volumeIndex) {
      this.volumeIndex = new Map();
      for (const volume of this.volumes) {
        if (!isKnown(volume.fileSystemId)) continue;
        const list = this.volumeIndex.get(volume.fileSystemId) ?? [];
        list.push(volume);
        this.volumeIndex.set(volume.fileSystemId, list);
      }
    }
    return this.volumeIndex;
  }

  private storageClassVolumes(): DriverVolume[] {
    return this.snapshot.storageClasses
      .filter((sc) => sc.provisioner === EFS_DRIVER)
      .map((sc) => {
        const name = isKnown(sc.name) ? sc.name : '(unnamed)';
        const mountOptions = sc.mountOptions.filter(isKnown);
        const fsParam = sc.parameters.fileSystemId;
        // Dynamic provisioning always creates an access point: `efs-ap`, or `s3files-ap` for S3 Files.
        const mode = sc.parameters.provisioningMode;
        const s3 = (isKnown(fsParam) && fsParam.startsWith('s3files:')) || mode === 's3files-ap';
        const fileSystemId = isKnown(fsParam) ? fsParam.replace(/^(efs|s3files):/, '') : fsParam;
        const usesAccessPoint = mode === 'efs-ap' || mode === 's3files-ap';
        const encrypt = sc.parameters.encryptInTransit;
        return {
          kind: 'StorageClass' as const,
          name,
          resource: `StorageClass/${name}`,
          type: (s3 ? 's3files' : 'efs') as FileSystemType,
          fileSystemId,
          usesAccessPoint,
          mountOptions,
          attributes: sc.parameters,
          tls: effectiveTls(encrypt, usesAccessPoint, s3),
          iam: s3 || hasOption(mountOptions, 'iam'),
          readWrite: true,
          origin: sc.origin,
          mountOptionOrigin: (option: string) =>
            sc.mountOptionOrigins?.[sc.mountOptions.indexOf(option)] ?? sc.origin,
          attributeOrigin: (key: string) => sc.parameterOrigins?.[key] ?? sc.origin,
        };
      });
  }

  private persistentVolumes(): DriverVolume[] {
    return this.snapshot.persistentVolumes
      .filter((pv) => pv.driver === EFS_DRIVER)
      .map((pv) => {
        const name = isKnown(pv.name) ? pv.name : '(unnamed)';
        const parsed = isKnown(pv.volumeHandle) ? parseVolumeHandle(pv.volumeHandle) : undefined;
        const handle = parsed && !('error' in parsed) ? parsed : undefined;
        const s3 = handle?.type === 's3files';
        const mountOptions = pv.mountOptions.filter(isKnown);
        const attrs = lowerKeys(pv.volumeAttributes);
        const readWrite = !(pv.accessModes.length > 0 && pv.accessModes.every((m) => m === 'ReadOnlyMany'));
        return {
          kind: 'PersistentVolume' as const,
          name,
          resource: `PersistentVolume/${name}`,
          type: (s3 ? 's3files' : 'efs') as FileSystemType,
          fileSystemId: handle
            ? handle.fileSystemId
            : isUnknown(pv.volumeHandle)
              ? pv.volumeHandle
              : undefined,
          ...(handle?.accessPointId ? { accessPointId: handle.accessPointId } : {}),
          usesAccessPoint: !!handle?.accessPointId,
          mountOptions,
          attributes: pv.volumeAttributes,
          tls: effectiveTls(attrs.encryptintransit, !!handle?.accessPointId, s3),
          iam: s3 || hasOption(mountOptions, 'iam'),
          readWrite,
          origin: pv.origin,
          handleOrigin: pv.volumeHandleOrigin,
          mountOptionOrigin: (option: string) =>
            pv.mountOptionOrigins?.[pv.mountOptions.indexOf(option)] ?? pv.origin,
          attributeOrigin: (key: string) => {
            const actual = Object.keys(pv.volumeAttributes).find(
              (k) => k.toLowerCase() === key.toLowerCase(),
            );
            return (actual && pv.volumeAttributeOrigins?.[actual]) || pv.origin;
          },
        };
      });
  }
}

function lowerKeys(record: Record<string, Maybe<string>>): Record<string, Maybe<string>> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * TLS is on unless encryptInTransit parses as false (Go's strconv.ParseBool, as the driver reads it); an access point
 * forces it on; S3 Files always uses TLS.
 */
function effectiveTls(
  encryptInTransit: Maybe<string> | undefined,
  accessPoint: boolean,
  s3files: boolean,
): boolean | 'unknown' {
  if (s3files || accessPoint) return true;
  if (encryptInTransit === undefined) return true;
  if (isUnknown(encryptInTransit)) return 'unknown';
  return parseGoBool(encryptInTransit) !== false;
}

/** The driver lower-cases mount option entries, and `tls,iam` in one entry is two options. */
function hasOption(mountOptions: string[], name: string): boolean {
  return mountOptions.some((entry) =>
    entry
      .toLowerCase()
      .split(',')
      .some((o) => o.trim().split('=')[0] === name),
  );
}

function describeFile(origin: Origin): string {
  return origin.kind === 'file' ? origin.file : origin.kind === 'aws' ? origin.arn : origin.ref;
}

/** Two origins in the same directory, or one in a directory above the other; live origins are one cluster. */
export function isNear(a: Origin, b: Origin): boolean {
  if (a.kind !== 'file' || b.kind !== 'file') return true;
  return areNearDirectories(directoryOf(a), directoryOf(b));
}

/** {@link isNear} for two directories (as {@link directoryOf} gives them). */
export function areNearDirectories(dirA: string, dirB: string): boolean {
  return dirA === dirB || dirA === '' || dirB === '' || isInside(dirB, dirA) || isInside(dirA, dirB);
}

/** `inner` is a directory below `outer` (`a/b/c` is inside `a/b`, `a/bc` is not): startsWith(`${outer}/`), no string built. */
function isInside(inner: string, outer: string): boolean {
  return inner.length > outer.length && inner.charCodeAt(outer.length) === 47 && inner.startsWith(outer);
}

const directories = new WeakMap<Origin, string>();

/** The directory of a file origin (`a/b` for `a/b/c.yaml`, `` at the root), cached: rules ask it often. */
export function directoryOf(origin: Origin): string {
  let dir = directories.get(origin);
  if (dir === undefined) {
    const file = origin.kind === 'file' ? origin.file : '';
    dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    directories.set(origin, dir);
  }
  return dir;
}
