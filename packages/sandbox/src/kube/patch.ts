/**
 * The three patch formats the API server accepts from `@kubernetes/client-node`:
 * - JSON Patch (RFC 6902), the generated clients' default content type;
 * - JSON Merge Patch (RFC 7386);
 * - strategic-merge patch, SIMPLIFIED: a merge patch, except that the lists the product touches are merged by key
 *   (containers, initContainers, ephemeralContainers, volumes and env by `name`, volumeMounts by `mountPath`, ports by
 *   `containerPort`), with the `$patch: delete|replace|merge` directives. The real API server reads merge keys and
 *   strategies from each type's Go struct tags; here the key is chosen by field name wherever the list appears, every
 *   other list is replaced, and the `$setElementOrder/…`, `$retainKeys` and `$deleteFromPrimitiveList/…` directives
 *   kubectl may send are ignored.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A patch that could not be applied (the API server answers 422) or a malformed one (400). */
export class PatchError extends Error {
  constructor(
    message: string,
    /** `invalid`: a well-formed patch that does not apply (422); `malformed`: the patch document itself is bad (400). */
    readonly kind: 'invalid' | 'malformed',
  ) {
    super(message);
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

const clone = <T>(value: T): T => structuredClone(value);

// ---------------------------------------------------------------------------------------------------------------
// JSON Pointer (RFC 6901) and JSON Patch (RFC 6902)

/** Splits a JSON Pointer into unescaped tokens (`~1` → `/`, then `~0` → `~`, in that order as RFC 6901 says). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new PatchError(
      `invalid JSON pointer ${JSON.stringify(pointer)}: it must start with "/"`,
      'malformed',
    );
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token))
        throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: bad "~" escape`, 'malformed');
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function arrayIndex(token: string, length: number, allowEnd: boolean, op: string, path: string): number {
  if (allowEnd && token === '-') return length;
  // RFC 6901: array indices are decimal without leading zeros.
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(
      `jsonpatch ${op} operation does not apply: invalid array index ${JSON.stringify(token)} in ${JSON.stringify(path)}`,
      'invalid',
    );
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new PatchError(
      `jsonpatch ${op} operation does not apply: index ${index} out of bounds in ${JSON.stringify(path)}`,
      'invalid',
    );
  }
  return index;
}

/** The container holding the last token of `tokens`, or throws the 422 the API server gives for a missing path. */
function parentOf(doc: Json, tokens: string[], op: string, path: string): Json {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, op, path)] as Json;
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token] as Json;
    else throw missing(op, path);
  }
  return node;
}

