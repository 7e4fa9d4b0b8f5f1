import { fileOrigin, type FileOrigin } from '../model/origin';
import { emptySnapshot, mergeSnapshots } from '../model/snapshot';
import { isUnknown, unknown } from '../model/unknown';
import type { LocatedDocument } from '../util/located';
import {
  baseAddress,
  isTfObject,
  mapTerraformResources,
  partitionOf,
  type TfEnvironment,
  type TfObject,
  type TfResource,
  type TfValue,
} from './terraform-resources';
import type { DocumentSource, ParsedFile } from './types';

/**
 * `terraform show -json <plan>` output. Values come from `resource_changes[].change.after`, with `after_unknown`
 * turned into unknowns (never guessed); resources without a change entry come from `planned_values`, data sources
 * read during planning from `prior_state`. References between resources come from `configuration` (each
 * expression's `references`), so an association still links to its role while the role's ARN is unknown.
 */
export const terraformPlanSource: DocumentSource = {
  name: 'terraform-plan',
  claims: (document) => {
    const v = document.value;
    return (
      isObj(v) &&
      typeof v.format_version === 'string' &&
      ('planned_values' in v || 'resource_changes' in v || 'configuration' in v)
    );
  },
  read(documents, file) {
    const snapshot = emptySnapshot(['S']);
    for (const document of documents) {
      mergeSnapshots(snapshot, readPlan(document, file));
    }
    return snapshot;
  },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface ConfigResource {
  expressions: Obj;
}

function readPlan(document: LocatedDocument, file: ParsedFile) {
  const plan = document.value as Obj;
  const config = collectConfiguration(plan);
  const env = environment(plan, config.providerRegion);
  const resources: TfResource[] = [];
  const seen = new Set<string>();
  const add = (entry: Obj, values: TfObject) => {
    const address = typeof entry.address === 'string' ? entry.address : undefined;
    const type = typeof entry.type === 'string' ? entry.type : undefined;
    const name = typeof entry.name === 'string' ? entry.name : undefined;
    if (!address || !type || !name || seen.has(address)) return;
    seen.add(address);
    const mode = entry.mode === 'data' ? 'data' : 'managed';
    const module = typeof entry.module_address === 'string' ? entry.module_address : moduleOf(address);
    const origin = fileOrigin(
      file.file,
      document.lineOf(entry, 'address') ?? document.lineOf(entry),
      address,
    );
    const base = baseAddress({ module, mode, type, name });
    const expressions = config.resources.get(base)?.expressions;
    resources.push({
      address,
      module,
      mode,
      type,
      name,
      values,
      origin,
      refs: (path) => referencesAt(expressions, path, module),
      at: (): FileOrigin => origin,
    });
  };
  for (const change of list(plan.resource_changes)) {
    if (!isObj(change) || !isObj(change.change)) continue;
    const actions = list(change.change.actions);
    // a resource that the plan deletes is not part of the picture after apply
    if (actions.length === 1 && actions[0] === 'delete') {
      if (typeof change.address === 'string') seen.add(change.address);
      continue;
    }
    const address = String(change.address);
    const origin = fileOrigin(file.file, document.lineOf(change, 'address'), address);
    const values = withUnknowns(change.change.after, change.change.after_unknown, address, '', origin);
    if (isTfObject(values)) dropProviderComputed(change, values, config.resources);
    add(change, isTfObject(values) ? values : {});
  }
  for (const entry of moduleResources(
    isObj(plan.planned_values) ? plan.planned_values.root_module : undefined,
  )) {
    add(entry, isObj(entry.values) ? (entry.values as TfObject) : {});
  }
  return mapTerraformResources(resources, { idOf: (r) => `tf:${r.address}`, env });
}

/**
 * Collections that the provider reads back from what other resources attach (a role's inline and managed policies):
 * unknown in every plan that creates the role, though the configuration sets nothing there. The attaching resources
 * are read on their own, so these unknowns would only make every check of the role undecidable.
 */
const PROVIDER_COMPUTED: Record<string, string[]> = {
  aws_iam_role: ['inline_policy', 'managed_policy_arns'],
};

function dropProviderComputed(change: Obj, values: TfObject, config: Map<string, ConfigResource>): void {
  const attrs = typeof change.type === 'string' ? PROVIDER_COMPUTED[change.type] : undefined;
  if (!attrs || typeof change.address !== 'string') return;
  const module = typeof change.module_address === 'string' ? change.module_address : moduleOf(change.address);
  const base = baseAddress({
    module,
    mode: change.mode === 'data' ? 'data' : 'managed',
    type: String(change.type),
    name: String(change.name),
  });
  const expressions = config.get(base)?.expressions ?? {};
  for (const attr of attrs) if (isUnknown(values[attr]) && !(attr in expressions)) delete values[attr];
}

/** `module.a.module.b.aws_iam_role.x[0]` → `module.a.module.b`. */
function moduleOf(address: string): string {
  const parts: string[] = [];
  const re = /^module\.([^.[]+)(\[[^\]]*\])?\./;
  let rest = address;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    parts.push(`module.${m[1]}${m[2] ?? ''}`);
    rest = rest.slice(m[0].length);
  }
  return parts.join('.');
}

