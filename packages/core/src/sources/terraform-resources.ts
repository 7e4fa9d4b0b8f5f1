import { parse as parseYaml } from 'yaml';
import type { FileOrigin, Origin } from '../model/origin';
import type { PolicyDocument } from '../model/policy';
import {
  emptySnapshot,
  type AttachedPolicy,
  type FileSystem,
  type PodIdentityAssociation,
  type Role,
  type Snapshot,
} from '../model/snapshot';
import { isKnown, isUnknown, type Maybe, type Unknown, unknown } from '../model/unknown';
import { normalizePolicy, type LineLookup } from '../policy/normalize';
import { LocatedParseError, parseLocatedJson } from '../util/located';

/**
 * The Terraform side shared by the plan and the HCL sources: a resource as attribute values (nested blocks are lists
 * of objects, as in `terraform show -json`), and the mapping of resource types onto Snapshot facts.
 */

/** A Terraform value: what the plan JSON holds, plus unknowns and encoded documents (`jsonencode`). */
export type TfValue = string | number | boolean | null | Unknown | TfValue[] | TfObject | TfEncoded;
export interface TfObject {
  [key: string]: TfValue;
}

/**
 * The result of `jsonencode(...)`, `yamlencode(...)` or `aws_iam_policy_document.json`: kept as structure so that
 * statement lines survive, with the rendered text when every part of it is known.
 */
export class TfEncoded {
  constructor(
    readonly format: 'json' | 'yaml',
    readonly value: TfValue,
    /** The rendered text, undefined when a part of the value is unknown. */
    readonly text: string | undefined,
  ) {}
}

/**
 * An unknown string that is a template over known and unknown parts (`"arn:aws:iam::${var.account}:role/x"`). It is
 * an {@link Unknown} everywhere, but a JSON text with unknown parts can still be read as a policy with those parts.
 */
export interface PartialText extends Unknown {
  readonly parts: ReadonlyArray<string | Unknown>;
}

export function isPartialText(value: unknown): value is PartialText {
  return isUnknown(value) && Array.isArray((value as { parts?: unknown }).parts);
}

export function isTfObject(value: unknown): value is TfObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !isUnknown(value) &&
    !(value instanceof TfEncoded)
  );
}

/** Where the objects and lists built from Terraform text start, and their keys / items (for statement lines). */
interface Positions {
  line?: number;
  keys: Map<string | number, number>;
}
const positions = new WeakMap<object, Positions>();

export function setPosition(container: object, line: number | undefined, key?: string | number): void {
  let pos = positions.get(container);
  if (!pos) positions.set(container, (pos = { keys: new Map() }));
  if (key === undefined) pos.line = line;
  else if (line !== undefined) pos.keys.set(key, line);
}

/** Line lookup over the values the HCL evaluator built (a child's own line when its key has none). */
export const tfLineOf: LineLookup = (container, key) => {
  const pos = positions.get(container);
  if (key === undefined) return pos?.line;
  const own = pos?.keys.get(key);
  if (own !== undefined) return own;
  const child = (container as Record<string | number, unknown>)[key];
  const childLine = typeof child === 'object' && child !== null ? positions.get(child)?.line : undefined;
  return childLine ?? pos?.line;
};

/** One resource (instance) as the sources see it. */
export interface TfResource {
  /** Full address: `aws_iam_role.node`, `module.efs.aws_iam_role.node[0]`, `data.aws_iam_policy_document.x`. */
  address: string;
  /** `module.efs` or '' for the root module. */
  module: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  values: TfObject;
  origin: FileOrigin;
  /**
   * Base addresses (module prefix, no instance key, no attribute) of the resources that the attribute at `path`
   * refers to. Paths are dotted with list indexes: `role_arn`, `pod_identity_association.0.role_arn`.
   */
  refs(path: string): string[];
  /** Origin of an attribute or a nested block, falling back to the resource's. */
  at(path: string): FileOrigin;
  /** First line of the text of a string attribute (a heredoc starts on the line after `<<EOF`), when known. */
  textLine?(path: string): number | undefined;
}

/** What the module knows about the AWS account it is applied to. */
export interface TfEnvironment {
  accountId?: string;
  region?: string;
  partition?: string;
}

