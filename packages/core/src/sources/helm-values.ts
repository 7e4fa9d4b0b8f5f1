import type { FileOrigin } from '../model/origin';
import {
  type Container,
  type DaemonSet,
  emptySnapshot,
  mergeSnapshots,
  type ServiceAccount,
  type Snapshot,
  type StorageClass,
} from '../model/snapshot';
import { isUnknown, type Maybe, unknown } from '../model/unknown';
import type { LocatedDocument } from '../util/located';
import type { DocumentSource, ParsedFile } from './types';

/** What the aws-efs-csi-driver chart names its objects (fixed in its templates, or its defaults in values.yaml). */
export const NODE_DAEMONSET_NAME = 'efs-csi-node';
export const NODE_CONTAINER_NAME = 'efs-plugin';
export const DEFAULT_NODE_SERVICE_ACCOUNT = 'efs-csi-node-sa';
export const DEFAULT_CONTROLLER_SERVICE_ACCOUNT = 'efs-csi-controller-sa';
export const DRIVER_PROVISIONER = 'efs.csi.aws.com';
/**
 * The chart's default image repository (recent chart versions). Used only when values set `image.tag` alone: the
 * tag, which is what the rules read, comes from the values.
 */
export const DEFAULT_IMAGE_REPOSITORY = 'public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver';

/** The key under which an umbrella chart passes values to the driver when it is a dependency. */
const SUBCHART_KEY = 'aws-efs-csi-driver';

export interface DriverValuesOptions {
  /**
   * The release namespace (`helm install -n …`). Values files do not hold it; the chart puts every object there.
   * Default `kube-system`, where the driver's docs and the EKS add-on install it.
   */
  namespace?: string;
}

type Obj = Record<string, unknown>;
type LineOf = (container: object, key?: string | number) => number | undefined;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/**
 * The facts the aws-efs-csi-driver chart would create from these values (the same schema the EKS add-on's
 * configurationValues use): node and controller ServiceAccounts, the node DaemonSet's service account and image,
 * and the StorageClasses of `storageClasses`. Go template expressions (`{{ … }}`) in a value make it unknown.
 */
export function driverValuesToSnapshot(
  values: unknown,
  origin: FileOrigin,
  lineOf?: LineOf,
  options: DriverValuesOptions = {},
): Snapshot {
  const snapshot = emptySnapshot(['S']);
  const root: Obj = isObject(values) ? values : {};
  const namespace = options.namespace ?? 'kube-system';
  const at = (container: object | undefined, key: string | number | undefined, path: string): FileOrigin => {
    const line = (container && lineOf?.(container, key)) ?? origin.line;
    const fullPath = origin.path ? `${origin.path}.${path}` : path;
    return { kind: 'file', file: origin.file, ...(line !== undefined ? { line } : {}), path: fullPath };
  };

  const node = isObject(root.node) ? root.node : undefined;
  const nodeSa = readServiceAccount(root, 'node', DEFAULT_NODE_SERVICE_ACCOUNT, namespace, at);
  if (nodeSa.account) snapshot.serviceAccounts.push(nodeSa.account);
  const controllerSa = readServiceAccount(
    root,
    'controller',
    DEFAULT_CONTROLLER_SERVICE_ACCOUNT,
    namespace,
    at,
  );
  if (controllerSa.account) snapshot.serviceAccounts.push(controllerSa.account);

  // The chart always renders the node DaemonSet (there is no `node.create`), with the node SA whether or not the
  // chart creates that SA itself.
  const container: Container = { name: NODE_CONTAINER_NAME, env: {} };
  const image = readImage(root, at);
  if (image !== undefined) container.image = image;
  if (root.useFIPS === true || root.useFIPS === 'true') container.env.AWS_USE_FIPS_ENDPOINT = 'true';
  if (node && Array.isArray(node.env)) {
    node.env.forEach((entry, index) => {
      if (!isObject(entry) || typeof entry.name !== 'string') return;
      const envAt = at(node.env as object, index, `node.env[${index}]`);
      container.env[entry.name] =
        entry.value !== undefined
          ? (text(entry.value, envAt) ?? '')
          : unknown(`node.env[${index}].valueFrom (resolved in the cluster)`, envAt);
    });
  }
  const daemonSet: DaemonSet = {
    namespace,
    name: NODE_DAEMONSET_NAME,
    serviceAccountName: nodeSa.name,
    containers: [container],
    origin: node ? at(root, 'node', 'node') : origin,
    serviceAccountOrigin: nodeSa.nameOrigin,
  };
  snapshot.daemonSets.push(daemonSet);

  if (Array.isArray(root.storageClasses)) {
    root.storageClasses.forEach((item, index) => {
      if (!isObject(item)) return;
      const storageClass = readStorageClass(
        item,
        at(root.storageClasses as object, index, `storageClasses[${index}]`),
        index,
        at,
      );
      snapshot.storageClasses.push(storageClass);
    });
  }
  return snapshot;
}

