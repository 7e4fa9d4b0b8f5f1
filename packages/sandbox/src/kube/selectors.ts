import type { KubeObject } from '../state/kube';
import { badRequest } from './status';

/**
 * Label selectors as the API server parses them from `?labelSelector=`: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)`, `k notin (a,b)`, comma-separated (all must hold).
 */
export type LabelRequirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'doesnotexist' };

const KEY = '[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?';
const VALUE = '([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?';

/** Splits on commas that are not inside `( … )`. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseLabelSelector(text: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTop(text)) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(part))) {
      requirements.push({ key: m[1]!, op: m[3] === '!=' ? 'notin' : 'in', values: [m[4] ?? ''] });
    } else if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part))) {
      const values = m[4]!.split(',').map((v) => v.trim());
      if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v)))
        throw badRequest(`unable to parse requirement: invalid label value in ${JSON.stringify(part)}`);
      requirements.push({ key: m[1]!, op: m[3] as 'in' | 'notin', values });
    } else if ((m = new RegExp(`^!\\s*(${KEY})$`).exec(part))) {
      requirements.push({ key: m[1]!, op: 'doesnotexist' });
    } else if ((m = new RegExp(`^(${KEY})$`).exec(part))) {
      requirements.push({ key: m[1]!, op: 'exists' });
    } else {
      throw badRequest(`unable to parse requirement: ${JSON.stringify(part)}: found unexpected token`);
    }
  }
  return requirements;
}

export function matchesLabels(
  labels: Record<string, string> | undefined,
  requirements: LabelRequirement[],
): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}

/** A `matchLabels` map (DaemonSet selectors) as requirements. */
export function matchLabelsRequirements(matchLabels: Record<string, string> | undefined): LabelRequirement[] {
  return Object.entries(matchLabels ?? {}).map(([key, value]) => ({
    key,
    op: 'in' as const,
    values: [value],
  }));
}

/** Field selectors: `field=value`, `field==value`, `field!=value`, comma-separated, over the fields each kind supports. */
export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/**
 * Fields each kind can be selected by. The API server supports `metadata.name` and `metadata.namespace` everywhere,
 * and a few per kind (pods: `spec.nodeName`, `spec.serviceAccountName`, `status.phase`, …); these are the ones the
 * product could use, a subset.
 */
const FIELD_GETTERS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};
const KIND_FIELDS: Record<string, Record<string, (o: KubeObject) => string | undefined>> = {
  Pod: {
    'spec.nodeName': (o) =>
      ((o.spec as Record<string, unknown> | undefined)?.nodeName as string | undefined) ?? '',
    'spec.serviceAccountName': (o) =>
      ((o.spec as Record<string, unknown> | undefined)?.serviceAccountName as string | undefined) ?? '',
    'status.phase': (o) =>
      ((o.status as Record<string, unknown> | undefined)?.phase as string | undefined) ?? '',
  },
  Secret: { type: (o) => (o.type as string | undefined) ?? '' },
};

export function parseFieldSelector(text: string, kind: string): FieldRequirement[] {
  return splitTop(text).map((part) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1]!;
    if (!FIELD_GETTERS[field] && !KIND_FIELDS[kind]?.[field]) {
      // The API server's wording for an unsupported field.
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, value: m[3]!, negate: m[2] === '!=' };
  });
}

export function matchesFields(object: KubeObject, requirements: FieldRequirement[]): boolean {
  return requirements.every((r) => {
    const getter = FIELD_GETTERS[r.field] ?? KIND_FIELDS[object.kind]?.[r.field];
    const actual = getter ? getter(object) : undefined;
    return r.negate ? actual !== r.value : actual === r.value;
  });
}