/** `module.efs.aws_iam_role.node[0]` → `module.efs.aws_iam_role.node`. */
export function baseAddress(resource: Pick<TfResource, 'module' | 'mode' | 'type' | 'name'>): string {
  const local = `${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`;
  return resource.module ? `${resource.module}.${local}` : local;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

type Getter = (attr: string) => TfValue | undefined;

/**
 * Attributes a resource type computes from its own arguments (the provider's documented `id`/`arn` formats), or
 * undefined when the value exists only after apply. `get` reads the resource's own arguments.
 */
export function computedAttribute(
  mode: 'managed' | 'data',
  type: string,
  attr: string,
  get: Getter,
  env: TfEnvironment,
): TfValue | undefined {
  const known = (value: TfValue | undefined): string | undefined =>
    typeof value === 'string' ? value : undefined;
  const arnFor = (service: string, region: string, resource: string): string | undefined =>
    env.partition && env.accountId
      ? `arn:${env.partition}:${service}:${region}:${env.accountId}:${resource}`
      : undefined;
  if (mode === 'data') {
    if (type === 'aws_caller_identity' && attr === 'account_id') return env.accountId;
    if (type === 'aws_region' && (attr === 'name' || attr === 'region' || attr === 'id')) return env.region;
    if (type === 'aws_partition' && attr === 'partition') return env.partition;
    if (type === 'aws_partition' && attr === 'dns_suffix' && env.partition) {
      return env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    }
    return undefined;
  }
  switch (`${type}.${attr}`) {
    case 'aws_iam_role.id': // the provider uses the role name as its id
      return known(get('name'));
    case 'aws_iam_role.arn':
    case 'aws_iam_policy.arn': {
      const name = known(get('name'));
      const path = get('path') === undefined ? '/' : known(get('path'));
      if (name === undefined || path === undefined) return undefined;
      return arnFor('iam', '', `${type === 'aws_iam_role' ? 'role' : 'policy'}${path}${name}`);
    }
    case 'aws_iam_policy.id':
      return computedAttribute(mode, type, 'arn', get, env);
    case 'aws_iam_openid_connect_provider.arn': {
      const url = known(get('url'));
      return url === undefined
        ? undefined
        : arnFor('iam', '', `oidc-provider/${url.replace(/^https:\/\//, '')}`);
    }
    case 'aws_eks_cluster.id':
      return known(get('name'));
    case 'aws_eks_cluster.arn': {
      const name = known(get('name'));
      return name === undefined || env.region === undefined
        ? undefined
        : arnFor('eks', env.region, `cluster/${name}`);
    }
    default:
      return undefined;
  }
}

/** Minified JSON as Terraform's `jsonencode` writes it (Go escapes `<`, `>`, `&`), or undefined if a part is unknown. */
export function encodeJson(value: TfValue, indent?: number): string | undefined {
  let known = true;
  const plain = (v: TfValue): unknown => {
    if (isUnknown(v)) {
      known = false;
      return null;
    }
    if (v instanceof TfEncoded) {
      if (v.text === undefined) known = false;
      return v.text ?? null;
    }
    if (Array.isArray(v)) return v.map(plain);
    if (isTfObject(v)) {
      const out: Record<string, unknown> = {};
      // Terraform's object and map values iterate in lexical key order
      for (const key of Object.keys(v).sort()) out[key] = plain(v[key]);
      return out;
    }
    return v;
  };
  const data = plain(value);
  if (!known) return undefined;
  const text = JSON.stringify(data, null, indent);
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Renders an unknown for a key (condition keys are plain strings in the model): its parts, unknown ones as `${…}`. */
export function keyText(value: TfValue): string {
  if (typeof value === 'string') return value;
  if (isPartialText(value))
    return value.parts.map((p) => (typeof p === 'string' ? p : `\${${p.expression}}`)).join('');
  if (isUnknown(value)) return `\${${value.expression}}`;
  return String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// aws_iam_policy_document

type Entry = TfObject | Unknown;

function entries(value: TfValue | undefined): Entry[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is Entry => isTfObject(v) || isUnknown(v));
  if (isTfObject(value) || isUnknown(value)) return [value];
  return [];
}

function firstEntry(value: TfValue | undefined): TfObject | undefined {
  return entries(value).find(isTfObject);
}

/** The provider writes a one-element list as a plain string. */
function collapse(list: TfValue): TfValue {
  return Array.isArray(list) && list.length === 1 ? list[0] : list;
}

function stringList(value: TfValue | undefined): TfValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return value;
  if (!Array.isArray(value)) return [value];
  // sets of strings are sorted by the provider
  const items = [...value];
  if (items.every((i) => typeof i === 'string')) items.sort();
  return items;
}

/**
 * Renders a `data "aws_iam_policy_document"` (statement / principals / condition blocks) as the IAM JSON policy the
 * provider produces. Statement and nested objects keep the lines of their blocks.
 */
export function renderPolicyDocument(values: TfObject, origin: FileOrigin): TfEncoded {
  const statements: TfValue[] = [];
  setPosition(statements, origin.line);
  const bySid = new Map<string, number>();
  const add = (statement: TfValue, line: number | undefined) => {
    const sid = isTfObject(statement) && typeof statement.Sid === 'string' ? statement.Sid : undefined;
    if (sid !== undefined && bySid.has(sid)) {
      statements[bySid.get(sid)!] = statement;
      setPosition(statements, line, bySid.get(sid)!);
      return;
    }
    if (sid !== undefined) bySid.set(sid, statements.length);
    setPosition(statements, line, statements.length);
    statements.push(statement);
  };
  const merged = (list: TfValue | undefined, what: string) => {
    if (list === undefined || list === null) return;
    for (const doc of isUnknown(list) ? [list] : Array.isArray(list) ? list : [list]) {
      const decoded = decodeJsonValue(doc);
      const raw = isTfObject(decoded) ? decoded.Statement : decoded;
      if (isUnknown(raw) || isUnknown(decoded)) {
        add(
          unknown(`${what}: ${isUnknown(raw) ? raw.expression : (decoded as Unknown).expression}`, origin),
          origin.line,
        );
        continue;
      }
      for (const s of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
        add(s, tfLineOf(s as object) ?? origin.line);
    }
  };
  merged(values.source_policy_documents, 'source_policy_documents');
  for (const block of entries(values.statement)) {
    if (isUnknown(block)) {
      add(block, block.origin?.kind === 'file' ? block.origin.line : origin.line);
      continue;
    }
    const line = tfLineOf(block);
    const statement: TfObject = {};
    setPosition(statement, line);
    if (block.sid !== undefined && block.sid !== null) statement.Sid = block.sid;
    statement.Effect = block.effect ?? 'Allow';
    const lists: Array<[string, string]> = [
      ['actions', 'Action'],
      ['not_actions', 'NotAction'],
      ['resources', 'Resource'],
      ['not_resources', 'NotResource'],
    ];
    for (const [from, to] of lists) {
      const list = stringList(block[from]);
      if (list !== undefined) {
        statement[to] = collapse(list);
        setPosition(statement, tfLineOf(block, from), to);
      }
    }
    for (const [from, to] of [
      ['principals', 'Principal'],
      ['not_principals', 'NotPrincipal'],
    ] as const) {
      const principals = entries(block[from]);
      if (principals.length === 0) continue;
      const out: TfObject = {};
      setPosition(out, tfLineOf(block, from));
      let star = false;
      for (const p of principals) {
        if (isUnknown(p)) {
          out.AWS = p;
          continue;
        }
        const kind = keyText(p.type ?? '');
        const ids = stringList(p.identifiers) ?? [];
        if (kind === '*') star = true;
        else {
          const previous = out[kind];
          out[kind] =
            Array.isArray(previous) && Array.isArray(ids)
              ? [...previous, ...ids]
              : previous === undefined
                ? ids
                : previous;
        }
      }
      for (const key of Object.keys(out)) out[key] = collapse(out[key]);
      statement[to] = star && Object.keys(out).length === 0 ? '*' : out;
      setPosition(statement, tfLineOf(block, from), to);
    }
    const conditions = entries(block.condition);
    if (conditions.length > 0) {
      const out: TfObject = {};
      setPosition(out, tfLineOf(block, 'condition'));
      for (const c of conditions) {
        if (isUnknown(c)) {
          out.Unknown = { [c.expression]: c };
          continue;
        }
        const test = keyText(c.test ?? '');
        const variable = keyText(c.variable ?? '');
        const group = (isTfObject(out[test]) ? out[test] : (out[test] = {})) as TfObject;
        setPosition(group, tfLineOf(c));
        const values = isUnknown(c.values)
          ? c.values
          : Array.isArray(c.values)
            ? c.values
            : [c.values ?? null];
        const previous = group[variable];
        group[variable] =
          Array.isArray(previous) && Array.isArray(values) ? [...previous, ...values] : values;
        setPosition(group, tfLineOf(c), variable);
      }
      for (const group of Object.values(out)) {
        if (isTfObject(group)) for (const key of Object.keys(group)) group[key] = collapse(group[key]);
      }
      statement.Condition = out;
      setPosition(statement, tfLineOf(block, 'condition'), 'Condition');
    }
    add(statement, line);
  }
  merged(values.override_policy_documents, 'override_policy_documents');
  const document: TfObject = { Version: values.version ?? '2012-10-17' };
  setPosition(document, origin.line);
  if (values.policy_id !== undefined && values.policy_id !== null) document.Id = values.policy_id;
  document.Statement = statements;
  setPosition(document, origin.line, 'Statement');
  return new TfEncoded('json', document, encodeJson(document, 2));
}

/** A JSON value from a string, an encoded document or an unknown (policies, add-on configuration values). */
function decodeJsonValue(value: TfValue): TfValue {
  if (value instanceof TfEncoded) return value.value;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as TfValue;
    } catch {
      return unknown('a string that is not JSON');
    }
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Policies

const SENTINEL = /@@tf-unknown-(\d+)@@/g;

/**
 * Reads a policy attribute (`assume_role_policy`, `policy`): an encoded document, a JSON string (a heredoc, a plan
 * value), a template over unknown parts, or an unknown.
 */
export function policyFrom(
  resource: TfResource,
  path: string,
  value: TfValue | undefined,
): PolicyDocument | undefined {
  if (value === undefined || value === null) return undefined;
  const origin = resource.at(path);
  if (value instanceof TfEncoded) {
    const size = value.text?.length;
    return normalizePolicy(value.value, origin, {
      lineOf: tfLineOf,
      ...(size !== undefined ? { size } : {}),
    });
  }
  if (isPartialText(value)) {
    // Read the JSON with a placeholder for each unknown part, then put the unknowns back where the placeholders are.
    const text = value.parts.map((p, i) => (typeof p === 'string' ? p : `@@tf-unknown-${i}@@`)).join('');
    const parsed = parseJsonText(text, resource, path);
    if (!parsed) return normalizePolicy(value, origin);
    const restore = (v: unknown): unknown => {
      if (typeof v === 'string' && v.includes('@@tf-unknown-')) {
        const whole = /^@@tf-unknown-(\d+)@@$/.exec(v);
        if (whole) return value.parts[Number(whole[1])];
        const shown = v.replace(
          SENTINEL,
          (_, i: string) => `\${${(value.parts[Number(i)] as Unknown).expression}}`,
        );
        return unknown(shown, origin);
      }
      if (Array.isArray(v)) {
        const out = v.map(restore);
        copyPositions(v, out, parsed.lineOf);
        return out;
      }
      if (typeof v === 'object' && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, item] of Object.entries(v)) {
          const key = k.replace(
            SENTINEL,
            (_, i: string) => `\${${(value.parts[Number(i)] as Unknown).expression}}`,
          );
          out[key] = restore(item);
          setPosition(out, parsed.lineOf(v, k), key);
        }
        setPosition(out, parsed.lineOf(v));
        return out;
      }
      return v;
    };
    return normalizePolicy(restore(parsed.value), origin, { lineOf: tfLineOf });
  }
  if (isUnknown(value)) return normalizePolicy(value, origin);
  if (typeof value !== 'string') return normalizePolicy(value, origin, { lineOf: tfLineOf });
  const parsed = parseJsonText(value, resource, path);
  if (!parsed) {
    const doc = normalizePolicy(null, origin, { size: value.length });
    doc.problems.splice(0, doc.problems.length, `the policy is not valid JSON: ${jsonError(value)}`);
    return doc;
  }
  return normalizePolicy(parsed.value, origin, { lineOf: parsed.lineOf, size: value.length });
}