/** A string value; numbers and booleans as YAML would render them; `{{ … }}` → unknown; absent → undefined. */
function text(value: unknown, at: FileOrigin): Maybe<string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return value;
  if (typeof value === 'string') return value.includes('{{') ? unknown(value.trim(), at) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return unknown(`not a string: ${JSON.stringify(value)}`, at);
}

type At = (container: object | undefined, key: string | number | undefined, path: string) => FileOrigin;

function readServiceAccount(
  root: Obj,
  component: 'node' | 'controller',
  defaultName: string,
  namespace: string,
  at: At,
): { account?: ServiceAccount; name: Maybe<string>; nameOrigin: FileOrigin } {
  const section = isObject(root[component]) ? (root[component] as Obj) : undefined;
  const sa = section && isObject(section.serviceAccount) ? section.serviceAccount : undefined;
  const base = `${component}.serviceAccount`;
  const saOrigin = sa
    ? at(section, 'serviceAccount', base)
    : section
      ? at(root, component, component)
      : at(undefined, undefined, base);
  const nameOrigin = sa && sa.name !== undefined ? at(sa, 'name', `${base}.name`) : saOrigin;
  // An empty name makes the chart render an invalid manifest; treat it like the default rather than invent one.
  const given = sa ? text(sa.name, nameOrigin) : undefined;
  const name = given === undefined || given === '' ? defaultName : given;
  const create = sa?.create;
  if (create === false || create === 'false') return { name, nameOrigin };
  const account: ServiceAccount = { namespace, name, annotations: {}, origin: saOrigin };
  if (sa && isObject(sa.annotations)) {
    const origins: Record<string, FileOrigin> = {};
    for (const [key, value] of Object.entries(sa.annotations)) {
      const annotationAt = at(sa.annotations, key, `${base}.annotations.${key}`);
      const rendered = text(value, annotationAt);
      if (rendered === undefined) continue;
      account.annotations[key] = rendered;
      origins[key] = annotationAt;
    }
    if (Object.keys(origins).length > 0) account.annotationOrigins = origins;
  }
  return { account, name, nameOrigin };
}

function readImage(root: Obj, at: At): Maybe<string> | undefined {
  const image = isObject(root.image) ? root.image : undefined;
  if (!image) return undefined;
  const imageAt = at(root, 'image', 'image');
  const repository = text(image.repository, at(image, 'repository', 'image.repository'));
  const rawTag = text(image.tag, at(image, 'tag', 'image.tag'));
  const tag = rawTag === '' ? undefined : rawTag;
  if (repository === undefined && tag === undefined) return undefined;
  // Without a tag the chart uses its own appVersion, which the values do not say.
  if (tag === undefined) {
    const repo = typeof repository === 'string' ? repository : repository!.expression;
    return unknown(`${repo}:v<chart appVersion>`, imageAt);
  }
  const repo = repository ?? DEFAULT_IMAGE_REPOSITORY;
  if (typeof repo === 'string' && typeof tag === 'string') return `${repo}:${tag}`;
  const show = (v: Maybe<string>) => (typeof v === 'string' ? v : v.expression);
  return unknown(`${show(repo)}:${show(tag)}`, imageAt);
}

function readStorageClass(item: Obj, origin: FileOrigin, index: number, at: At): StorageClass {
  const base = `storageClasses[${index}]`;
  const storageClass: StorageClass = {
    name: text(item.name, at(item, 'name', `${base}.name`)) ?? unknown(`${base}.name (absent)`, origin),
    // Fixed in the chart's template, whatever the values say.
    provisioner: DRIVER_PROVISIONER,
    mountOptions: [],
    parameters: {},
    origin,
  };
  if (Array.isArray(item.mountOptions)) {
    const origins: FileOrigin[] = [];
    item.mountOptions.forEach((option, i) => {
      const optionAt = at(item.mountOptions as object, i, `${base}.mountOptions[${i}]`);
      storageClass.mountOptions.push(text(option, optionAt) ?? '');
      origins.push(optionAt);
    });
    storageClass.mountOptionOrigins = origins;
  }
  if (isObject(item.parameters)) {
    const origins: Record<string, FileOrigin> = {};
    for (const [key, value] of Object.entries(item.parameters)) {
      const parameterAt = at(item.parameters, key, `${base}.parameters.${key}`);
      storageClass.parameters[key] = text(value, parameterAt) ?? '';
      origins[key] = parameterAt;
    }
    storageClass.parameterOrigins = origins;
  }
  return storageClass;
}