const missing = (op: string, path: string) =>
  new PatchError(
    `jsonpatch ${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
    'invalid',
  );

function getAt(doc: Json, path: string, op: string): Json {
  let node = doc;
  for (const token of parsePointer(path)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, op, path)] as Json;
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token] as Json;
    else throw missing(op, path);
  }
  return node;
}

function addAt(doc: Json, path: string, value: Json, op: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, op, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, op, path), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw missing(op, path);
  return doc;
}

function removeAt(doc: Json, path: string, op: string): { doc: Json; removed: Json } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return { doc: null, removed: doc };
  const parent = parentOf(doc, tokens, op, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(last, parent.length, false, op, path), 1);
    return { doc, removed: removed as Json };
  }
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const removed = parent[last] as Json;
    delete parent[last];
    return { doc, removed };
  }
  throw missing(op, path);
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
  hasValue: boolean;
}

function readOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch))
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 'malformed');
  return patch.map((raw, i) => {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`operation ${i} of the JSON patch needs string "op" and "path"`, 'malformed');
    }
    const hasValue = Object.prototype.hasOwnProperty.call(raw, 'value');
    if (['add', 'replace', 'test'].includes(raw.op) && !hasValue)
      throw new PatchError(`jsonpatch ${raw.op} operation is missing "value"`, 'malformed');
    if (['move', 'copy'].includes(raw.op) && typeof raw.from !== 'string')
      throw new PatchError(`jsonpatch ${raw.op} operation is missing "from"`, 'malformed');
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(raw.op))
      throw new PatchError(`Unexpected kind: ${raw.op}`, 'malformed');
    return {
      op: raw.op,
      path: raw.path,
      ...(typeof raw.from === 'string' ? { from: raw.from } : {}),
      value: raw.value as Json,
      hasValue,
    };
  });
}

/** Applies a JSON Patch to a copy of `document`, all operations or none. */
export function applyJsonPatch(document: Json, patch: unknown): Json {
  let doc = clone(document);
  for (const { op, path, from, value } of readOperations(patch)) {
    switch (op) {
      case 'add':
        doc = addAt(doc, path, clone(value as Json), op);
        break;
      case 'remove':
        doc = removeAt(doc, path, op).doc;
        break;
      case 'replace': {
        // RFC 6902: the target must exist; replace is remove then add at the same place.
        getAt(doc, path, op);
        const tokens = parsePointer(path);
        if (tokens.length === 0) doc = clone(value as Json);
        else {
          const parent = parentOf(doc, tokens, op, path);
          const last = tokens[tokens.length - 1]!;
          if (Array.isArray(parent))
            parent[arrayIndex(last, parent.length, false, op, path)] = clone(value as Json);
          else (parent as JsonObject)[last] = clone(value as Json);
        }
        break;
      }
      case 'move': {
        if (path !== from && path.startsWith(`${from!}/`))
          throw new PatchError(
            `jsonpatch move operation does not apply: "from" ${JSON.stringify(from)} is a prefix of "path"`,
            'invalid',
          );
        if (path === from) {
          getAt(doc, from, op);
          break;
        }
        const removed = removeAt(doc, from!, op);
        doc = addAt(removed.doc, path, removed.removed, op);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, clone(getAt(doc, from!, op)), op);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path, op), value)) {
          throw new PatchError(
            `testing value ${path} failed: test operation does not apply: is not equal`,
            'invalid',
          );
        }
        break;
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON Merge Patch (RFC 7386)

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Strategic-merge patch (simplified: see the file comment)

/** Merge key of the lists merged item by item, by field name. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

const IGNORED_DIRECTIVE = /^\$(setElementOrder\/|retainKeys$|deleteFromPrimitiveList\/)/;

export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'delete') return null;
  if (directive === 'replace') return withoutDirectives(patch);
  if (directive !== undefined && directive !== 'merge')
    throw new PatchError(`Unknown patch type: ${String(directive)}`, 'malformed');
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || IGNORED_DIRECTIVE.test(key)) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key];
    if (mergeKey && Array.isArray(value)) {
      result[key] = mergeList(Array.isArray(result[key]) ? (result[key] as Json[]) : [], value, mergeKey);
      continue;
    }
    const merged = applyStrategicMergePatch(result[key] ?? null, value);
    if (merged === null && isObject(value) && value.$patch === 'delete') delete result[key];
    else result[key] = merged;
  }
  return result;
}

function withoutDirectives(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value))
    if (k !== '$patch' && !IGNORED_DIRECTIVE.test(k)) out[k] = clone(v);
  return out;
}

function mergeList(target: Json[], patch: Json[], mergeKey: string): Json[] {
  // `{"$patch": "replace"}` as an item: the list becomes the other items of the patch.
  if (patch.some((item) => isObject(item) && item.$patch === 'replace' && Object.keys(item).length === 1)) {
    return patch
      .filter((item) => !(isObject(item) && item.$patch === 'replace'))
      .map((item) => (isObject(item) ? withoutDirectives(item) : item));
  }
  const result = clone(target);
  for (const item of patch) {
    if (!isObject(item) || item[mergeKey] === undefined) {
      throw new PatchError(
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`,
        'malformed',
      );
    }
    const index = result.findIndex(
      (existing) => isObject(existing) && deepEqual(existing[mergeKey], item[mergeKey]),
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = applyStrategicMergePatch(result[index] as Json, item);
    } else {
      result.push(applyStrategicMergePatch(null, item));
    }
  }
  return result;
}