/** `after` with the attributes of `after_unknown` replaced by unknowns. */
function withUnknowns(
  after: unknown,
  afterUnknown: unknown,
  address: string,
  path: string,
  origin: FileOrigin,
): TfValue {
  const here = () => unknown(`${address}.${path} (known after apply)`, origin);
  if (afterUnknown === true) return here();
  const join = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (Array.isArray(after) || Array.isArray(afterUnknown)) {
    const a = Array.isArray(after) ? after : [];
    const u = Array.isArray(afterUnknown) ? afterUnknown : [];
    return Array.from({ length: Math.max(a.length, u.length) }, (_, i) =>
      withUnknowns(a[i], u[i], address, join(i), origin),
    );
  }
  if (isObj(after) || isObj(afterUnknown)) {
    const a = isObj(after) ? after : {};
    const u = isObj(afterUnknown) ? afterUnknown : {};
    const out: TfObject = {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(u)])) {
      if (key === '__proto__') continue;
      const value = withUnknowns(a[key], u[key], address, join(key), origin);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return after === undefined ? (undefined as unknown as TfValue) : (after as TfValue);
}

function* moduleResources(module: unknown): Generator<Obj> {
  if (!isObj(module)) return;
  for (const r of list(module.resources)) if (isObj(r)) yield r;
  for (const child of list(module.child_modules)) yield* moduleResources(child);
}

/** Configuration expressions by base address, across module calls. */
function collectConfiguration(plan: Obj): {
  resources: Map<string, ConfigResource>;
  providerRegion?: string;
} {
  const resources = new Map<string, ConfigResource>();
  const configuration = isObj(plan.configuration) ? plan.configuration : {};
  const walk = (module: unknown, prefix: string) => {
    if (!isObj(module)) return;
    for (const r of list(module.resources)) {
      if (!isObj(r) || typeof r.address !== 'string') continue;
      resources.set(prefix ? `${prefix}.${r.address}` : r.address, {
        expressions: isObj(r.expressions) ? r.expressions : {},
      });
    }
    const calls = isObj(module.module_calls) ? module.module_calls : {};
    for (const [name, call] of Object.entries(calls)) {
      if (isObj(call)) walk(call.module, prefix ? `${prefix}.module.${name}` : `module.${name}`);
    }
  };
  walk(configuration.root_module, '');
  const providers = isObj(configuration.provider_config) ? configuration.provider_config : {};
  const aws = isObj(providers.aws) ? providers.aws : undefined;
  const region =
    aws && isObj(aws.expressions) && isObj(aws.expressions.region)
      ? aws.expressions.region.constant_value
      : undefined;
  return { resources, ...(typeof region === 'string' ? { providerRegion: region } : {}) };
}

/**
 * The base addresses an attribute's expression refers to: `aws_iam_role.node.arn` → `aws_iam_role.node`, made
 * absolute with the module the resource lives in. Locals and variables are not in the plan's configuration.
 */
function referencesAt(expressions: Obj | undefined, path: string, module: string): string[] {
  let node: unknown = expressions;
  for (const part of path.split('.')) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isObj(node)) node = node[part];
    else return [];
  }
  if (!isObj(node)) return [];
  const out = new Set<string>();
  for (const ref of list(node.references)) {
    if (typeof ref !== 'string') continue;
    const parts = ref.replace(/\[[^\]]*\]/g, '').split('.');
    let base: string | undefined;
    if (parts[0] === 'data' && parts.length >= 3) base = parts.slice(0, 3).join('.');
    else if (
      !['var', 'local', 'module', 'each', 'count', 'path', 'terraform', 'self'].includes(parts[0]) &&
      parts.length >= 2
    ) {
      base = parts.slice(0, 2).join('.');
    }
    if (base) out.add(module ? `${module}.${base}` : base);
  }
  return [...out];
}

/** Account, region and partition from data sources read during planning, or the provider's literal region. */
function environment(plan: Obj, providerRegion: string | undefined): TfEnvironment {
  const env: TfEnvironment = {};
  const prior =
    isObj(plan.prior_state) && isObj(plan.prior_state.values)
      ? plan.prior_state.values.root_module
      : undefined;
  const planned = isObj(plan.planned_values) ? plan.planned_values.root_module : undefined;
  const accounts = new Set<string>();
  const regions = new Set<string>();
  for (const r of [...moduleResources(prior), ...moduleResources(planned)]) {
    if (r.mode !== 'data' || !isObj(r.values)) continue;
    if (r.type === 'aws_caller_identity' && typeof r.values.account_id === 'string')
      accounts.add(r.values.account_id);
    if (r.type === 'aws_region') {
      const name = r.values.region ?? r.values.name;
      if (typeof name === 'string') regions.add(name);
    }
  }
  // more than one account or region in one plan (several providers): none of them is "the" account
  if (accounts.size === 1) env.accountId = [...accounts][0];
  if (regions.size === 1) env.region = [...regions][0];
  else if (regions.size === 0 && providerRegion) env.region = providerRegion;
  if (env.region) env.partition = partitionOf(env.region);
  return env;
}