// ---- recognising a values file ----

const EFS_WORD = /(^|[/_.:-])(aws-)?efs([/_.:-]|$)/i;

/** Keys only this chart has (other charts, e.g. the EBS CSI driver's, share `node.serviceAccount`). */
const TOP_LEVEL_MARKERS = ['portRangeUpperBound', 'useHelmHooksForCSIDriver'];
const NODE_MARKERS = ['volMetricsOptIn', 'efsUtilsConfOverrides', 's3filesUtilsConfOverrides', 'hostAliases'];
const CONTROLLER_MARKERS = ['deleteAccessPointRootDir', 'fileSystemIdRefs'];

function isOtherDocument(value: Obj): boolean {
  return (
    ('apiVersion' in value && 'kind' in value) ||
    'AWSTemplateFormatVersion' in value ||
    'Resources' in value ||
    'Statement' in value
  );
}

function looksLikeDriverValues(value: Obj, file?: string): boolean {
  if (isOtherDocument(value)) return false;
  const image = isObject(value.image) ? value.image : undefined;
  if (image && typeof image.repository === 'string' && !image.repository.includes('{{')) {
    // An image repository says which chart this is, either way.
    return EFS_WORD.test(image.repository);
  }
  const node = isObject(value.node) ? value.node : undefined;
  const controller = isObject(value.controller) ? value.controller : undefined;
  const nodeSa = node && isObject(node.serviceAccount) ? node.serviceAccount : undefined;
  const controllerSa =
    controller && isObject(controller.serviceAccount) ? controller.serviceAccount : undefined;
  if (!nodeSa && !controllerSa) return false;
  const names = [nodeSa?.name, controllerSa?.name].filter((n): n is string => typeof n === 'string');
  if (names.some((n) => /efs/i.test(n))) return true;
  if (TOP_LEVEL_MARKERS.some((k) => k in value)) return true;
  if (node && NODE_MARKERS.some((k) => k in node)) return true;
  if (controller && CONTROLLER_MARKERS.some((k) => k in controller)) return true;
  if (
    Array.isArray(value.storageClasses) &&
    value.storageClasses.some(
      (sc) =>
        isObject(sc) &&
        isObject(sc.parameters) &&
        ('fileSystemId' in sc.parameters || sc.parameters.provisioningMode === 'efs-ap'),
    )
  ) {
    return true;
  }
  // Content shaped like this chart's values, in a file whose path names EFS (`values-efs.yaml`, `efs-csi/values.yaml`).
  return file !== undefined && /efs/i.test(file);
}

/** The driver's values inside a document: the document itself, or an umbrella chart's `aws-efs-csi-driver:` key. */
function driverValuesIn(value: unknown, file?: string): { values: Obj; path?: string } | undefined {
  if (!isObject(value) || isOtherDocument(value)) return undefined;
  const nested = value[SUBCHART_KEY];
  if (isObject(nested) && looksLikeDriverValues(nested, SUBCHART_KEY))
    return { values: nested, path: SUBCHART_KEY };
  return looksLikeDriverValues(value, file) ? { values: value } : undefined;
}

export const helmValuesSource: DocumentSource = {
  name: 'helm-values',
  claims(document: LocatedDocument, file: ParsedFile): boolean {
    return driverValuesIn(document.value, file.file) !== undefined;
  },
  read(documents: LocatedDocument[], file: ParsedFile): Snapshot {
    const snapshot = emptySnapshot(['S']);
    for (const document of documents) {
      const found = driverValuesIn(document.value, file.file);
      if (!found) continue;
      const line = found.path
        ? (document.lineOf(document.value as object, found.path) ?? document.line)
        : document.line;
      const origin: FileOrigin = {
        kind: 'file',
        file: file.file,
        line,
        ...(found.path ? { path: found.path } : {}),
      };
      const part = driverValuesToSnapshot(found.values, origin, (c, k) => document.lineOf(c, k));
      mergeSnapshots(snapshot, part);
    }
    return snapshot;
  },
};