function copyPositions(from: unknown[], to: unknown[], lineOf: LineLookup): void {
  setPosition(to, lineOf(from));
  from.forEach((_, i) => setPosition(to, lineOf(from, i), i));
}

function parseJsonText(
  text: string,
  resource: TfResource,
  path: string,
): { value: unknown; lineOf: LineLookup } | undefined {
  try {
    const doc = parseLocatedJson(text);
    const first = resource.textLine?.(path);
    if (first === undefined) return { value: doc.value, lineOf: () => undefined };
    return {
      value: doc.value,
      lineOf: (container, key) => {
        const line = doc.lineOf(container, key);
        return line === undefined ? undefined : line + first - 1;
      },
    };
  } catch {
    return undefined;
  }
}

function jsonError(text: string): string {
  try {
    parseLocatedJson(text);
    return 'unreadable';
  } catch (error) {
    return error instanceof LocatedParseError ? error.message.replace(/^invalid JSON: /, '') : String(error);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

export interface MapOptions {
  /** The Snapshot id of a resource: `tf:<dir>:<address>` (HCL) or `tf:<address>` (plan). */
  idOf(resource: TfResource): string;
  env: TfEnvironment;
}

const AWS_MANAGED_POLICY = /^arn:aws[\w-]*:iam::aws:policy\//;
const NODE_DAEMONSET = 'efs-csi-node';
const DEFAULT_NODE_SA = 'efs-csi-node-sa';
const EFS_CHART = 'aws-efs-csi-driver';

/** Turns Terraform resources (every instance of one module, or of one plan) into Snapshot facts. */
export function mapTerraformResources(resources: TfResource[], options: MapOptions): Snapshot {
  return new Mapper(resources, options).run();
}

class Mapper {
  private readonly snapshot = emptySnapshot(['S']);
  private readonly byBase = new Map<string, TfResource[]>();
  private readonly roles = new Map<string, Role>();
  private readonly fileSystems = new Map<string, FileSystem>();

  constructor(
    private readonly resources: TfResource[],
    private readonly options: MapOptions,
  ) {
    for (const r of resources) {
      const base = baseAddress(r);
      const list = this.byBase.get(base) ?? [];
      list.push(r);
      this.byBase.set(base, list);
    }
  }

  run(): Snapshot {
    const order = [
      'aws_iam_role',
      'aws_efs_file_system',
      'aws_s3files_file_system',
      'aws_iam_role_policy',
      'aws_iam_role_policy_attachment',
      'aws_iam_policy_attachment',
      'aws_efs_file_system_policy',
      'aws_s3files_file_system_policy',
      'aws_eks_pod_identity_association',
      'aws_eks_addon',
      'aws_iam_openid_connect_provider',
      'aws_eks_cluster',
    ];
    const managed = this.resources.filter((r) => r.mode === 'managed');
    for (const type of order) for (const r of managed) if (r.type === type) this.read(r);
    for (const r of managed) if (!order.includes(r.type)) this.read(r);
    return this.snapshot;
  }

  /** The one resource of a type that an attribute refers to (by reference), when unambiguous. */
  private referenced(resource: TfResource, path: string, type: string): TfResource | undefined {
    for (const ref of resource.refs(path)) {
      const list = this.byBase.get(ref);
      if (list && list.length === 1 && list[0].type === type) return list[0];
    }
    return undefined;
  }

  private str(value: TfValue | undefined, origin: Origin): Maybe<string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isUnknown(value)) return value;
    if (value instanceof TfEncoded)
      return value.text ?? unknown('an encoded document with unknown parts', origin);
    return unknown('not a string', origin);
  }

  private computed(resource: TfResource, attr: string): Unknown {
    return unknown(`${resource.address}.${attr} (known after apply)`, resource.at(attr));
  }

  private read(r: TfResource): void {
    switch (r.type) {
      case 'aws_iam_role':
        return this.role(r);
      case 'aws_iam_role_policy':
        return this.rolePolicy(r);
      case 'aws_iam_role_policy_attachment':
      case 'aws_iam_policy_attachment':
        return this.attachment(r);
      case 'aws_eks_pod_identity_association':
        return this.association(r);
      case 'aws_eks_addon':
        return this.addon(r);
      case 'aws_efs_file_system':
      case 'aws_s3files_file_system':
        return void this.fileSystem(r);
      case 'aws_efs_file_system_policy':
      case 'aws_s3files_file_system_policy':
        return this.fileSystemPolicy(r);
      case 'aws_iam_openid_connect_provider':
        return this.oidcProvider(r);
      case 'aws_eks_cluster':
        return this.cluster(r);
      case 'kubernetes_service_account':
      case 'kubernetes_service_account_v1':
        return this.serviceAccount(r);
      case 'kubernetes_storage_class':
      case 'kubernetes_storage_class_v1':
        return this.storageClass(r);
      case 'kubernetes_persistent_volume':
      case 'kubernetes_persistent_volume_v1':
        return this.persistentVolume(r);
      case 'helm_release':
        return this.helmRelease(r);
      default:
        return;
    }
  }

  /** An attribute the resource sets, else what the provider computes from its arguments, else unknown. */
  private attribute(r: TfResource, attr: string): Maybe<string> {
    const own = this.str(r.values[attr], r.at(attr));
    if (own !== undefined) return own;
    const derived = computedAttribute(r.mode, r.type, attr, (a) => r.values[a], this.options.env);
    if (typeof derived === 'string') return derived;
    const prefix = attr === 'name' ? r.values.name_prefix : undefined;
    if (typeof prefix === 'string') {
      return unknown(`${r.address}.name (name_prefix "${prefix}", known after apply)`, r.at('name_prefix'));
    }
    return this.computed(r, attr);
  }

  private accountId(origin: Origin): Maybe<string> {
    return this.options.env.accountId ?? unknown('the AWS account of the Terraform provider', origin);
  }

  private role(r: TfResource): void {
    const v = r.values;
    const role: Role = {
      id: this.options.idOf(r),
      name: this.attribute(r, 'name'),
      arn: this.attribute(r, 'arn'),
      accountId: this.accountId(r.origin),
      inlinePolicies: [],
      managedPolicies: [],
      origin: r.origin,
    };
    const trust = policyFrom(r, 'assume_role_policy', v.assume_role_policy);
    if (trust) role.trustPolicy = trust;
    entries(v.inline_policy).forEach((block, i) => {
      if (isUnknown(block)) {
        role.inlinePolicies.push({ name: block, document: normalizePolicy(block, block.origin ?? r.origin) });
        return;
      }
      const document = policyFrom(r, `inline_policy.${i}.policy`, block.policy);
      // `inline_policy {}` with no arguments tells Terraform to remove all inline policies: nothing to record
      if (block.name === undefined && document === undefined) return;
      role.inlinePolicies.push({
        name: this.str(block.name, r.at(`inline_policy.${i}`)),
        ...(document ? { document } : {}),
      });
    });
    const managed = v.managed_policy_arns;
    if (isUnknown(managed)) role.managedPolicies.push({ arn: managed });
    else if (Array.isArray(managed)) {
      managed.forEach((arn, i) =>
        role.managedPolicies.push(this.managedPolicy(r, `managed_policy_arns.${i}`, arn)),
      );
    }
    const tags = v.tags;
    if (isTfObject(tags)) {
      const known: Record<string, string> = {};
      for (const [key, value] of Object.entries(tags)) if (typeof value === 'string') known[key] = value;
      role.tags = known;
    }
    this.roles.set(baseAddress(r), role);
    this.snapshot.roles.push(role);
  }

  /** A managed policy named by `policy_arn`: the document when the policy is defined in the same module. */
  private managedPolicy(r: TfResource, path: string, arn: TfValue | undefined): AttachedPolicy {
    const origin = r.at(path);
    const policy = this.referenced(r, path, 'aws_iam_policy');
    if (policy) {
      const document = policyFrom(policy, 'policy', policy.values.policy);
      return {
        arn: this.attribute(policy, 'arn'),
        name: this.attribute(policy, 'name'),
        ...(document ? { document } : {}),
      };
    }
    const value = this.str(arn, origin) ?? unknown(`${r.address}.${path}`, origin);
    if (typeof value === 'string') {
      const local = this.resources.find(
        (p) => p.type === 'aws_iam_policy' && p.mode === 'managed' && this.attribute(p, 'arn') === value,
      );
      if (local) return this.managedPolicy(local, 'arn', value);
      if (AWS_MANAGED_POLICY.test(value))
        return { arn: value, name: value.slice(value.lastIndexOf('/') + 1) };
    }
    return { arn: value };
  }

  /** The role named by a `role` / `role_arn` attribute: by reference, else by a literal name or ARN. */
  private roleFor(r: TfResource, path: string, value: TfValue | undefined): Role | undefined {
    const referenced = this.referenced(r, path, 'aws_iam_role');
    if (referenced) return this.roles.get(baseAddress(referenced));
    if (typeof value !== 'string') return undefined;
    const roles = [...this.roles.values()];
    const byArn = roles.filter((role) => role.arn === value);
    if (byArn.length === 1) return byArn[0];
    // An ARN whose role name is defined here, in an account that may be this one (its account is not known here).
    const arnName = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(value);
    const name = arnName ? arnName[2] : value;
    const byName = roles.filter(
      (role) =>
        role.name === name &&
        (!arnName || !isKnown(role.accountId) || role.accountId === arnName[1]) &&
        (!arnName || !isKnown(role.arn)),
    );
    return byName.length === 1 ? byName[0] : undefined;
  }

  private rolePolicy(r: TfResource): void {
    const document = policyFrom(r, 'policy', r.values.policy);
    if (!document) return;
    const role = this.roleFor(r, 'role', r.values.role);
    const name = this.str(r.values.name, r.at('name')) ?? this.computed(r, 'name');
    if (role) role.inlinePolicies.push({ name, document });
    else this.snapshot.loosePolicies.push({ kind: 'identity', document });
  }

  private attachment(r: TfResource): void {
    const policy = this.managedPolicy(r, 'policy_arn', r.values.policy_arn);
    if (r.type === 'aws_iam_role_policy_attachment') {
      const role = this.roleFor(r, 'role', r.values.role);
      if (role) role.managedPolicies.push(policy);
      else if (policy.document)
        this.snapshot.loosePolicies.push({ kind: 'identity', document: policy.document });
      return;
    }
    // aws_iam_policy_attachment: `roles` is a list; references are recorded for the list as a whole.
    const names = r.values.roles;
    const referenced = r
      .refs('roles')
      .map((ref) => this.roles.get(ref))
      .filter((role): role is Role => role !== undefined);
    const literal = Array.isArray(names)
      ? names
          .map((n, i) => this.roleFor(r, `roles.${i}`, n))
          .filter((role): role is Role => role !== undefined)
      : [];
    for (const role of new Set([...referenced, ...literal])) role.managedPolicies.push(policy);
  }

  private association(r: TfResource): void {
    const v = r.values;
    const role = this.roleFor(r, 'role_arn', v.role_arn);
    const association: PodIdentityAssociation = {
      cluster: this.str(v.cluster_name, r.at('cluster_name')),
      namespace: this.str(v.namespace, r.at('namespace')) ?? unknown('namespace missing', r.origin),
      serviceAccount:
        this.str(v.service_account, r.at('service_account')) ?? unknown('service_account missing', r.origin),
      roleArn: this.str(v.role_arn, r.at('role_arn')) ?? unknown('role_arn missing', r.origin),
      origin: r.origin,
    };
    if (role) association.roleId = role.id;
    const target = this.str(v.target_role_arn, r.at('target_role_arn'));
    if (target !== undefined) association.targetRoleArn = target;
    const tags = v.disable_session_tags;
    if (typeof tags === 'boolean' || isUnknown(tags)) association.disableSessionTags = tags;
    else if (tags === 'true' || tags === 'false') association.disableSessionTags = tags === 'true';
    // A plan lists every attribute (`policy: null` when unset); HCL only the ones written: absent means none too.
    association.sessionPolicy = policyFrom(r, 'policy', r.values.policy) ?? null;
    this.snapshot.podIdentityAssociations.push(association);
  }

  private addon(r: TfResource): void {
    const v = r.values;
    const name = this.str(v.addon_name, r.at('addon_name')) ?? unknown('addon_name missing', r.origin);
    const cluster = this.str(v.cluster_name, r.at('cluster_name'));
    const owned: NonNullable<import('../model/snapshot').Addon['podIdentityAssociations']> = [];
    entries(v.pod_identity_association).forEach((block, i) => {
      const path = `pod_identity_association.${i}`;
      const at = r.at(path);
      if (isUnknown(block)) {
        owned.push({ serviceAccount: block, roleArn: block });
        return;
      }
      const roleArn = this.str(block.role_arn, r.at(`${path}.role_arn`)) ?? unknown('role_arn missing', at);
      const serviceAccount =
        this.str(block.service_account, r.at(`${path}.service_account`)) ??
        unknown('service_account missing', at);
      const role = this.roleFor(r, `${path}.role_arn`, block.role_arn);
      owned.push({ serviceAccount, roleArn, ...(role ? { roleId: role.id } : {}) });
      this.snapshot.podIdentityAssociations.push({
        cluster,
        namespace: 'kube-system',
        serviceAccount,
        roleArn,
        ...(role ? { roleId: role.id } : {}),
        ...(typeof name === 'string' ? { ownerAddon: name } : {}),
        origin: at,
      });
    });
    this.snapshot.addons.push({
      cluster,
      name,
      version: this.str(v.addon_version, r.at('addon_version')),
      podIdentityAssociations: owned,
      origin: r.origin,
    });
    if (name === EFS_CHART && v.configuration_values !== undefined && v.configuration_values !== null) {
      const values = decodeDocument(v.configuration_values);
      if (isTfObject(values))
        this.nodeComponent(r, 'kube-system', nodeValues(values, r.at('configuration_values')));
    }
  }

  private fileSystem(r: TfResource): FileSystem {
    const key = baseAddress(r);
    const existing = this.fileSystems.get(key);
    if (existing) return existing;
    const env = this.options.env;
    const fs: FileSystem = {
      type: r.type === 'aws_s3files_file_system' ? 's3files' : 'efs',
      id: this.attribute(r, 'id'),
      arn: this.attribute(r, 'arn'),
      accountId: this.accountId(r.origin),
      region: env.region ?? unknown('the region of the Terraform provider', r.origin),
      origin: r.origin,
    };
    if (fs.type === 's3files') {
      // aws_s3files_file_system (AWS provider): `bucket` is the bucket ARN, `role_arn` the role the file system uses
      // for the bucket, `prefix` optional.
      const bucket = this.str(r.values.bucket, r.at('bucket'));
      if (bucket !== undefined) fs.bucket = bucket;
      const prefix = this.str(r.values.prefix, r.at('prefix'));
      if (prefix !== undefined) fs.bucketPrefix = prefix;
      const roleArn = this.str(r.values.role_arn, r.at('role_arn'));
      if (roleArn !== undefined) fs.roleArn = roleArn;
    }
    this.fileSystems.set(key, fs);
    this.snapshot.fileSystems.push(fs);
    return fs;
  }

  private fileSystemPolicy(r: TfResource): void {
    const document =
      policyFrom(r, 'policy', r.values.policy) ?? normalizePolicy(unknown('policy missing'), r.origin);
    const type = r.type === 'aws_s3files_file_system_policy' ? 's3files' : 'efs';
    const referenced = this.referenced(
      r,
      'file_system_id',
      type === 's3files' ? 'aws_s3files_file_system' : 'aws_efs_file_system',
    );
    let fs = referenced ? this.fileSystem(referenced) : undefined;
    const id =
      this.str(r.values.file_system_id, r.at('file_system_id')) ??
      unknown('file_system_id missing', r.origin);
    if (!fs && typeof id === 'string')
      fs = this.snapshot.fileSystems.find((f) => f.id === id && f.type === type);
    if (!fs) {
      fs = {
        type,
        id,
        accountId: this.accountId(r.origin),
        region: this.options.env.region ?? unknown('the region of the Terraform provider', r.origin),
        origin: r.origin,
      };
      this.snapshot.fileSystems.push(fs);
    }
    fs.policy = document;
  }

  private oidcProvider(r: TfResource): void {
    const ids = r.values.client_id_list;
    this.snapshot.oidcProviders.push({
      arn: this.attribute(r, 'arn'),
      url: this.str(r.values.url, r.at('url')) ?? unknown('url missing', r.origin),
      clientIds: isUnknown(ids)
        ? [ids]
        : Array.isArray(ids)
          ? ids.map((id, i) => this.str(id, r.at(`client_id_list.${i}`)) ?? unknown('null', r.origin))
          : [],
      origin: r.origin,
    });
  }

  private cluster(r: TfResource): void {
    const identity = firstEntry(r.values.identity);
    const oidc = identity ? firstEntry(identity.oidc) : undefined;
    const issuer = oidc ? this.str(oidc.issuer, r.origin) : undefined;
    this.snapshot.clusters.push({
      name: this.attribute(r, 'name'),
      arn: this.attribute(r, 'arn'),
      accountId: this.accountId(r.origin),
      region: this.options.env.region ?? unknown('the region of the Terraform provider', r.origin),
      oidcIssuer: issuer ?? unknown(`${r.address}.identity[0].oidc[0].issuer (known after apply)`, r.origin),
      version: this.str(r.values.version, r.at('version')) ?? this.computed(r, 'version'),
      origin: r.origin,
    });
  }

  private stringMap(value: TfValue | undefined, at: (key: string) => Origin): Record<string, Maybe<string>> {
    const out: Record<string, Maybe<string>> = {};
    if (!isTfObject(value)) return out;
    for (const [key, v] of Object.entries(value)) {
      const s = this.str(v, at(key));
      if (s !== undefined) out[key] = s;
    }
    return out;
  }

  private stringList(
    r: TfResource,
    path: string,
    value: TfValue | undefined,
  ): { list: Maybe<string>[]; origins: Origin[] } {
    if (isUnknown(value)) return { list: [value], origins: [r.at(path)] };
    if (!Array.isArray(value)) return { list: [], origins: [] };
    const origins = value.map((_, i) => r.at(`${path}.${i}`));
    return { list: value.map((item, i) => this.str(item, origins[i]) ?? ''), origins };
  }

  private metadata(r: TfResource): { meta: TfObject; path: string } {
    return { meta: firstEntry(r.values.metadata) ?? {}, path: 'metadata.0' };
  }

  private serviceAccount(r: TfResource): void {
    const { meta, path } = this.metadata(r);
    const annotationsAt = (key: string) => r.at(`${path}.annotations.${key}`);
    const annotations = this.stringMap(meta.annotations, annotationsAt);
    this.snapshot.serviceAccounts.push({
      namespace: this.str(meta.namespace, r.at(`${path}.namespace`)) ?? 'default',
      name: this.str(meta.name, r.at(`${path}.name`)) ?? unknown('metadata.name missing', r.origin),
      annotations,
      origin: r.origin,
      annotationOrigins: Object.fromEntries(Object.keys(annotations).map((k) => [k, annotationsAt(k)])),
    });
  }

  private storageClass(r: TfResource): void {
    const { meta, path } = this.metadata(r);
    const v = r.values;
    const mount = this.stringList(r, 'mount_options', v.mount_options);
    const parameters = this.stringMap(v.parameters, (k) => r.at(`parameters.${k}`));
    this.snapshot.storageClasses.push({
      name: this.str(meta.name, r.at(`${path}.name`)) ?? unknown('metadata.name missing', r.origin),
      provisioner:
        this.str(v.storage_provisioner, r.at('storage_provisioner')) ??
        unknown('storage_provisioner missing', r.origin),
      mountOptions: mount.list,
      parameters,
      origin: r.origin,
      mountOptionOrigins: mount.origins,
      parameterOrigins: Object.fromEntries(Object.keys(parameters).map((k) => [k, r.at(`parameters.${k}`)])),
    });
  }

  private persistentVolume(r: TfResource): void {
    const { meta, path } = this.metadata(r);
    const spec = firstEntry(r.values.spec) ?? {};
    const source = firstEntry(spec.persistent_volume_source) ?? {};
    const csi = firstEntry(source.csi) ?? {};
    const csiPath = 'spec.0.persistent_volume_source.0.csi.0';
    const attributesAt = (k: string) => r.at(`${csiPath}.volume_attributes.${k}`);
    const attributes = this.stringMap(csi.volume_attributes, attributesAt);
    const mount = this.stringList(r, 'spec.0.mount_options', spec.mount_options);
    const modes = spec.access_modes;
    this.snapshot.persistentVolumes.push({
      name: this.str(meta.name, r.at(`${path}.name`)) ?? unknown('metadata.name missing', r.origin),
      driver: this.str(csi.driver, r.at(`${csiPath}.driver`)) ?? unknown('csi driver missing', r.origin),
      volumeHandle:
        this.str(csi.volume_handle, r.at(`${csiPath}.volume_handle`)) ??
        unknown('volume_handle missing', r.origin),
      volumeAttributes: attributes,
      mountOptions: mount.list,
      accessModes: Array.isArray(modes) ? modes.filter((m): m is string => typeof m === 'string') : [],
      storageClassName: this.str(spec.storage_class_name, r.at('spec.0.storage_class_name')),
      origin: r.origin,
      volumeHandleOrigin: r.at(`${csiPath}.volume_handle`),
      mountOptionOrigins: mount.origins,
      volumeAttributeOrigins: Object.fromEntries(Object.keys(attributes).map((k) => [k, attributesAt(k)])),
    });
  }

  /**
   * `helm_release` of the driver's chart: the node ServiceAccount and DaemonSet that the chart renders, from `set`
   * entries and `values` documents (later ones win, as in Helm).
   */
  private helmRelease(r: TfResource): void {
    const v = r.values;
    const chart = this.str(v.chart, r.at('chart'));
    if (typeof chart !== 'string' || !(chart === EFS_CHART || chart.endsWith(`/${EFS_CHART}`))) return;
    const namespace = this.str(v.namespace, r.at('namespace')) ?? 'default';
    const node: NodeValues = {};
    const documents = isUnknown(v.values) ? [v.values] : Array.isArray(v.values) ? v.values : [];
    documents.forEach((doc, i) => {
      const decoded = decodeDocument(doc);
      if (isTfObject(decoded)) Object.assign(node, definedOnly(nodeValues(decoded, r.at(`values.${i}`))));
      else if (isUnknown(decoded))
        node.name ??= unknown(`values[${i}]: ${decoded.expression}`, r.at(`values.${i}`));
    });
    entries(v.set).forEach((entry, i) => {
      if (isUnknown(entry)) return;
      const key = typeof entry.name === 'string' ? entry.name : undefined;
      const origin = r.at(`set.${i}`);
      const value = this.str(entry.value, origin);
      if (key === undefined || value === undefined) return;
      const annotation = /^node\.serviceAccount\.annotations\.(.+)$/.exec(key);
      if (key === 'node.serviceAccount.name') node.name = value;
      else if (key === 'node.serviceAccount.create') node.create = value;
      else if (key === 'image.repository') node.repository = value;
      else if (key === 'image.tag') node.tag = value;
      else if (annotation)
        node.annotations = { ...node.annotations, [annotation[1].replace(/\\\./g, '.')]: value };
      else return;
      node.origins = { ...node.origins, [key]: origin };
    });
    this.nodeComponent(r, namespace, node);
  }

  /** The node ServiceAccount (when the chart creates it) and the `efs-csi-node` DaemonSet. */
  private nodeComponent(r: TfResource, namespace: Maybe<string>, node: NodeValues): void {
    const saName = node.name ?? DEFAULT_NODE_SA;
    const saOrigin = node.origins?.['node.serviceAccount.name'] ?? r.origin;
    if (node.create !== 'false' && node.create !== false) {
      const annotations = node.annotations ?? {};
      this.snapshot.serviceAccounts.push({
        namespace,
        name: saName,
        annotations,
        origin: saOrigin,
        annotationOrigins: Object.fromEntries(
          Object.keys(annotations).map((k) => [
            k,
            node.origins?.[`node.serviceAccount.annotations.${k.replace(/\./g, '\\.')}`] ?? r.origin,
          ]),
        ),
      });
    }
    const image =
      node.repository !== undefined || node.tag !== undefined
        ? isKnown(node.repository) && isKnown(node.tag)
          ? `${node.repository}:${node.tag}`
          : unknown('image.repository / image.tag', r.origin)
        : undefined;
    this.snapshot.daemonSets.push({
      namespace,
      name: NODE_DAEMONSET,
      serviceAccountName: saName,
      containers: [{ name: 'efs-plugin', ...(image !== undefined ? { image } : {}), env: {} }],
      origin: r.origin,
      serviceAccountOrigin: saOrigin,
    });
  }
}

