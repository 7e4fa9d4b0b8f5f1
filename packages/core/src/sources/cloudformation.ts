import { type FileOrigin, fileOrigin } from '../model/origin';
import type { PolicyDocument } from '../model/policy';
import {
  type Addon,
  type AttachedPolicy,
  type Cluster,
  emptySnapshot,
  type FileSystem,
  mergeSnapshots,
  type OidcProvider,
  type PodIdentityAssociation,
  type Role,
  type Snapshot,
} from '../model/snapshot';
import { isUnknown, type Maybe, type Unknown, unknown } from '../model/unknown';
import { type LineLookup, normalizePolicy } from '../policy/normalize';
import { parseFileSystemArn } from '../policy/arn';
import { type LocatedDocument, parseLocatedYaml } from '../util/located';
import { driverValuesToSnapshot } from './helm-values';
import type { DocumentSource, ParsedFile } from './types';

/** Short-form tags whose long form is `Fn::<Name>` with the same argument. */
const FN_TAGS = new Set([
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'FindInMap',
  'ImportValue',
  'GetAZs',
  'Base64',
  'Cidr',
  'Not',
  'And',
  'Or',
]);

/**
 * The `onTag` hook for YAML files: CloudFormation short forms (`!Ref X`, `!GetAtt A.B`, `!Sub …`) become the long
 * forms a JSON template would hold, so the rest of this source reads one shape. Any other tag keeps its plain value.
 */
export function cloudFormationTag(tag: string, value: unknown): unknown {
  const name = tag.startsWith('!') ? tag.slice(1) : tag;
  if (name === 'Ref') return { Ref: value };
  if (name === 'Condition') return { Condition: value };
  if (name === 'GetAtt') {
    if (typeof value === 'string') {
      // `!GetAtt Db.Endpoint.Address`: the logical ID ends at the first dot, the attribute may hold more dots.
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot > 0 ? [value.slice(0, dot), value.slice(dot + 1)] : [value] };
    }
    return { 'Fn::GetAtt': value };
  }
  if (FN_TAGS.has(name)) return { [`Fn::${name}`]: value };
  return value;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/** A template by content: the format version, or resources typed `AWS::…` (CDK output has no format version). */
export function looksLikeCloudFormation(value: unknown): value is Obj {
  if (!isObject(value)) return false;
  if ('AWSTemplateFormatVersion' in value) return true;
  const resources = value.Resources;
  if (!isObject(resources)) return false;
  return Object.values(resources).some(
    (r) => isObject(r) && typeof r.Type === 'string' && r.Type.startsWith('AWS::'),
  );
}

export const cloudFormationSource: DocumentSource = {
  name: 'cloudformation',
  claims(document: LocatedDocument): boolean {
    return looksLikeCloudFormation(document.value);
  },
  read(documents: LocatedDocument[], file: ParsedFile): Snapshot {
    const snapshot = emptySnapshot(['S']);
    const templates = documents.filter((d) => looksLikeCloudFormation(d.value));
    templates.forEach((doc, index) => {
      // Logical IDs are unique within one template only; a second template in the same YAML stream gets its own key.
      const key = templates.length > 1 && index > 0 ? `${file.file}[${index}]` : file.file;
      new TemplateReader(file, doc, key, snapshot).read();
    });
    return snapshot;
  },
};

/** `Ref AWS::NoValue`: the property or list item is removed. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Marks the spot of an unknown value inside JSON text built by `Fn::Sub` / `Fn::Join`, so the text still parses. */
const PLACEHOLDER = /@@cfn-unknown-(\d+)@@/g;

function intrinsicName(value: Obj): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

/** The name an unknown goes by inside a rendered string: `${AWS::AccountId}`, `${Role.Arn}`. */
function placeholderText(value: Unknown): string {
  const expression = value.expression;
  if (expression.startsWith('!Ref ')) return `\${${expression.slice(5)}}`;
  if (expression.startsWith('!GetAtt ')) return `\${${expression.slice(8)}}`;
  // Already a rendered string with its own `${…}` parts: embed as is rather than nesting braces.
  if (expression.includes('${')) return expression;
  return `\${${expression}}`;
}

