import { fileOrigin, type Origin } from '../model/origin';
import { emptySnapshot, type Container, type Role, type Snapshot } from '../model/snapshot';
import { type Maybe, unknown } from '../model/unknown';
import { normalizePolicy } from '../policy/normalize';
import type { LocatedDocument } from '../util/located';
import type { DocumentSource, ParsedFile } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Kubernetes manifests (multi-document YAML or JSON): StorageClass, PersistentVolume, ServiceAccount, Secret,
 * DaemonSet, `List`; and eksctl `ClusterConfig` files, which declare Pod Identity associations, IRSA service
 * accounts and add-ons for a cluster.
 */
export const kubernetesYamlSource: DocumentSource = {
  name: 'kubernetes-yaml',
  claims: (document) =>
    isObj(document.value) &&
    typeof document.value.apiVersion === 'string' &&
    typeof document.value.kind === 'string',
  read(documents, file) {
    const snapshot = emptySnapshot(['S']);
    for (const document of documents) readObject(document.value as Obj, document, file, snapshot);
    return snapshot;
  },
};

/** A string value, or unknown when it is a template expression or not a scalar. */
function text(value: unknown, origin: Origin): Maybe<string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    return value.includes('{{') ? unknown(`template expression ${value}`, origin) : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return unknown('not a scalar value', origin);
}