interface NodeValues {
  name?: Maybe<string>;
  create?: Maybe<string> | boolean;
  annotations?: Record<string, Maybe<string>>;
  repository?: Maybe<string>;
  tag?: Maybe<string>;
  origins?: Record<string, Origin>;
}

function definedOnly(values: NodeValues): NodeValues {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as NodeValues;
}

/** `node.serviceAccount.*` and `image.*` of chart values (or the add-on's configuration values). */
function nodeValues(values: TfObject, origin: FileOrigin): NodeValues {
  const text = (v: TfValue | undefined): Maybe<string> | undefined =>
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : isUnknown(v)
          ? v
          : undefined;
  const node = isTfObject(values.node) ? values.node : {};
  const sa = isTfObject(node.serviceAccount) ? node.serviceAccount : {};
  const image = isTfObject(values.image) ? values.image : {};
  const out: NodeValues = { origins: {} };
  const name = text(sa.name);
  if (name !== undefined) {
    out.name = name;
    out.origins!['node.serviceAccount.name'] = { ...origin, line: tfLineOf(sa, 'name') ?? origin.line };
  }
  const create = sa.create;
  if (typeof create === 'boolean') out.create = create;
  else if (create !== undefined) out.create = text(create);
  if (isTfObject(sa.annotations)) {
    out.annotations = {};
    for (const [k, v] of Object.entries(sa.annotations)) {
      const t = text(v);
      if (t !== undefined) out.annotations[k] = t;
    }
  }
  out.repository = text(image.repository);
  out.tag = text(image.tag);
  return out;
}

/** A values document: an encoded structure, a YAML/JSON string, or unknown. */
function decodeDocument(value: TfValue): TfValue {
  if (value instanceof TfEncoded) return value.value;
  if (typeof value === 'string') {
    try {
      return (parseYaml(value) as TfValue) ?? {};
    } catch {
      return unknown('a values document that is not YAML');
    }
  }
  return value;
}