function brief(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** An intrinsic written back in YAML short form for messages: `!Select [1, !Split ["//", !GetAtt C.Url]]`. */
export function shortForm(value: unknown, depth = 0): string {
  if (depth > 6) return '...';
  if (typeof value === 'string') return /^[\w:./*-]+$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => shortForm(v, depth + 1)).join(', ')}]`;
  if (isObject(value)) {
    const fn = intrinsicName(value);
    const arg = fn ? value[fn] : undefined;
    if (fn === 'Ref') return `!Ref ${shortForm(arg, depth + 1)}`;
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) return `!GetAtt ${arg.map(String).join('.')}`;
    if (fn) return `!${fn.slice(4)} ${shortForm(arg, depth + 1)}`;
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${shortForm(v, depth + 1)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function shorten(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function hasUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (isObject(value)) return Object.values(value).some(hasUnknown);
  return false;
}

/** The role name inside a role ARN (`arn:aws:iam::1:role/path/name` → `name`), or the value itself for a bare name. */
function roleNameOf(value: string): string | undefined {
  const arn = /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(value);
  if (arn) return arn[1];
  return value.startsWith('arn:') ? undefined : value;
}

/** Reads one template into Snapshot facts. */
class TemplateReader {
  private readonly resources: Record<string, Obj> = {};
  private readonly parameters: Set<string>;
  private readonly mappings: Obj;
  /** Copies made while resolving → the container they were copied from, so statements keep their lines. */
  private readonly copiedFrom = new WeakMap<object, { container: object; lineOf: LineLookup }>();
  private readonly roles = new Map<string, Role>();
  private readonly managedPolicyDocs = new Map<string, PolicyDocument>();
  /** `role|policy` pairs already attached through the role's ManagedPolicyArns. */
  private readonly attached = new Set<string>();
  /** Refs being resolved, to stop a circular template from recursing forever. */
  private readonly resolving = new Set<string>();
  /** S3 file systems by logical ID: a FileSystemPolicy resource may come before its file system. */
  private readonly s3FileSystems = new Map<string, FileSystem>();

  constructor(
    private readonly file: ParsedFile,
    private readonly doc: LocatedDocument,
    private readonly key: string,
    private readonly snapshot: Snapshot,
  ) {
    const template = doc.value as Obj;
    const resources = isObject(template.Resources) ? template.Resources : {};
    for (const [id, resource] of Object.entries(resources))
      if (isObject(resource)) this.resources[id] = resource;
    this.parameters = new Set(isObject(template.Parameters) ? Object.keys(template.Parameters) : []);
    this.mappings = isObject(template.Mappings) ? template.Mappings : {};
  }

  readonly lineOf: LineLookup = (container, key) => {
    const source = this.copiedFrom.get(container);
    if (source) return source.lineOf(source.container, key);
    return this.doc.lineOf(container, key);
  };

  read(): void {
    // Roles first: every other resource links to them.
    for (const [id, resource] of Object.entries(this.resources)) {
      if (resource.Type === 'AWS::IAM::Role') this.readRole(id, resource);
    }
    for (const [id, resource] of Object.entries(this.resources)) {
      switch (resource.Type) {
        case 'AWS::IAM::Policy':
          this.readPolicy(id, resource, 'inline');
          break;
        case 'AWS::IAM::ManagedPolicy':
          this.readPolicy(id, resource, 'managed');
          break;
        case 'AWS::IAM::RolePolicy':
          this.readRolePolicy(id, resource);
          break;
        case 'AWS::EKS::PodIdentityAssociation':
          this.readAssociation(id, resource);
          break;
        case 'AWS::EKS::Addon':
          this.readAddon(id, resource);
          break;
        case 'AWS::EKS::Cluster':
          this.readCluster(id, resource);
          break;
        case 'AWS::EKS::Nodegroup':
          this.readNodegroup(resource);
          break;
        case 'AWS::EFS::FileSystem':
          this.readFileSystem(id, resource);
          break;
        case 'AWS::S3Files::FileSystem':
          this.readS3FileSystem(id);
          break;
        case 'AWS::S3Files::FileSystemPolicy':
          this.readS3FileSystemPolicy(id, resource);
          break;
        case 'AWS::IAM::OIDCProvider':
          this.readOidcProvider(id, resource);
          break;
      }
    }
  }

  // ---- origins ----

  private resourceOrigin(id: string): FileOrigin {
    return fileOrigin(this.file.file, this.resourceLine(id), id);
  }

  private resourceLine(id: string): number | undefined {
    const resources = (this.doc.value as Obj).Resources as object;
    return this.doc.lineOf(resources, id);
  }

  private originAt(id: string, container: object, key?: string | number): FileOrigin {
    return fileOrigin(this.file.file, this.lineOf(container, key) ?? this.resourceLine(id), id);
  }

  private roleId(logicalId: string): string {
    return `cfn:${this.key}#${logicalId}`;
  }

  // ---- intrinsic functions ----

  /** Resolves a value deeply: intrinsics are evaluated, what cannot be known becomes an {@link Unknown}. */
  private resolve(value: unknown, at: FileOrigin): unknown {
    if (isUnknown(value)) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, index) => {
        const resolved = this.resolve(item, { ...at, line: this.lineOf(value, index) ?? at.line });
        if (resolved !== NO_VALUE) out.push(resolved);
      });
      this.copiedFrom.set(out, { container: value, lineOf: this.lineOf });
      return out;
    }
    if (isObject(value)) {
      const fn = intrinsicName(value);
      if (fn) return this.intrinsic(fn, value[fn], at);
      const out: Obj = {};
      for (const [key, item] of Object.entries(value)) {
        const resolved = this.resolve(item, { ...at, line: this.lineOf(value, key) ?? at.line });
        if (resolved !== NO_VALUE) out[key] = resolved;
      }
      this.copiedFrom.set(out, { container: value, lineOf: this.lineOf });
      return out;
    }
    return value;
  }

  /** Resolves a value expected to be a string. `undefined` when absent. */
  private text(value: unknown, at: FileOrigin): Maybe<string> | undefined {
    if (value === undefined || value === null) return undefined;
    return this.asString(this.resolve(value, at), at);
  }

  private asString(value: unknown, at: FileOrigin): Maybe<string> {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isUnknown(value)) return value;
    if (value === NO_VALUE) return unknown('!Ref AWS::NoValue where a string is needed', at);
    return unknown(`not a string: ${brief(value)}`, at);
  }

  /** Joins parts into a string, or an unknown that shows the known parts and names the unknown ones. */
  private composite(parts: Maybe<string>[], at: FileOrigin): Maybe<string> {
    if (parts.every((p): p is string => typeof p === 'string')) return parts.join('');
    return unknown(parts.map((p) => (typeof p === 'string' ? p : placeholderText(p))).join(''), at);
  }

  private intrinsic(fn: string, arg: unknown, at: FileOrigin): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(arg, at);
      case 'Fn::GetAtt':
        return this.getAtt(arg, at);
      case 'Fn::Sub':
      case 'Fn::Join': {
        const parts = this.stringParts(fn, arg, at);
        return parts ? this.composite(parts, at) : unknown(shorten(shortForm({ [fn]: arg })), at);
      }
      case 'Fn::Select':
        return this.select(arg, at);
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) break;
        const delimiter = this.text(arg[0], at);
        const source = this.text(arg[1], at);
        if (typeof delimiter === 'string' && typeof source === 'string' && delimiter !== '') {
          return source.split(delimiter);
        }
        break;
      }
      case 'Fn::FindInMap':
        return this.findInMap(arg, at);
      case 'Fn::ToJsonString': {
        // AWS::LanguageExtensions: often wraps an add-on's ConfigurationValues.
        const resolved = this.resolve(arg, at);
        if ((isObject(resolved) || Array.isArray(resolved)) && !hasUnknown(resolved))
          return JSON.stringify(resolved);
        break;
      }
      case 'Fn::Base64': {
        const source = this.text(arg, at);
        if (typeof source === 'string') return Buffer.from(source, 'utf8').toString('base64');
        break;
      }
    }
    // Fn::If, Fn::ImportValue, Fn::GetAZs, Fn::Cidr, conditions…: their value depends on the deployment.
    return unknown(shorten(shortForm({ [fn]: arg })), at);
  }

  private ref(name: unknown, at: FileOrigin): unknown {
    if (typeof name !== 'string') return unknown(`!Ref ${brief(name)}`, at);
    if (name === 'AWS::NoValue') return NO_VALUE;
    // The partition is taken to be the commercial one ('aws'), as the product targets it; account and region are
    // whatever the stack is deployed into.
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    // A parameter's Default is only what is used when the deployer passes nothing: not a fact about the stack.
    if (name.startsWith('AWS::') || this.parameters.has(name)) return unknown(`!Ref ${name}`, at);
    const resource = this.resources[name];
    if (!resource) return unknown(`!Ref ${name}`, at);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return this.roleName(name, at);
      case 'AWS::EKS::Cluster':
        return this.literalProperty(name, 'Name', at) ?? unknown(`!Ref ${name}`, at);
      default:
        return unknown(`!Ref ${name}`, at);
    }
  }

  /** A property of another resource that names it (RoleName, Name), when it resolves; undefined when absent. */
  private literalProperty(id: string, property: string, at: FileOrigin): Maybe<string> | undefined {
    const guard = `${id}.${property}`;
    if (this.resolving.has(guard)) return unknown(`!Ref ${id} (circular)`, at);
    this.resolving.add(guard);
    try {
      const props = this.properties(this.resources[id]);
      return this.text(props[property], at);
    } finally {
      this.resolving.delete(guard);
    }
  }

  private roleName(id: string, at: FileOrigin): Maybe<string> {
    // Without RoleName, CloudFormation generates one at deploy time.
    return this.literalProperty(id, 'RoleName', at) ?? unknown(`!Ref ${id}`, at);
  }

  private roleArn(id: string, at: FileOrigin): Maybe<string> {
    // The ARN of a template role, even when unknown, names that role: rules can match it to the node role.
    const ref = this.roleId(id);
    const name = this.roleName(id, at);
    if (isUnknown(name)) return unknown(`!GetAtt ${id}.Arn`, at, ref);
    const path = this.literalProperty(id, 'Path', at) ?? '/';
    if (isUnknown(path)) return unknown(`!GetAtt ${id}.Arn`, at, ref);
    // The account is the stack's, unknown here: the ARN stays unknown but shows what it will look like.
    const partition = this.asString(this.ref('AWS::Partition', at), at);
    const account = this.asString(this.ref('AWS::AccountId', at), at);
    const arn = this.composite(['arn:', partition, ':iam::', account, `:role${path}`, name], at);
    return isUnknown(arn) ? unknown(arn.expression, arn.origin, ref) : arn;
  }

  private getAtt(arg: unknown, at: FileOrigin): unknown {
    let id: unknown;
    let attribute: unknown;
    if (typeof arg === 'string')
      [id, attribute] = [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)];
    else if (Array.isArray(arg)) [id, attribute] = arg;
    if (typeof id !== 'string' || typeof attribute !== 'string') return unknown(`!GetAtt ${brief(arg)}`, at);
    const resource = this.resources[id];
    if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') return this.roleArn(id, at);
    return unknown(`!GetAtt ${id}.${attribute}`, at);
  }

  /** The pieces of a `Fn::Sub` or `Fn::Join` string, each known or unknown; undefined when malformed. */
  private stringParts(fn: string, arg: unknown, at: FileOrigin): Maybe<string>[] | undefined {
    if (fn === 'Fn::Sub') {
      let template: unknown = arg;
      let variables: Obj = {};
      if (Array.isArray(arg)) {
        template = arg[0];
        if (isObject(arg[1])) variables = arg[1];
      }
      if (typeof template !== 'string') return undefined;
      return this.subParts(template, variables, at);
    }
    if (!Array.isArray(arg) || arg.length !== 2) return undefined;
    const delimiter = this.text(arg[0], at);
    if (typeof delimiter !== 'string') return undefined;
    const list = this.resolve(arg[1], at);
    if (isUnknown(list)) return [list];
    if (!Array.isArray(list)) return undefined;
    const parts: Maybe<string>[] = [];
    list.forEach((item, index) => {
      if (index > 0 && delimiter !== '') parts.push(delimiter);
      parts.push(this.asString(item, at));
    });
    return parts;
  }

  private subParts(template: string, variables: Obj, at: FileOrigin): Maybe<string>[] {
    const parts: Maybe<string>[] = [];
    const pattern = /\$\{([^}]*)\}/g;
    let last = 0;
    for (let match = pattern.exec(template); match; match = pattern.exec(template)) {
      parts.push(template.slice(last, match.index));
      last = match.index + match[0].length;
      const name = match[1].trim();
      // `${!Literal}` writes `${Literal}` (IAM policy variables such as `${!aws:username}`).
      if (name.startsWith('!')) parts.push(`\${${name.slice(1)}}`);
      else parts.push(this.subVariable(name, variables, at));
    }
    parts.push(template.slice(last));
    return parts.filter((p) => p !== '');
  }

  private subVariable(name: string, variables: Obj, at: FileOrigin): Maybe<string> {
    if (Object.prototype.hasOwnProperty.call(variables, name)) {
      const value = this.asString(this.resolve(variables[name], at), at);
      // Named as the template writes it, so the rendered unknown reads like the Sub string itself.
      return isUnknown(value) ? unknown(`\${${name}}`, at) : value;
    }
    const dot = name.indexOf('.');
    if (!name.startsWith('AWS::') && dot > 0 && this.resources[name.slice(0, dot)]) {
      return this.asString(this.getAtt([name.slice(0, dot), name.slice(dot + 1)], at), at);
    }
    return this.asString(this.ref(name, at), at);
  }

  private select(arg: unknown, at: FileOrigin): unknown {
    if (!Array.isArray(arg) || arg.length !== 2)
      return unknown(shorten(shortForm({ 'Fn::Select': arg })), at);
    const index = this.resolve(arg[0], at);
    const list = this.resolve(arg[1], at);
    const n =
      typeof index === 'number'
        ? index
        : typeof index === 'string' && /^\d+$/.test(index)
          ? Number(index)
          : NaN;
    if (Array.isArray(list) && Number.isInteger(n) && n >= 0 && n < list.length) return list[n];
    return unknown(shorten(shortForm({ 'Fn::Select': arg })), at);
  }

  private findInMap(arg: unknown, at: FileOrigin): unknown {
    if (!Array.isArray(arg) || arg.length < 3)
      return unknown(shorten(shortForm({ 'Fn::FindInMap': arg })), at);
    const keys = arg.slice(0, 3).map((k) => this.text(k, at));
    if (keys.every((k): k is string => typeof k === 'string')) {
      const map = this.mappings[keys[0]];
      const top = isObject(map) ? map[keys[1]] : undefined;
      if (isObject(top) && keys[2] in top) return this.resolve(top[keys[2]], at);
    }
    return unknown(shorten(shortForm({ 'Fn::FindInMap': arg })), at);
  }

  // ---- links ----

  /**
   * The template role a value points at: `!Ref Role`, `!GetAtt Role.Arn`, `!Sub ${Role.Arn}`, or a literal name /
   * ARN equal to a role whose RoleName is literal.
   */
  private roleLink(raw: unknown, at: FileOrigin): string | undefined {
    const isRole = (id: unknown): id is string =>
      typeof id === 'string' && this.resources[id]?.Type === 'AWS::IAM::Role';
    if (isObject(raw)) {
      const fn = intrinsicName(raw);
      if (fn === 'Ref' && isRole(raw.Ref)) return raw.Ref;
      if (fn === 'Fn::GetAtt') {
        const arg = raw[fn];
        const [id, attribute] = typeof arg === 'string' ? arg.split('.') : Array.isArray(arg) ? arg : [];
        if (isRole(id) && attribute === 'Arn') return id;
      }
      if (fn === 'Fn::Sub' && typeof raw[fn] === 'string') {
        const match = /^\$\{([^}.]+)(\.Arn)?\}$/.exec((raw[fn] as string).trim());
        if (match && isRole(match[1])) return match[1];
      }
    }
    const value = this.text(raw, at);
    if (typeof value !== 'string') return undefined;
    const name = roleNameOf(value);
    if (name === undefined) return undefined;
    for (const [id, role] of this.roles) if (role.name === name) return id;
    return undefined;
  }

  /** The roles of a `Roles` list that are defined in this template. */
  private linkedRoles(raw: unknown, at: FileOrigin): Role[] {
    const items = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    const roles: Role[] = [];
    items.forEach((item, index) => {
      const id = this.roleLink(item, {
        ...at,
        line: Array.isArray(raw) ? (this.lineOf(raw, index) ?? at.line) : at.line,
      });
      const role = id ? this.roles.get(id) : undefined;
      if (role && !roles.includes(role)) roles.push(role);
    });
    return roles;
  }

  // ---- policies ----

  /**
   * A policy property, normalized. CloudFormation accepts a policy as an object or as JSON text; text built with
   * `Fn::Sub` / `Fn::Join` is rendered with its unknown parts kept in place, so a known statement stays readable
   * when only, say, the OIDC issuer in a condition key is a parameter.
   */
  private policy(id: string, container: Obj, key: string, label: string, withSize = false): PolicyDocument {
    const raw = container[key];
    const origin = this.originAt(id, container, key);
    let doc: PolicyDocument;
    const fn = isObject(raw) ? intrinsicName(raw) : undefined;
    if (typeof raw === 'string') {
      doc = this.policyFromText([raw], origin, withSize);
    } else if (isObject(raw) && (fn === 'Fn::Sub' || fn === 'Fn::Join')) {
      const parts = this.stringParts(fn, raw[fn], origin);
      doc = parts
        ? this.policyFromText(parts, origin, withSize)
        : normalizePolicy(unknown(shorten(shortForm(raw)), origin), origin);
    } else {
      const resolved = this.resolve(raw, origin);
      if (typeof resolved === 'string') doc = this.policyFromText([resolved], origin, withSize);
      else {
        // No text, no size: JSON.stringify gives undefined for an absent value (a missing property, AWS::NoValue).
        const size =
          withSize && resolved !== NO_VALUE && !hasUnknown(resolved)
            ? JSON.stringify(resolved)?.length
            : undefined;
        doc = normalizePolicy(resolved === NO_VALUE ? undefined : resolved, origin, {
          lineOf: this.lineOf,
          ...(size !== undefined ? { size } : {}),
        });
      }
    }
    // Say which resource property a statement belongs to (normalizePolicy names only `Statement[i]`).
    for (const statement of doc.statements) {
      if (statement.origin.kind === 'file' && statement.origin !== origin) {
        statement.origin = {
          ...statement.origin,
          path: `${id}.${label}.${statement.origin.path ?? 'Statement'}`,
        };
      }
    }
    return doc;
  }

  /** Parses policy JSON text made of known and unknown parts. */
  private policyFromText(parts: Maybe<string>[], origin: FileOrigin, withSize: boolean): PolicyDocument {
    const unknowns: Unknown[] = [];
    const text = parts
      .map((p) => {
        if (typeof p === 'string') return p;
        unknowns.push(p);
        return `@@cfn-unknown-${unknowns.length - 1}@@`;
      })
      .join('');
    const restore = (s: string): string =>
      s.replace(PLACEHOLDER, (_, i: string) => placeholderText(unknowns[Number(i)]));
    let inner: LocatedDocument | undefined;
    try {
      JSON.parse(text);
      inner = parseLocatedYaml(text)[0];
    } catch {
      inner = undefined;
    }
    if (!inner) {
      // An unknown outside a JSON string (a number, a whole statement) leaves the text unparseable until deploy.
      if (unknowns.length > 0) return normalizePolicy(unknown(restore(text), origin), origin);
      const doc = normalizePolicy(text, origin);
      doc.problems.unshift('the policy text is not valid JSON');
      return doc;
    }
    const base = this.blockScalarLine(origin.line, text);
    const innerDoc = inner;
    const shifted: LineLookup = (container, key) => {
      const line = innerDoc.lineOf(container, key);
      if (line === undefined) return undefined;
      return base === undefined ? origin.line : base + line;
    };
    const unknownKeys = new Set<string>();
    const rebuild = (value: unknown): unknown => {
      if (typeof value === 'string') {
        if (!value.includes('@@cfn-unknown-')) return value;
        const pieces: Maybe<string>[] = [];
        let last = 0;
        for (const match of value.matchAll(PLACEHOLDER)) {
          pieces.push(value.slice(last, match.index));
          pieces.push(unknowns[Number(match[1])]);
          last = (match.index ?? 0) + match[0].length;
        }
        pieces.push(value.slice(last));
        const nonEmpty = pieces.filter((p) => p !== '');
        return nonEmpty.length === 1 && isUnknown(nonEmpty[0])
          ? nonEmpty[0]
          : this.composite(nonEmpty, origin);
      }
      if (Array.isArray(value)) {
        const out = value.map(rebuild);
        this.copiedFrom.set(out, { container: value, lineOf: shifted });
        return out;
      }
      if (isObject(value)) {
        const out: Obj = {};
        for (const [key, item] of Object.entries(value)) {
          // A condition key cannot be an unknown value in the model: keep the template text and flag it below.
          const restored = restore(key);
          if (restored !== key) unknownKeys.add(restored);
          out[restored] = rebuild(item);
        }
        this.copiedFrom.set(out, { container: value, lineOf: shifted });
        return out;
      }
      return value;
    };
    const raw = rebuild(inner.value);
    const doc = normalizePolicy(raw, origin, {
      lineOf: this.lineOf,
      ...(withSize && unknowns.length === 0 ? { size: text.length } : {}),
    });
    for (const statement of doc.statements) {
      for (const condition of statement.conditions) {
        if (unknownKeys.has(condition.key))
          (statement.unknownParts ??= []).push(`condition key ${condition.key}`);
      }
    }
    return doc;
  }

  /**
   * The line just before the content of a YAML block scalar (`|`) that holds policy text, so line n of the text is
   * file line base + n. Undefined for JSON files and quoted strings, where text lines do not map to file lines.
   */
  private blockScalarLine(line: number | undefined, text: string): number | undefined {
    if (line === undefined || this.file.format !== 'yaml' || !text.includes('\n')) return undefined;
    const lines = this.file.text.split('\n');
    for (let l = line; l <= line + 2 && l <= lines.length; l++) {
      if (/\|[-+]?\d*\s*(#.*)?$/.test(lines[l - 1])) return l;
    }
    return undefined;
  }

  // ---- resources ----

  private properties(resource: Obj | undefined): Obj {
    return resource && isObject(resource.Properties) ? resource.Properties : {};
  }

  private readRole(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    const role: Role = {
      id: this.roleId(id),
      name: this.roleName(id, this.originAt(id, props, 'RoleName')),
      arn: this.roleArn(id, at),
      inlinePolicies: [],
      managedPolicies: [],
      origin: at,
    };
    if (props.AssumeRolePolicyDocument !== undefined) {
      role.trustPolicy = this.policy(id, props, 'AssumeRolePolicyDocument', 'AssumeRolePolicyDocument');
    }
    // Registered before the policies so a literal RoleName in a ManagedPolicy's Roles can find it.
    this.roles.set(id, role);
    this.snapshot.roles.push(role);
    this.forEachItem(id, props, 'Policies', (item, index, itemAt) => {
      if (!isObject(item)) {
        role.inlinePolicies.push({
          name: unknown(`Policies[${index}]`, itemAt),
          document: normalizePolicy(item, itemAt),
        });
        return;
      }
      role.inlinePolicies.push({
        name: this.text(item.PolicyName, itemAt) ?? unknown(`Policies[${index}].PolicyName (absent)`, itemAt),
        document: this.policy(id, item, 'PolicyDocument', `Policies[${index}].PolicyDocument`),
      });
    });
    this.forEachItem(id, props, 'ManagedPolicyArns', (item, _index, itemAt) => {
      role.managedPolicies.push(this.managedPolicyRef(id, item, itemAt));
    });
    if (Array.isArray(props.Tags)) {
      const tags: Record<string, string> = {};
      for (const tag of props.Tags) {
        if (!isObject(tag)) continue;
        const key = this.text(tag.Key, at);
        const value = this.text(tag.Value, at);
        if (typeof key === 'string' && typeof value === 'string') tags[key] = value;
      }
      if (Object.keys(tags).length > 0) role.tags = tags;
    }
  }

  /**
   * Calls back for each item of a list property. A list that is itself an intrinsic (`!If`) is resolved first; one
   * that stays unknown is passed as a single unknown item.
   */
  private forEachItem(
    id: string,
    props: Obj,
    key: string,
    each: (item: unknown, index: number, at: FileOrigin) => void,
  ) {
    const raw = props[key];
    if (raw === undefined || raw === null) return;
    const at = this.originAt(id, props, key);
    const list = Array.isArray(raw) ? raw : this.resolve(raw, at);
    if (!Array.isArray(list)) {
      if (list !== NO_VALUE) each(list, 0, at);
      return;
    }
    list.forEach((item, index) => {
      if (isObject(item) && intrinsicName(item) === 'Ref' && item.Ref === 'AWS::NoValue') return;
      each(item, index, this.originAt(id, list, index));
    });
  }

  private managedPolicyRef(roleLogicalId: string, raw: unknown, at: FileOrigin): AttachedPolicy {
    if (isObject(raw) && intrinsicName(raw) === 'Ref' && typeof raw.Ref === 'string') {
      const target = this.resources[raw.Ref];
      if (target?.Type === 'AWS::IAM::ManagedPolicy') {
        this.attached.add(`${roleLogicalId}|${raw.Ref}`);
        return this.templateManagedPolicy(raw.Ref, at);
      }
    }
    const arn = this.text(raw, at) ?? unknown('ManagedPolicyArns item (empty)', at);
    const policy: AttachedPolicy = { arn };
    if (typeof arn === 'string') policy.name = arn.slice(arn.lastIndexOf('/') + 1);
    return policy;
  }

  private templateManagedPolicy(id: string, at: FileOrigin): AttachedPolicy {
    const props = this.properties(this.resources[id]);
    let document = this.managedPolicyDocs.get(id);
    if (!document) {
      document = this.policy(id, props, 'PolicyDocument', 'PolicyDocument');
      this.managedPolicyDocs.set(id, document);
    }
    const policy: AttachedPolicy = { arn: unknown(`!Ref ${id}`, at), document };
    const name = this.text(props.ManagedPolicyName, at);
    if (name !== undefined) policy.name = name;
    return policy;
  }

  private readPolicy(id: string, resource: Obj, kind: 'inline' | 'managed'): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    const rolesAt = this.originAt(id, props, 'Roles');
    const roles = this.linkedRoles(props.Roles, rolesAt);
    let document: PolicyDocument;
    if (kind === 'managed') {
      const attached = this.templateManagedPolicy(id, at);
      document = attached.document!;
      for (const role of roles) {
        const logicalId = role.id.slice(role.id.indexOf('#') + 1);
        if (!this.attached.has(`${logicalId}|${id}`)) role.managedPolicies.push(attached);
      }
    } else {
      document = this.policy(id, props, 'PolicyDocument', 'PolicyDocument');
      const name = this.text(props.PolicyName, at) ?? unknown(`${id}.PolicyName (absent)`, at);
      for (const role of roles) role.inlinePolicies.push({ name, document });
    }
    // Attached to a role defined elsewhere (a name or parameter): the rules may still use it for the node role.
    if (roles.length === 0 && props.Roles !== undefined)
      this.snapshot.loosePolicies.push({ kind: 'identity', document });
  }

  private readRolePolicy(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    const document = this.policy(id, props, 'PolicyDocument', 'PolicyDocument');
    const [role] = this.linkedRoles(props.RoleName, this.originAt(id, props, 'RoleName'));
    const name = this.text(props.PolicyName, at) ?? unknown(`${id}.PolicyName (absent)`, at);
    if (role) role.inlinePolicies.push({ name, document });
    else this.snapshot.loosePolicies.push({ kind: 'identity', document });
  }

  private required(id: string, props: Obj, key: string): Maybe<string> {
    const at = this.originAt(id, props, key);
    return this.text(props[key], at) ?? unknown(`${id}.${key} (absent)`, at);
  }

  private optional(id: string, props: Obj, key: string): Maybe<string> | undefined {
    return this.text(props[key], this.originAt(id, props, key));
  }

  private readAssociation(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const association: PodIdentityAssociation = {
      cluster: this.required(id, props, 'ClusterName'),
      namespace: this.required(id, props, 'Namespace'),
      serviceAccount: this.required(id, props, 'ServiceAccount'),
      roleArn: this.required(id, props, 'RoleArn'),
      origin: this.resourceOrigin(id),
    };
    const roleId = this.roleLink(props.RoleArn, this.originAt(id, props, 'RoleArn'));
    if (roleId) association.roleId = this.roleId(roleId);
    const target = this.optional(id, props, 'TargetRoleArn');
    if (target !== undefined) association.targetRoleArn = target;
    if (props.DisableSessionTags !== undefined) {
      const at = this.originAt(id, props, 'DisableSessionTags');
      const value = this.resolve(props.DisableSessionTags, at);
      association.disableSessionTags =
        value === true || value === 'true'
          ? true
          : value === false || value === 'false'
            ? false
            : isUnknown(value)
              ? value
              : unknown(`DisableSessionTags ${brief(value)}`, at);
    }
    association.sessionPolicy =
      props.Policy !== undefined ? this.policy(id, props, 'Policy', 'Policy') : null;
    this.snapshot.podIdentityAssociations.push(association);
  }

  private readAddon(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    const name = this.required(id, props, 'AddonName');
    const cluster = this.required(id, props, 'ClusterName');
    const addon: Addon = { name, cluster, origin: at };
    const version = this.optional(id, props, 'AddonVersion');
    if (version !== undefined) addon.version = version;
    const ownerAddon = typeof name === 'string' ? name : placeholderText(name);
    if (props.PodIdentityAssociations !== undefined) {
      const owned: NonNullable<Addon['podIdentityAssociations']> = [];
      this.forEachItem(id, props, 'PodIdentityAssociations', (item, index, itemAt) => {
        const entry = isObject(item) ? item : {};
        const serviceAccount =
          this.text(entry.ServiceAccount, itemAt) ??
          (isUnknown(item)
            ? item
            : unknown(`PodIdentityAssociations[${index}].ServiceAccount (absent)`, itemAt));
        const roleArn =
          this.text(entry.RoleArn, itemAt) ??
          (isUnknown(item) ? item : unknown(`PodIdentityAssociations[${index}].RoleArn (absent)`, itemAt));
        const link = isObject(item) ? this.roleLink(entry.RoleArn, itemAt) : undefined;
        const roleId = link ? this.roleId(link) : undefined;
        owned.push({ serviceAccount, roleArn, ...(roleId ? { roleId } : {}) });
        this.snapshot.podIdentityAssociations.push({
          cluster,
          // The add-on's service accounts live in kube-system, where EKS installs add-ons.
          namespace: 'kube-system',
          serviceAccount,
          roleArn,
          ...(roleId ? { roleId } : {}),
          ownerAddon,
          origin: itemAt,
        });
      });
      addon.podIdentityAssociations = owned;
    }
    this.snapshot.addons.push(addon);
    if (name === 'aws-efs-csi-driver') this.readDriverConfiguration(id, props);
  }

  /**
   * The EFS add-on installs the driver's chart: its ConfigurationValues (JSON or YAML text) use the Helm values
   * schema, so they give the node DaemonSet, its ServiceAccount name and StorageClasses. Without them the chart's
   * defaults apply, which the Helm reader knows too.
   */
  private readDriverConfiguration(id: string, props: Obj): void {
    const hasValues = props.ConfigurationValues !== undefined;
    const at = hasValues ? this.originAt(id, props, 'ConfigurationValues') : this.resourceOrigin(id);
    const origin: FileOrigin = { ...at, path: hasValues ? `${id}.ConfigurationValues` : id };
    let values: unknown = {};
    if (hasValues) {
      const text = this.text(props.ConfigurationValues, at);
      if (typeof text !== 'string') return; // unknown configuration: nothing can be said about the SA name
      try {
        values = text.trim() === '' ? {} : (parseLocatedYaml(text)[0]?.value ?? {});
      } catch (error) {
        this.snapshot.notices.push({
          kind: 'parse-error',
          file: this.file.file,
          ...(at.line !== undefined ? { line: at.line } : {}),
          message: `${id}.ConfigurationValues is not valid JSON or YAML: ${(error as Error).message}`,
        });
        return;
      }
    }
    mergeSnapshots(this.snapshot, driverValuesToSnapshot(values, origin));
  }

  private readCluster(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    const cluster: Cluster = {
      name: this.optional(id, props, 'Name') ?? unknown(`!Ref ${id}`, at),
      arn: unknown(`!GetAtt ${id}.Arn`, at),
      oidcIssuer: unknown(`!GetAtt ${id}.OpenIdConnectIssuerUrl`, at),
      origin: at,
    };
    const version = this.optional(id, props, 'Version');
    if (version !== undefined) cluster.version = version;
    this.snapshot.clusters.push(cluster);
  }

  /** A managed node group's NodeRole is a node instance role (rules NR-01/NR-02, PI-09). */
  private readNodegroup(resource: Obj): void {
    const props = this.properties(resource);
    const id = this.roleLink(props.NodeRole, fileOrigin(this.file.file));
    const role = id ? this.roles.get(id) : undefined;
    if (role) role.nodeInstanceRole = true;
  }

  private readFileSystem(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    // The ID is assigned at creation; `!Ref <LogicalId>` is the stable name other resources use for it.
    const fileSystem: FileSystem = {
      type: 'efs',
      id: unknown(`!Ref ${id}`, at),
      arn: unknown(`!GetAtt ${id}.Arn`, at),
      // A file system this template creates has exactly the policy the template gives it: none when absent.
      policy:
        props.FileSystemPolicy === undefined || props.FileSystemPolicy === null
          ? null
          : this.policy(id, props, 'FileSystemPolicy', 'FileSystemPolicy', true),
      origin: at,
    };
    this.snapshot.fileSystems.push(fileSystem);
  }

  /**
   * `AWS::S3Files::FileSystem` (CloudFormation Template Reference): `Bucket` is the bucket ARN, `RoleArn` the role the
   * file system uses for the bucket, `Prefix` optional. Its ID is assigned at creation; we name it by its logical ID
   * (`!Ref` / `!GetAtt …FileSystemId`), an assumption about which attribute other resources use: the reference does
   * not say what `Ref` returns for this type.
   */
  private readS3FileSystem(id: string): FileSystem {
    const existing = this.s3FileSystems.get(id);
    if (existing) return existing;
    const props = this.properties(this.resources[id]);
    const at = this.resourceOrigin(id);
    const fileSystem: FileSystem = {
      type: 's3files',
      id: unknown(`!Ref ${id}`, at),
      arn: unknown(`!GetAtt ${id}.FileSystemArn`, at),
      origin: at,
    };
    const bucket = this.optional(id, props, 'Bucket');
    if (bucket !== undefined) fileSystem.bucket = bucket;
    const prefix = this.optional(id, props, 'Prefix');
    if (prefix !== undefined) fileSystem.bucketPrefix = prefix;
    const roleArn = this.optional(id, props, 'RoleArn');
    if (roleArn !== undefined) fileSystem.roleArn = roleArn;
    this.s3FileSystems.set(id, fileSystem);
    this.snapshot.fileSystems.push(fileSystem);
    return fileSystem;
  }

  /** `AWS::S3Files::FileSystemPolicy`: `FileSystemId` (an ID or ARN, or a reference to the file system) and `Policy`. */
  private readS3FileSystemPolicy(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const document = this.policy(id, props, 'Policy', 'Policy', true);
    const raw = props.FileSystemId;
    const linked = this.logicalIdOf(raw, 'AWS::S3Files::FileSystem');
    let fileSystem = linked ? this.readS3FileSystem(linked) : undefined;
    if (!fileSystem) {
      const value = this.required(id, props, 'FileSystemId');
      const parsed = typeof value === 'string' ? parseFileSystemArn(value) : undefined;
      const fsId = parsed ? parsed.id : value;
      fileSystem = this.snapshot.fileSystems.find((f) => f.type === 's3files' && f.id === fsId);
      if (!fileSystem) {
        fileSystem = {
          type: 's3files',
          id: fsId,
          ...(parsed ? { arn: value, accountId: parsed.accountId, region: parsed.region } : {}),
          origin: this.resourceOrigin(id),
        };
        this.snapshot.fileSystems.push(fileSystem);
      }
    }
    fileSystem.policy = document;
  }

  /** The logical ID a `!Ref X` / `!GetAtt X.Attr` points at, when X is a resource of that type. */
  private logicalIdOf(raw: unknown, type: string): string | undefined {
    if (!isObject(raw)) return undefined;
    const fn = intrinsicName(raw);
    const arg = fn ? raw[fn] : undefined;
    const target =
      fn === 'Ref'
        ? arg
        : fn === 'Fn::GetAtt'
          ? typeof arg === 'string'
            ? arg.split('.')[0]
            : Array.isArray(arg)
              ? arg[0]
              : undefined
          : undefined;
    return typeof target === 'string' && this.resources[target]?.Type === type ? target : undefined;
  }

  private readOidcProvider(id: string, resource: Obj): void {
    const props = this.properties(resource);
    const at = this.resourceOrigin(id);
    const provider: OidcProvider = {
      arn: unknown(`!Ref ${id}`, at),
      url: this.required(id, props, 'Url'),
      clientIds: [],
      origin: at,
    };
    this.forEachItem(id, props, 'ClientIdList', (item, _index, itemAt) => {
      provider.clientIds.push(this.text(item, itemAt) ?? unknown('ClientIdList item (empty)', itemAt));
    });
    this.snapshot.oidcProviders.push(provider);
  }
}