function stringMap(value: unknown, at: (key: string) => Origin): Record<string, Maybe<string>> {
  const out: Record<string, Maybe<string>> = {};
  if (!isObj(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const t = text(v, at(key));
    if (t !== undefined) out[key] = t;
  }
  return out;
}

function readObject(obj: Obj, document: LocatedDocument, file: ParsedFile, snapshot: Snapshot): void {
  const line = (container: object, key?: string | number) => document.lineOf(container, key);
  const origin = (container: object, key?: string | number): Origin =>
    fileOrigin(file.file, line(container, key));
  const metadata = isObj(obj.metadata) ? obj.metadata : {};
  const here = origin(obj);
  const name = text(metadata.name, here) ?? unknown('metadata.name missing', here);
  const namespaceOf = (fallback?: string) => text(metadata.namespace, here) ?? fallback ?? 'default';
  const kind = obj.kind;
  switch (kind) {
    case 'List':
      for (const item of Array.isArray(obj.items) ? obj.items : [])
        if (isObj(item)) readObject(item, document, file, snapshot);
      return;
    case 'StorageClass': {
      const mountOptions = Array.isArray(obj.mountOptions) ? obj.mountOptions : [];
      snapshot.storageClasses.push({
        name,
        provisioner:
          text(obj.provisioner, origin(obj, 'provisioner')) ?? unknown('provisioner missing', here),
        mountOptions: mountOptions.map((m, i) => text(m, origin(mountOptions, i)) ?? ''),
        parameters: stringMap(obj.parameters, (k) => origin(obj.parameters as object, k)),
        origin: here,
        mountOptionOrigins: mountOptions.map((_, i) => origin(mountOptions, i)),
        parameterOrigins: Object.fromEntries(
          Object.keys(isObj(obj.parameters) ? obj.parameters : {}).map((k) => [
            k,
            origin(obj.parameters as object, k),
          ]),
        ),
      });
      return;
    }
    case 'PersistentVolume': {
      const spec = isObj(obj.spec) ? obj.spec : {};
      const csi = isObj(spec.csi) ? spec.csi : {};
      const mountOptions = Array.isArray(spec.mountOptions) ? spec.mountOptions : [];
      const attributes = isObj(csi.volumeAttributes) ? csi.volumeAttributes : {};
      snapshot.persistentVolumes.push({
        name,
        driver: text(csi.driver, origin(csi, 'driver')) ?? unknown('spec.csi.driver missing', here),
        volumeHandle:
          text(csi.volumeHandle, origin(csi, 'volumeHandle')) ??
          unknown('spec.csi.volumeHandle missing', here),
        volumeAttributes: stringMap(attributes, (k) => origin(attributes, k)),
        mountOptions: mountOptions.map((m, i) => text(m, origin(mountOptions, i)) ?? ''),
        accessModes: Array.isArray(spec.accessModes)
          ? spec.accessModes.filter((m) => typeof m === 'string')
          : [],
        storageClassName: text(spec.storageClassName, origin(spec, 'storageClassName')),
        origin: here,
        volumeHandleOrigin: origin(csi, 'volumeHandle'),
        mountOptionOrigins: mountOptions.map((_, i) => origin(mountOptions, i)),
        volumeAttributeOrigins: Object.fromEntries(
          Object.keys(attributes).map((k) => [k, origin(attributes, k)]),
        ),
      });
      return;
    }
    case 'ServiceAccount': {
      const annotations = isObj(metadata.annotations) ? metadata.annotations : {};
      snapshot.serviceAccounts.push({
        namespace: namespaceOf(),
        name,
        annotations: stringMap(annotations, (k) => origin(annotations, k)),
        origin: here,
        annotationOrigins: Object.fromEntries(
          Object.keys(annotations).map((k) => [k, origin(annotations, k)]),
        ),
      });
      return;
    }
    case 'Secret': {
      const data: Record<string, Maybe<string>> = {};
      if (isObj(obj.data)) {
        for (const [key, value] of Object.entries(obj.data)) {
          if (typeof value === 'string') data[key] = Buffer.from(value, 'base64').toString('utf8');
        }
      }
      Object.assign(
        data,
        stringMap(obj.stringData, (k) => origin(obj.stringData as object, k)),
      );
      const dataOrigins: Record<string, Origin> = {};
      for (const block of [obj.data, obj.stringData]) {
        if (isObj(block)) for (const key of Object.keys(block)) dataOrigins[key] = origin(block, key);
      }
      snapshot.secrets.push({ namespace: namespaceOf(), name, data, origin: here, dataOrigins });
      return;
    }
    case 'DaemonSet': {
      const podSpec = podSpecOf(obj);
      if (!podSpec) return;
      snapshot.daemonSets.push({
        namespace: namespaceOf(),
        name,
        serviceAccountName:
          text(podSpec.serviceAccountName ?? podSpec.serviceAccount, origin(podSpec, 'serviceAccountName')) ??
          'default',
        containers: containersOf(podSpec, origin),
        origin: here,
        serviceAccountOrigin: origin(podSpec, 'serviceAccountName'),
      });
      return;
    }
    case 'ClusterConfig':
      if (typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('eksctl.io/')) {
        readEksctlClusterConfig(obj, origin, snapshot);
      }
      return;
    default:
      return;
  }
}

function podSpecOf(obj: Obj): Obj | undefined {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  const template = spec && isObj(spec.template) ? spec.template : undefined;
  return template && isObj(template.spec) ? template.spec : undefined;
}

function containersOf(podSpec: Obj, origin: (c: object, k?: string | number) => Origin): Container[] {
  const list = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  return list.filter(isObj).map((c) => {
    const env: Record<string, Maybe<string>> = {};
    for (const e of Array.isArray(c.env) ? c.env : []) {
      if (!isObj(e) || typeof e.name !== 'string') continue;
      env[e.name] = text(e.value, origin(e)) ?? unknown('valueFrom', origin(e));
    }
    return {
      name: typeof c.name === 'string' ? c.name : '',
      image: text(c.image, origin(c, 'image')),
      env,
      ...(c.image !== undefined ? { imageOrigin: origin(c, 'image') } : {}),
    };
  });
}

/**
 * eksctl's ClusterConfig: `iam.podIdentityAssociations`, `iam.serviceAccounts` (IRSA, roles eksctl creates),
 * `addons[].podIdentityAssociations`, `iam.withOIDC`.
 */
function readEksctlClusterConfig(
  obj: Obj,
  origin: (c: object, k?: string | number) => Origin,
  snapshot: Snapshot,
): void {
  const metadata = isObj(obj.metadata) ? obj.metadata : {};
  const here = origin(obj);
  const cluster = text(metadata.name, here);
  const region = text(metadata.region, here);
  snapshot.clusters.push({ name: cluster ?? unknown('metadata.name missing', here), region, origin: here });
  const iam = isObj(obj.iam) ? obj.iam : {};
  for (const assoc of Array.isArray(iam.podIdentityAssociations) ? iam.podIdentityAssociations : []) {
    if (!isObj(assoc)) continue;
    const at = origin(assoc);
    const namespace = text(assoc.namespace, at) ?? 'default';
    const role =
      assoc.roleARN === undefined
        ? eksctlRole(
            assoc,
            assoc.permissionPolicyARNs,
            assoc.permissionPolicy,
            namespace,
            at,
            origin,
            snapshot,
          )
        : undefined;
    snapshot.podIdentityAssociations.push({
      cluster,
      namespace,
      serviceAccount: text(assoc.serviceAccountName, at) ?? unknown('serviceAccountName missing', at),
      roleArn:
        text(assoc.roleARN, at) ??
        unknown(`role created by eksctl for ${String(assoc.serviceAccountName)}`, at, role?.id),
      ...(role ? { roleId: role.id } : {}),
      origin: at,
    });
  }
  for (const sa of Array.isArray(iam.serviceAccounts) ? iam.serviceAccounts : []) {
    if (!isObj(sa)) continue;
    const md = isObj(sa.metadata) ? sa.metadata : {};
    const at = origin(sa);
    const namespace = text(md.namespace, at) ?? 'default';
    const role =
      sa.roleARN === undefined
        ? eksctlRole(md, sa.attachPolicyARNs, sa.attachPolicy, namespace, at, origin, snapshot, 'name')
        : undefined;
    snapshot.serviceAccounts.push({
      namespace,
      name: text(md.name, at) ?? unknown('metadata.name missing', at),
      annotations: {
        'eks.amazonaws.com/role-arn':
          text(sa.roleARN, at) ?? unknown(`IRSA role created by eksctl for ${String(md.name)}`, at, role?.id),
      },
      origin: at,
    });
  }
  for (const addon of Array.isArray(obj.addons) ? obj.addons : []) {
    if (!isObj(addon)) continue;
    const at = origin(addon);
    const name = text(addon.name, at) ?? unknown('name missing', at);
    const associations = (
      Array.isArray(addon.podIdentityAssociations) ? addon.podIdentityAssociations : []
    ).filter(isObj);
    snapshot.addons.push({
      cluster,
      name,
      version: text(addon.version, at),
      podIdentityAssociations: associations.map((a) => ({
        serviceAccount:
          text(a.serviceAccountName, origin(a)) ?? unknown('serviceAccountName missing', origin(a)),
        roleArn: text(a.roleARN, origin(a)) ?? unknown('role created by eksctl', origin(a)),
      })),
      origin: at,
    });
    for (const a of associations) {
      snapshot.podIdentityAssociations.push({
        cluster,
        namespace: text(a.namespace, origin(a)) ?? 'kube-system',
        serviceAccount:
          text(a.serviceAccountName, origin(a)) ?? unknown('serviceAccountName missing', origin(a)),
        roleArn: text(a.roleARN, origin(a)) ?? unknown('role created by eksctl', origin(a)),
        ownerAddon: typeof name === 'string' ? name : undefined,
        origin: origin(a),
      });
    }
  }
}

/**
 * The role eksctl creates for a service account when the config gives no `roleARN`: its permissions are the
 * managed policies of `permissionPolicyARNs` (Pod Identity associations) / `attachPolicyARNs` (IRSA service
 * accounts) and the inline `permissionPolicy` / `attachPolicy` document (eksctl ClusterConfig schema). Undefined when
 * the config attaches nothing (the role's permissions are then not in the file).
 */
function eksctlRole(
  owner: Obj,
  policyArns: unknown,
  inline: unknown,
  namespace: Maybe<string>,
  at: Origin,
  origin: (c: object, k?: string | number) => Origin,
  snapshot: Snapshot,
  nameKey = 'serviceAccountName',
): Role | undefined {
  const arns = Array.isArray(policyArns) ? policyArns : [];
  if (arns.length === 0 && !isObj(inline)) return undefined;
  const saName = text(owner[nameKey], at);
  const file = at.kind === 'file' ? at.file : '';
  const id = `eksctl:${file}#${String(namespace)}/${String(saName)}`;
  const role: Role = {
    id,
    name: unknown(`role created by eksctl for ${String(saName)}`, at),
    arn: unknown(`role created by eksctl for ${String(saName)}`, at, id),
    inlinePolicies: isObj(inline)
      ? [
          {
            name: 'eksctl inline policy',
            document: normalizePolicy(inline, origin(inline)),
            origin: origin(inline),
          },
        ]
      : [],
    managedPolicies: arns.map((arn, index) => ({
      arn: text(arn, origin(arns, index)) ?? unknown('policy ARN missing', origin(arns, index)),
      origin: origin(arns, index),
    })),
    origin: at,
  };
  snapshot.roles.push(role);
  return role;
}
