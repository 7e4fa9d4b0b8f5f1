import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { fileOrigin, type FileOrigin } from '../model/origin';
import { emptySnapshot, type Snapshot, type SourceNotice } from '../model/snapshot';
import { isUnknown, type Unknown, unknown } from '../model/unknown';
import {
  computedAttribute,
  encodeJson,
  isPartialText,
  isTfObject,
  keyText,
  mapTerraformResources,
  partitionOf,
  renderPolicyDocument,
  setPosition,
  TfEncoded,
  type PartialText,
  type TfEnvironment,
  type TfObject,
  type TfResource,
  type TfValue,
} from './terraform-resources';
import type { SourceFile } from './types';

/**
 * Terraform HCL (`.tf` files of one module directory) read statically. Parsing uses tree-sitter's HCL grammar (the
 * Terraform dialect) through its WebAssembly runtime: it gives a syntax tree with positions for every block,
 * attribute and expression, which `@cdktf/hcl2json` does not (its JSON has no lines and keeps expressions as source
 * strings). `@cdktf/hcl2json` (HashiCorp's own HCL parser) is still used on the error path, to tell a real syntax
 * error (with HCL's message) from a gap of the grammar.
 *
 * Expressions are evaluated by a small interpreter: literals, templates, heredocs, `local.*`, references to
 * resources and data sources of the module, `aws_iam_policy_document`, and a few pure functions. Everything that is
 * not in the files (`var.*`, module outputs, values known after apply, functions not implemented) is `unknown`.
 */

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** A syntax node copied out of the WebAssembly tree (walking plain objects is much faster than crossing into wasm). */
interface SyntaxNode {
  type: string;
  named: boolean;
  from: number;
  to: number;
  /** 1-based. */
  line: number;
  children: SyntaxNode[];
  error: boolean;
}

let parserReady: Promise<Parser> | undefined;

/** One parser for the process: loading the runtime and the grammar costs tens of milliseconds. */
function hclParser(): Promise<Parser> {
  parserReady ??= (async () => {
    await Parser.init();
    // Bytes, not a path: given a path, the runtime loads `fs` through a dynamic import, which CommonJS hosts such as
    // Jest's module sandbox refuse.
    const grammar = await readFile(
      require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'),
    );
    const language = await Language.load(grammar);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  parserReady.catch(() => (parserReady = undefined));
  return parserReady;
}

/**
 * Syntax trees deeper than this are not read. Each level of nesting in HCL is a few tree levels (an expression, a
 * collection value, a tuple), so this allows well over a hundred levels of brackets, far beyond real configuration;
 * the evaluator below walks the tree recursively and must not run out of stack on a hostile file.
 */
const MAX_TREE_DEPTH = 1000;

/** A file nested deeper than MAX_TREE_DEPTH: reported as a parse error of that file. */
class TooDeepError extends Error {}

/** Copies tree-sitter's tree into plain objects, without recursion (a deep file would exhaust the stack). */
function copyTree(tree: Tree): SyntaxNode {
  const cursor = tree.walk();
  try {
    const nodeAt = (): SyntaxNode => ({
      type: cursor.nodeType,
      named: cursor.nodeIsNamed,
      from: cursor.startIndex,
      to: cursor.endIndex,
      line: cursor.startPosition.row + 1,
      children: [],
      error: cursor.nodeType === 'ERROR' || cursor.nodeIsMissing,
    });
    const root = nodeAt();
    const path: SyntaxNode[] = [root];
    // Depth-first: go down to the first child, else along to the next sibling, else up until a sibling exists.
    for (;;) {
      if (cursor.gotoFirstChild()) {
        if (path.length > MAX_TREE_DEPTH)
          throw new TooDeepError(`nesting deeper than ${MAX_TREE_DEPTH} syntax levels: not read`);
        path.push(undefined as unknown as SyntaxNode); // replaced by the child below
      } else {
        for (;;) {
          if (path.length === 1) return root;
          if (cursor.gotoNextSibling()) break;
          cursor.gotoParent();
          path.pop();
        }
      }
      const node = nodeAt();
      path[path.length - 1] = node;
      if (node.type !== 'comment') path[path.length - 2]!.children.push(node);
    }
  } finally {
    cursor.delete();
  }
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.error) return node;
  for (const child of node.children) {
    const found = firstError(child);
    if (found) return found;
  }
  return undefined;
}

type Hcl2Json = typeof import('@cdktf/hcl2json');
let hcl2json: Hcl2Json | undefined;

/**
 * HashiCorp's HCL parser, loaded only when tree-sitter reports an error (it starts a Go WebAssembly runtime). Returns
 * undefined when the file parses (the error was a gap of the grammar), else HCL's message and line.
 */
async function confirmSyntaxError(
  file: string,
  text: string,
): Promise<{ message: string; line?: number } | undefined> {
  try {
    hcl2json ??= await import('@cdktf/hcl2json');
    await hcl2json.parse(posix.basename(file), text);
    return undefined;
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    // "parse config: [main.tf:2,7-3,1: Invalid expression; Expected the start of an expression, …]"
    // HCL's parser, too, runs out of stack on a deeply nested file.
    if (/Maximum call stack/.test(raw)) return { message: 'nesting too deep to parse' };
    const match = /:(\d+),\d+(?:-\d+(?:,\d+)?)?: ([^\]]*)/.exec(raw);
    return match ? { message: match[2].trim(), line: Number(match[1]) } : { message: raw };
  }
}

interface ParsedHcl {
  file: string;
  text: string;
  root: SyntaxNode;
}

// ---------------------------------------------------------------------------------------------------------------
// Syntax helpers

const named = (node: SyntaxNode) => node.children.filter((c) => c.named);
const child = (node: SyntaxNode, type: string) => node.children.find((c) => c.type === type);

interface BlockNode {
  node: SyntaxNode;
  type: string;
  labels: string[];
  body: SyntaxNode | undefined;
}

interface BodyItems {
  attributes: Array<{ name: string; node: SyntaxNode; expr: SyntaxNode }>;
  blocks: BlockNode[];
}

class Source {
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  body(body: SyntaxNode | undefined): BodyItems {
    const items: BodyItems = { attributes: [], blocks: [] };
    for (const item of body?.children ?? []) {
      if (item.type === 'attribute') {
        const id = child(item, 'identifier');
        const expr = child(item, 'expression');
        if (id && expr) items.attributes.push({ name: this.slice(id), node: item, expr });
      } else if (item.type === 'block') {
        const kids = item.children;
        const id = kids[0];
        const labels: string[] = [];
        for (const k of kids.slice(1)) {
          if (k.type === 'string_lit') labels.push(this.stringLiteral(k));
          else if (k.type === 'identifier') labels.push(this.slice(k));
          else break;
        }
        items.blocks.push({ node: item, type: this.slice(id), labels, body: child(item, 'body') });
      }
    }
    return items;
  }

  /** The text of a `"…"` literal without interpolations (block labels, object keys). */
  stringLiteral(node: SyntaxNode): string {
    const start = child(node, 'quoted_template_start');
    const end = child(node, 'quoted_template_end');
    return unescapeQuoted(this.text.slice(start ? start.to : node.from, end ? end.from : node.to));
  }
}

function unescapeQuoted(text: string): string {
  return text.replace(
    /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])|\$\$\{|%%\{/g,
    (m, esc: string | undefined) => {
      if (m === '$${') return '${';
      if (m === '%%{') return '%{';
      switch (esc![0]) {
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 't':
          return '\t';
        case 'u':
        case 'U':
          return String.fromCodePoint(parseInt(esc!.slice(1), 16));
        default:
          return esc!;
      }
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Module model and evaluation

interface Declaration {
  mode: 'managed' | 'data';
  type: string;
  name: string;
  source: Source;
  block: BlockNode;
  items: BodyItems;
  instances?: Instance[];
}

interface Instance {
  /** `[0]`, `["a"]`, or '' for a resource without count / for_each (or whose instances are unknown). */
  suffix: string;
  key?: string | number;
  scope: Scope;
}

interface Scope {
  source: Source;
  vars: Map<string, TfValue>;
}

/** Records lines, references and text lines of a resource's attributes while its body is evaluated. */
interface Recorder {
  lines: Map<string, number>;
  refs: Map<string, string[]>;
  textLines: Map<string, number>;
}

const META_ARGUMENTS = new Set(['count', 'for_each', 'provider', 'depends_on']);
const META_BLOCKS = new Set(['lifecycle', 'provisioner', 'connection']);
const BINARY_OPERATORS = new Set(['*', '/', '%', '+', '-', '>', '>=', '<', '<=', '==', '!=', '&&', '||']);

class ModuleEvaluator {
  readonly declarations = new Map<string, Declaration>();
  private readonly locals = new Map<string, { source: Source; expr: SyntaxNode }>();
  private readonly variables = new Map<string, { source: Source; expr?: SyntaxNode }>();
  private readonly localValues = new Map<string, TfValue>();
  private readonly attrCache = new Map<string, TfValue>();
  private readonly active = new Set<string>();
  env: TfEnvironment = {};

  private readonly files: Array<{ source: Source; body: SyntaxNode | undefined }>;

  constructor(
    files: ParsedHcl[],
    /** Prefix of the Snapshot ids of this module's resources (`tf:<dir>:`). */
    private readonly idPrefix = '',
  ) {
    this.files = files.map((f) => ({ source: new Source(f.file, f.text), body: child(f.root, 'body') }));
    for (const file of this.files) {
      for (const block of file.source.body(file.body).blocks) this.declare(file.source, block);
    }
    this.env = this.readProvider();
  }

  private declare(source: Source, block: BlockNode): void {
    const items = source.body(block.body);
    switch (block.type) {
      case 'locals':
        for (const a of items.attributes)
          if (!this.locals.has(a.name)) this.locals.set(a.name, { source, expr: a.expr });
        return;
      case 'variable': {
        const name = block.labels[0];
        const def = items.attributes.find((a) => a.name === 'default');
        if (name !== undefined) this.variables.set(name, { source, ...(def ? { expr: def.expr } : {}) });
        return;
      }
      case 'resource':
      case 'data': {
        const [type, name] = block.labels;
        if (type === undefined || name === undefined) return;
        const mode = block.type === 'data' ? 'data' : 'managed';
        const address = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
        if (!this.declarations.has(address))
          this.declarations.set(address, { mode, type, name, source, block, items });
        return;
      }
      default:
        return;
    }
  }

  /** Region, account and partition from the default `provider "aws"` block, when written literally. */
  private readProvider(): TfEnvironment {
    const env: TfEnvironment = {};
    for (const declaration of this.providerBlocks()) {
      const { source, items } = declaration;
      if (items.attributes.some((a) => a.name === 'alias')) continue;
      const scope: Scope = { source, vars: new Map() };
      const attr = (name: string, from = items) => from.attributes.find((a) => a.name === name);
      const region = attr('region');
      const regionValue = region ? this.evaluate(region.expr, scope) : undefined;
      if (typeof regionValue === 'string') {
        env.region = regionValue;
        env.partition = partitionOf(regionValue);
      }
      const allowed = attr('allowed_account_ids');
      const accounts = allowed ? this.evaluate(allowed.expr, scope) : undefined;
      if (Array.isArray(accounts) && accounts.length === 1 && typeof accounts[0] === 'string')
        env.accountId = accounts[0];
      const assume = items.blocks.find((b) => b.type === 'assume_role');
      const roleArn = assume ? attr('role_arn', source.body(assume.body)) : undefined;
      const arn = roleArn ? this.evaluate(roleArn.expr, scope) : undefined;
      const account = typeof arn === 'string' ? /^arn:[\w-]+:iam::(\d{12}):/.exec(arn)?.[1] : undefined;
      if (account && env.accountId === undefined) env.accountId = account;
    }
    return env;
  }

  private *providerBlocks(): Generator<{ source: Source; items: BodyItems }> {
    for (const file of this.files) {
      for (const block of file.source.body(file.body).blocks) {
        if (block.type === 'provider' && block.labels[0] === 'aws') {
          yield { source: file.source, items: file.source.body(block.body) };
        }
      }
    }
  }

  // -- instances ---------------------------------------------------------------------------------------------

  instances(d: Declaration): Instance[] {
    if (d.instances) return d.instances;
    const scope = (vars: Array<[string, TfValue]>): Scope => ({ source: d.source, vars: new Map(vars) });
    const at = (node: SyntaxNode) => fileOrigin(d.source.file, node.line);
    const count = d.items.attributes.find((a) => a.name === 'count');
    const forEach = d.items.attributes.find((a) => a.name === 'for_each');
    const empty = scope([]);
    let instances: Instance[];
    if (count) {
      const n = this.evaluate(count.expr, empty);
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1000) {
        instances = Array.from({ length: n }, (_, i) => ({
          suffix: `[${i}]`,
          key: i,
          scope: scope([['count.index', i]]),
        }));
      } else {
        instances = [
          {
            suffix: '',
            scope: scope([
              ['count.index', unknown(`count.index (count = ${d.source.slice(count.expr)})`, at(count.node))],
            ]),
          },
        ];
      }
    } else if (forEach) {
      const collection = this.evaluate(forEach.expr, empty);
      const pairs: Array<[string, TfValue]> | undefined = isTfObject(collection)
        ? Object.entries(collection)
        : Array.isArray(collection) && collection.every((k) => typeof k === 'string')
          ? (collection as string[]).map((k) => [k, k])
          : undefined;
      if (pairs) {
        instances = pairs.map(([key, value]) => ({
          suffix: `[${JSON.stringify(key)}]`,
          key,
          scope: scope([
            ['each.key', key],
            ['each.value', value],
          ]),
        }));
      } else {
        const what = unknown(`each (for_each = ${d.source.slice(forEach.expr)})`, at(forEach.node));
        instances = [
          {
            suffix: '',
            scope: scope([
              ['each.key', what],
              ['each.value', what],
            ]),
          },
        ];
      }
    } else {
      instances = [{ suffix: '', scope: empty }];
    }
    d.instances = instances;
    return instances;
  }

  // -- values of a resource ----------------------------------------------------------------------------------

  /** Evaluates a body into attribute values; nested blocks become lists of objects, as in the plan JSON. */
  evaluateBody(
    source: Source,
    items: BodyItems,
    scope: Scope,
    line: number,
    path: string,
    rec?: Recorder,
  ): TfObject {
    const out: TfObject = {};
    setPosition(out, line);
    const prefix = path ? `${path}.` : '';
    for (const a of items.attributes) {
      if (!path && META_ARGUMENTS.has(a.name)) continue;
      const value = this.evaluate(a.expr, scope);
      out[a.name] = value;
      setPosition(out, a.node.line, a.name);
      if (rec) this.record(rec, `${prefix}${a.name}`, a.expr, source, value);
    }
    for (const b of items.blocks) {
      if (!path && META_BLOCKS.has(b.type)) continue;
      const name = b.type === 'dynamic' ? b.labels[0] : b.type;
      if (name === undefined) continue;
      const list = (Array.isArray(out[name]) ? out[name] : (out[name] = [])) as TfValue[];
      setPosition(out, list.length === 0 ? b.node.line : undefined, name);
      setPosition(list, b.node.line, list.length);
      const itemPath = `${prefix}${name}.${list.length}`;
      rec?.lines.set(itemPath, b.node.line);
      if (b.type === 'dynamic') {
        list.push(unknown(`dynamic "${name}" block`, fileOrigin(source.file, b.node.line)));
        continue;
      }
      list.push(this.evaluateBody(source, source.body(b.body), scope, b.node.line, itemPath, rec));
    }
    return out;
  }

  private record(rec: Recorder, path: string, expr: SyntaxNode, source: Source, value: TfValue): void {
    rec.lines.set(path, expr.line);
    rec.refs.set(path, this.references(expr, source));
    const heredoc = findHeredoc(expr);
    rec.textLines.set(path, heredoc ? heredoc.line + 1 : expr.line);
    // Lines of list items and map keys written literally (mount options, annotations, parameters).
    const collection = expr.children.find((c) => c.type === 'collection_value')?.children[0];
    if (collection?.type === 'tuple') {
      named(collection)
        .filter((c) => c.type === 'expression')
        .forEach((item, i) => rec.lines.set(`${path}.${i}`, item.line));
    } else if (collection?.type === 'object' && isTfObject(value)) {
      for (const elem of collection.children.filter((c) => c.type === 'object_elem')) {
        const key = this.objectKey(elem.children[0], { source, vars: new Map() });
        if (typeof key === 'string') rec.lines.set(`${path}.${key}`, elem.line);
      }
    }
  }

  /** Base addresses of the resources an expression refers to, following locals. */
  references(expr: SyntaxNode, source: Source, seen = new Set<string>()): string[] {
    const out = new Set<string>();
    const visit = (node: SyntaxNode, siblings: SyntaxNode[], index: number) => {
      if (node.type === 'variable_expr') {
        const names = [source.slice(node)];
        for (const next of siblings.slice(index + 1)) {
          if (next.type !== 'get_attr') break;
          const id = child(next, 'identifier');
          if (id) names.push(source.slice(id));
        }
        if (names[0] === 'local' && names[1] && !seen.has(names[1])) {
          seen.add(names[1]);
          const local = this.locals.get(names[1]);
          if (local) for (const r of this.references(local.expr, local.source, seen)) out.add(r);
        } else if (names[0] === 'data' && names.length >= 3) out.add(`data.${names[1]}.${names[2]}`);
        else if (
          !['var', 'module', 'each', 'count', 'path', 'terraform', 'self', 'local'].includes(names[0]) &&
          names[1]
        ) {
          out.add(`${names[0]}.${names[1]}`);
        }
        return;
      }
      node.children.forEach((c, i) => visit(c, node.children, i));
    };
    visit(expr, [expr], 0);
    return [...out];
  }

  /** The value of `<address>.<attr>` for one instance (or the only / unknown instance). */
  private attributeOf(
    d: Declaration,
    key: string | number | undefined,
    attr: string,
    origin: FileOrigin,
  ): TfValue {
    const address = `${d.mode === 'data' ? 'data.' : ''}${d.type}.${d.name}`;
    const instances = this.instances(d);
    const instance =
      key !== undefined
        ? instances.find((i) => i.key === key)
        : instances.length === 1
          ? instances[0]
          : undefined;
    if (!instance) {
      return instances.length === 0
        ? unknown(`${address} has no instances (count/for_each)`, origin)
        : unknown(`${address}.${attr} (an instance of count/for_each)`, origin);
    }
    const cacheKey = `${address}${instance.suffix}.${attr}`;
    const cached = this.attrCache.get(cacheKey);
    if (cached !== undefined) return cached;
    if (this.active.has(cacheKey)) return unknown(`${cacheKey} (cycle)`, origin);
    this.active.add(cacheKey);
    try {
      const value = this.computeAttribute(d, instance, address, attr, origin);
      this.attrCache.set(cacheKey, value);
      return value;
    } finally {
      this.active.delete(cacheKey);
    }
  }

  private computeAttribute(
    d: Declaration,
    instance: Instance,
    address: string,
    attr: string,
    origin: FileOrigin,
  ): TfValue {
    const own = d.items.attributes.find((a) => a.name === attr);
    if (own) return this.evaluate(own.expr, instance.scope);
    if (
      d.mode === 'data' &&
      d.type === 'aws_iam_policy_document' &&
      (attr === 'json' || attr === 'minified_json')
    ) {
      const values = this.evaluateBody(d.source, d.items, instance.scope, d.block.node.line, '');
      const doc = renderPolicyDocument(values, fileOrigin(d.source.file, d.block.node.line, address));
      return attr === 'json' ? doc : new TfEncoded('json', doc.value, encodeJson(doc.value));
    }
    if (d.items.blocks.some((b) => b.type === attr || (b.type === 'dynamic' && b.labels[0] === attr))) {
      const values = this.evaluateBody(d.source, d.items, instance.scope, d.block.node.line, '');
      return values[attr] ?? null;
    }
    const get = (name: string): TfValue | undefined => {
      const a = d.items.attributes.find((x) => x.name === name);
      return a ? this.evaluate(a.expr, instance.scope) : undefined;
    };
    const derived = computedAttribute(d.mode, d.type, attr, get, this.env);
    if (derived !== undefined) return derived;
    return unknown(
      d.mode === 'data'
        ? `${address}${instance.suffix}.${attr} (read from AWS when Terraform runs)`
        : `${address}${instance.suffix}.${attr} (known after apply)`,
      origin,
      // The role's ARN, unknown until apply, still names that role: rules can match it to the node role.
      d.mode !== 'data' && d.type === 'aws_iam_role' && attr === 'arn'
        ? `${this.idPrefix}${address}${instance.suffix}`
        : undefined,
    );
  }

  private local(name: string, origin: FileOrigin): TfValue {
    const cached = this.localValues.get(name);
    if (cached !== undefined) return cached;
    const local = this.locals.get(name);
    if (!local) return unknown(`local.${name} (not declared in this module)`, origin);
    const key = `local.${name}`;
    if (this.active.has(key)) return unknown(`${key} (cycle)`, origin);
    this.active.add(key);
    try {
      const value = this.evaluate(local.expr, { source: local.source, vars: new Map() });
      this.localValues.set(name, value);
      return value;
    } finally {
      this.active.delete(key);
    }
  }

  // -- expressions -------------------------------------------------------------------------------------------

  evaluate(node: SyntaxNode, scope: Scope): TfValue {
    if (node.type === 'expression') return this.sequence(node.children, scope);
    return this.sequence([node], scope);
  }

  private origin(node: SyntaxNode, scope: Scope): FileOrigin {
    return fileOrigin(scope.source.file, node.line);
  }

  private unknownAt(expression: string, node: SyntaxNode, scope: Scope): Unknown {
    return unknown(expression, this.origin(node, scope));
  }

  /** A term followed by postfix operators (`.attr`, `[i]`, splats). */
  private sequence(nodes: SyntaxNode[], scope: Scope): TfValue {
    if (nodes.length === 0) return null;
    const head = nodes[0];
    let rest = nodes.slice(1);
    let value: TfValue;
    if (head.type === '(') {
      const inner = nodes.find((n) => n.type === 'expression');
      value = inner ? this.evaluate(inner, scope) : null;
      const close = nodes.findIndex((n) => n.type === ')');
      rest = close >= 0 ? nodes.slice(close + 1) : [];
    } else if (head.type === 'variable_expr') {
      const resolved = this.traversal(head, rest, scope);
      value = resolved.value;
      rest = rest.slice(resolved.consumed);
    } else {
      value = this.term(head, scope);
    }
    for (let i = 0; i < rest.length; i++) {
      const op = rest[i];
      if (op.type === 'splat') return this.splat(value, op, rest.slice(i + 1), scope);
      value = this.postfix(value, op, scope, nodes);
    }
    return value;
  }

  private postfix(value: TfValue, op: SyntaxNode, scope: Scope, whole: SyntaxNode[]): TfValue {
    const describe = () => scope.source.text.slice(whole[0].from, op.to);
    if (isUnknown(value)) return this.unknownAt(describe(), op, scope);
    if (op.type === 'get_attr') {
      const id = child(op, 'identifier');
      const name = id ? scope.source.slice(id) : '';
      if (isTfObject(value) && name in value) return value[name];
      return this.unknownAt(`${describe()} (no such attribute)`, op, scope);
    }
    if (op.type === 'index') {
      const inner = op.children[0];
      let key: TfValue;
      if (inner?.type === 'legacy_index') key = Number(scope.source.slice(inner).replace(/^\./, ''));
      else {
        const expr = inner ? child(inner, 'expression') : undefined;
        key = expr ? this.evaluate(expr, scope) : null;
      }
      if (isUnknown(key)) return this.unknownAt(describe(), op, scope);
      if (Array.isArray(value) && typeof key === 'number') {
        return key >= 0 && key < value.length
          ? value[key]
          : this.unknownAt(`${describe()} (out of range)`, op, scope);
      }
      if (isTfObject(value) && (typeof key === 'string' || typeof key === 'number') && String(key) in value) {
        return value[String(key)];
      }
      return this.unknownAt(`${describe()} (no such element)`, op, scope);
    }
    return this.unknownAt(describe(), op, scope);
  }

  private splat(value: TfValue, op: SyntaxNode, after: SyntaxNode[], scope: Scope): TfValue {
    if (isUnknown(value)) return this.unknownAt(scope.source.slice(op), op, scope);
    const items = Array.isArray(value) ? value : value === null ? [] : [value];
    const steps = [
      ...op.children[0].children.filter((c) => c.type === 'get_attr' || c.type === 'index'),
      ...after,
    ];
    return items.map((item) => {
      let v = item;
      for (const step of steps) v = this.postfix(v, step, scope, [op]);
      return v;
    });
  }

  /** `var.x`, `local.x`, `aws_iam_role.node.arn`, `data.t.n.attr`, `each.key`, iteration variables. */
  private traversal(
    head: SyntaxNode,
    rest: SyntaxNode[],
    scope: Scope,
  ): { value: TfValue; consumed: number } {
    const source = scope.source;
    const root = source.slice(head);
    const attrAt = (i: number): string | undefined => {
      const n = rest[i];
      if (n?.type !== 'get_attr') return undefined;
      const id = child(n, 'identifier');
      return id ? source.slice(id) : undefined;
    };
    const text = (consumed: number) =>
      source.text.slice(head.from, consumed > 0 ? rest[consumed - 1].to : head.to);
    const origin = this.origin(head, scope);
    if (scope.vars.has(root)) return { value: scope.vars.get(root)!, consumed: 0 };
    switch (root) {
      case 'var': {
        const name = attrAt(0);
        const variable = name ? this.variables.get(name) : undefined;
        const def = variable?.expr ? ` (default ${variable.source.slice(variable.expr)})` : '';
        return {
          value: unknown(`${text(1)}${variable ? def : ' (not declared in this module)'}`, origin),
          consumed: 1,
        };
      }
      case 'local': {
        const name = attrAt(0);
        return { value: name ? this.local(name, origin) : unknown('local', origin), consumed: 1 };
      }
      case 'count':
      case 'each': {
        const name = attrAt(0);
        const key = `${root}.${name}`;
        return {
          value: scope.vars.get(key) ?? unknown(`${key} (outside count/for_each)`, origin),
          consumed: 1,
        };
      }
      case 'module':
      case 'path':
      case 'terraform':
      case 'self': {
        let consumed = root === 'module' ? 2 : 1;
        while (consumed < rest.length && rest[consumed].type === 'get_attr' && root !== 'module') consumed++;
        consumed = Math.min(consumed, rest.length);
        return { value: unknown(text(consumed), origin), consumed };
      }
      default:
        break;
    }
    const isData = root === 'data';
    const offset = isData ? 1 : 0;
    const type = isData ? attrAt(0) : root;
    const name = attrAt(offset);
    if (type === undefined || name === undefined) {
      return { value: unknown(`${text(0)} (unknown symbol)`, origin), consumed: 0 };
    }
    const address = `${isData ? 'data.' : ''}${type}.${name}`;
    let consumed = offset + 1;
    const declaration = this.declarations.get(address);
    if (!declaration) {
      return {
        value: unknown(`${text(rest.length)} (not declared in this module)`, origin),
        consumed: rest.length,
      };
    }
    // An instance key: `aws_iam_role.node[0]` / `["a"]`.
    let key: string | number | undefined;
    const next = rest[consumed];
    if (next?.type === 'index') {
      const expr = next.children[0] ? child(next.children[0], 'expression') : undefined;
      const k = expr
        ? this.evaluate(expr, scope)
        : next.children[0]?.type === 'legacy_index'
          ? Number(source.slice(next.children[0]).slice(1))
          : undefined;
      if (typeof k === 'string' || typeof k === 'number') key = k;
      else return { value: unknown(text(rest.length), origin), consumed: rest.length };
      consumed++;
    }
    const attr = attrAt(consumed);
    if (attr === undefined) {
      // The resource as a whole, or a splat over its instances: not modelled.
      return { value: unknown(`${text(rest.length)}`, origin), consumed: rest.length };
    }
    consumed++;
    return { value: this.attributeOf(declaration, key, attr, origin), consumed };
  }

  private term(node: SyntaxNode, scope: Scope): TfValue {
    const source = scope.source;
    switch (node.type) {
      case 'expression':
        return this.evaluate(node, scope);
      case 'literal_value':
        return this.literal(node.children[0], scope);
      case 'template_expr':
        return this.template(node.children[0], scope);
      case 'collection_value':
        return this.collection(node.children[0], scope);
      case 'function_call':
        return this.call(node, scope);
      case 'for_expr':
        return this.forExpression(node.children[0], scope);
      case 'operation':
        return this.operation(node.children[0], scope);
      case 'conditional':
        return this.conditional(node, scope);
      default:
        return this.unknownAt(`${source.slice(node)} (not evaluated)`, node, scope);
    }
  }

  private literal(node: SyntaxNode | undefined, scope: Scope): TfValue {
    if (!node) return null;
    const text = scope.source.slice(node);
    switch (node.type) {
      case 'numeric_lit':
        return Number(text);
      case 'bool_lit':
        return text === 'true';
      case 'null_lit':
        return null;
      case 'string_lit':
        return scope.source.stringLiteral(node);
      default:
        return this.unknownAt(text, node, scope);
    }
  }

  /** Quoted templates and heredocs. Literal text is taken from the source between the parts (whitespace kept). */
  private template(node: SyntaxNode | undefined, scope: Scope): TfValue {
    if (!node) return null;
    const source = scope.source;
    const text = source.text;
    const heredoc = node.type === 'heredoc_template';
    let from: number;
    let to: number;
    let indent = 0;
    if (heredoc) {
      const ids = node.children.filter((c) => c.type === 'heredoc_identifier');
      const opener = ids[0];
      const closer = ids[ids.length - 1];
      const newline = text.indexOf('\n', opener ? opener.to : node.from);
      from = newline < 0 ? node.to : newline + 1;
      to = closer && closer !== opener ? text.lastIndexOf('\n', closer.from - 1) + 1 : node.to;
      if (to < from) to = from;
      if (source.slice(child(node, 'heredoc_start') ?? node).includes('-')) {
        // `<<-` strips the smallest indentation of the non-blank lines
        const lines = text
          .slice(from, to)
          .split('\n')
          .filter((l) => l.trim() !== '');
        indent = Math.min(...lines.map((l) => /^[ \t]*/.exec(l)![0].length), Infinity);
        if (!Number.isFinite(indent)) indent = 0;
      }
    } else {
      const start = child(node, 'quoted_template_start');
      const end = child(node, 'quoted_template_end');
      from = start ? start.to : node.from;
      to = end ? end.from : node.to;
    }
    const literal = (a: number, b: number): string => {
      let raw = text.slice(a, b);
      if (indent > 0) {
        const atLineStart = a === from || text[a - 1] === '\n';
        raw = raw.replace(/(^|\n)[ \t]*/g, (m, nl: string, offset: number) => {
          if (offset === 0 && !atLineStart) return m;
          return nl + m.slice(nl.length + Math.min(indent, m.length - nl.length));
        });
      }
      return heredoc ? raw.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') : unescapeQuoted(raw);
    };
    const parts: Array<string | TfValue> = [];
    let cursor = from;
    const inner = node.children.filter(
      (c) =>
        (c.type === 'template_interpolation' || c.type === 'template_directive' || c.error) &&
        c.from >= from &&
        c.to <= to,
    );
    for (const part of inner) {
      if (part.from > cursor) parts.push(literal(cursor, part.from));
      if (part.type === 'template_interpolation') {
        const expr = child(part, 'expression');
        const markers = part.children.filter((c) => c.type === 'strip_marker');
        const stripLeft = markers.some((m) => m.from < (expr?.from ?? part.to));
        const stripRight = markers.some((m) => m.from > (expr?.to ?? part.from));
        if (stripLeft && typeof parts[parts.length - 1] === 'string') {
          parts[parts.length - 1] = (parts[parts.length - 1] as string).replace(/\s+$/, '');
        }
        parts.push(expr ? this.evaluate(expr, scope) : null);
        cursor = part.to;
        if (stripRight) while (cursor < to && /\s/.test(text[cursor])) cursor++;
      } else {
        parts.push(this.unknownAt(`${source.slice(part)} (template directive)`, part, scope));
        cursor = part.to;
      }
    }
    if (cursor < to) parts.push(literal(cursor, to));
    // "${x}" alone is x itself, whatever its type
    if (!heredoc && parts.length === 1 && inner.length === 1 && inner[0].type === 'template_interpolation')
      return parts[0];
    return this.joinParts(parts, source.slice(node), this.origin(node, scope));
  }

  private joinParts(parts: TfValue[], expression: string, origin: FileOrigin): TfValue {
    const flat: Array<string | Unknown> = [];
    for (const p of parts) {
      if (typeof p === 'string') flat.push(p);
      else if (typeof p === 'number' || typeof p === 'boolean') flat.push(String(p));
      else if (p instanceof TfEncoded)
        flat.push(p.text ?? unknown(`${expression} (encoded value with unknown parts)`, origin));
      else if (isPartialText(p)) flat.push(...p.parts);
      else if (isUnknown(p)) flat.push(p);
      else flat.push(unknown(`${expression} (a ${p === null ? 'null' : 'collection'} in a string)`, origin));
    }
    if (flat.every((p): p is string => typeof p === 'string')) return flat.join('');
    const merged: Array<string | Unknown> = [];
    for (const p of flat) {
      if (typeof p === 'string' && typeof merged[merged.length - 1] === 'string')
        merged[merged.length - 1] += p;
      else merged.push(p);
    }
    const partial: PartialText = { unknown: true, expression, origin, parts: merged };
    return partial;
  }

  private collection(node: SyntaxNode | undefined, scope: Scope): TfValue {
    if (!node) return null;
    if (node.type === 'tuple') {
      const out: TfValue[] = [];
      setPosition(out, node.line);
      for (const item of node.children.filter((c) => c.type === 'expression')) {
        setPosition(out, item.line, out.length);
        out.push(this.evaluate(item, scope));
      }
      return out;
    }
    const out: TfObject = {};
    setPosition(out, node.line);
    for (const elem of node.children.filter((c) => c.type === 'object_elem')) {
      const exprs = elem.children.filter((c) => c.type === 'expression');
      if (exprs.length < 2) continue;
      const key = keyText(this.objectKey(exprs[0], scope));
      if (key === '__proto__') continue;
      out[key] = this.evaluate(exprs[1], scope);
      setPosition(out, elem.line, key);
    }
    return out;
  }

  /** A bare identifier key is its own name; anything else is an expression. */
  private objectKey(node: SyntaxNode | undefined, scope: Scope): TfValue {
    if (!node) return '';
    const kids = node.type === 'expression' ? node.children : [node];
    if (kids.length === 1 && kids[0].type === 'variable_expr') return scope.source.slice(kids[0]);
    return this.evaluate(node, scope);
  }

  private conditional(node: SyntaxNode, scope: Scope): TfValue {
    const exprs = node.children.filter((c) => c.type === 'expression');
    if (exprs.length < 3) return this.unknownAt(scope.source.slice(node), node, scope);
    const test = this.evaluate(exprs[0], scope);
    if (test === true) return this.evaluate(exprs[1], scope);
    if (test === false) return this.evaluate(exprs[2], scope);
    return this.unknownAt(scope.source.slice(node), node, scope);
  }

  private operation(node: SyntaxNode | undefined, scope: Scope): TfValue {
    if (!node) return null;
    const kids = node.children;
    const whole = () => this.unknownAt(scope.source.slice(node), node, scope);
    if (node.type === 'unary_operation') {
      const value = this.sequence(kids.slice(1), scope);
      if (kids[0].type === '!' && typeof value === 'boolean') return !value;
      if (kids[0].type === '-' && typeof value === 'number') return -value;
      return whole();
    }
    const at = kids.findIndex((k) => !k.named && BINARY_OPERATORS.has(k.type));
    if (at < 0) return whole();
    const op = kids[at].type;
    const left = this.sequence(kids.slice(0, at), scope);
    if (op === '&&' && left === false) return false;
    if (op === '||' && left === true) return true;
    const right = this.sequence(kids.slice(at + 1), scope);
    if (isUnknown(left) || isUnknown(right)) return whole();
    switch (op) {
      case '==':
        return encodeJson(left) === encodeJson(right);
      case '!=':
        return encodeJson(left) !== encodeJson(right);
      case '&&':
      case '||':
        return typeof left === 'boolean' && typeof right === 'boolean'
          ? op === '&&'
            ? left && right
            : left || right
          : whole();
      default:
        break;
    }
    if (typeof left !== 'number' || typeof right !== 'number') return whole();
    switch (op) {
      case '+':
        return left + right;
      case '-':
        return left - right;
      case '*':
        return left * right;
      case '/':
        return left / right;
      case '%':
        return left % right;
      case '>':
        return left > right;
      case '>=':
        return left >= right;
      case '<':
        return left < right;
      default:
        return left <= right;
    }
  }

  private forExpression(node: SyntaxNode | undefined, scope: Scope): TfValue {
    if (!node) return null;
    const whole = () => this.unknownAt(scope.source.slice(node), node, scope);
    const intro = child(node, 'for_intro');
    if (!intro) return whole();
    const names = intro.children.filter((c) => c.type === 'identifier').map((c) => scope.source.slice(c));
    const collectionNode = child(intro, 'expression');
    const collection = collectionNode ? this.evaluate(collectionNode, scope) : null;
    if (!Array.isArray(collection) && !isTfObject(collection)) return whole();
    const exprs = node.children.filter((c) => c.type === 'expression');
    const cond = child(node, 'for_cond');
    const condExpr = cond ? child(cond, 'expression') : undefined;
    const grouped = node.children.some((c) => c.type === 'ellipsis');
    const pairs: Array<[TfValue, TfValue]> = Array.isArray(collection)
      ? collection.map((v, i) => [i, v])
      : Object.entries(collection);
    const isObject = node.type === 'for_object_expr';
    const list: TfValue[] = [];
    const object: TfObject = {};
    for (const [k, v] of pairs) {
      const vars = new Map(scope.vars);
      if (names.length >= 2) {
        vars.set(names[0], k);
        vars.set(names[1], v);
      } else if (names[0] !== undefined) vars.set(names[0], v);
      const inner: Scope = { source: scope.source, vars };
      if (condExpr) {
        const keep = this.evaluate(condExpr, inner);
        if (isUnknown(keep)) return whole();
        if (keep !== true) continue;
      }
      if (!isObject) {
        list.push(exprs[0] ? this.evaluate(exprs[0], inner) : null);
        continue;
      }
      const key = exprs[0] ? this.evaluate(exprs[0], inner) : null;
      if (typeof key !== 'string') return whole();
      const value = exprs[1] ? this.evaluate(exprs[1], inner) : null;
      if (grouped) object[key] = [...((object[key] as TfValue[] | undefined) ?? []), value];
      else object[key] = value;
    }
    return isObject ? object : list;
  }

  // -- functions ---------------------------------------------------------------------------------------------

  private call(node: SyntaxNode, scope: Scope): TfValue {
    const name = scope.source.slice(node.children[0]);
    const argsNode = child(node, 'function_arguments');
    const argNodes = argsNode ? argsNode.children.filter((c) => c.type === 'expression') : [];
    const whole = (why = '') => this.unknownAt(`${scope.source.slice(node)}${why}`, node, scope);
    let args = argNodes.map((a) => this.evaluate(a, scope));
    if (argsNode?.children.some((c) => c.type === 'ellipsis')) {
      const last = args[args.length - 1];
      if (!Array.isArray(last)) return whole();
      args = [...args.slice(0, -1), ...last];
    }
    const known = args.every((a) => !isUnknown(a));
    const str = (v: TfValue): string | undefined =>
      typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    switch (name) {
      case 'jsonencode':
        return new TfEncoded('json', args[0] ?? null, encodeJson(args[0] ?? null));
      case 'yamlencode':
        return new TfEncoded('yaml', args[0] ?? null, undefined);
      case 'jsondecode': {
        const a = args[0];
        if (a instanceof TfEncoded) return a.value;
        if (typeof a !== 'string') return whole();
        try {
          return JSON.parse(a) as TfValue;
        } catch {
          return whole(' (not JSON)');
        }
      }
      case 'tolist':
      case 'toset':
      case 'tomap':
      case 'sensitive':
      case 'nonsensitive':
        return args[0] ?? null;
      case 'tostring': {
        const a = args[0];
        return isUnknown(a) ? a : (str(a ?? null) ?? whole());
      }
      case 'concat':
        if (!known || !args.every(Array.isArray)) return whole();
        return (args as TfValue[][]).flat();
      case 'flatten': {
        const flatten = (v: TfValue): TfValue[] => (Array.isArray(v) ? v.flatMap(flatten) : [v]);
        return Array.isArray(args[0]) ? flatten(args[0]) : whole();
      }
      case 'merge':
        if (!known || !args.every((a) => isTfObject(a) || a === null)) return whole();
        return Object.assign({}, ...(args as TfObject[]));
      case 'coalesce':
        for (const a of args) {
          if (isUnknown(a)) return whole();
          if (a !== null && a !== '') return a;
        }
        return whole(' (no non-empty argument)');
      case 'try':
        return args[0] !== undefined && !isUnknown(args[0]) ? args[0] : whole();
      case 'compact':
        return Array.isArray(args[0]) ? args[0].filter((v) => v !== null && v !== '') : whole();
      case 'distinct':
        return Array.isArray(args[0])
          ? args[0].filter((v, i, all) => isUnknown(v) || all.indexOf(v) === i)
          : whole();
      case 'length':
        if (Array.isArray(args[0])) return args[0].length;
        if (isTfObject(args[0])) return Object.keys(args[0]).length;
        return typeof args[0] === 'string' ? [...args[0]].length : whole();
      case 'lookup': {
        const [map, key, fallback] = args;
        if (!isTfObject(map) || typeof key !== 'string') return whole();
        return key in map ? map[key] : (fallback ?? whole(' (no such key)'));
      }
      case 'element': {
        const [list, index] = args;
        return Array.isArray(list) && typeof index === 'number' && list.length > 0
          ? list[index % list.length]
          : whole();
      }
      default:
        break;
    }
    if (!known) return whole();
    const s = args.map(str);
    switch (name) {
      case 'format':
      case 'join':
      case 'lower':
      case 'upper':
      case 'replace':
      case 'trimprefix':
      case 'trimsuffix':
      case 'trimspace':
      case 'split':
      case 'startswith':
      case 'endswith':
        break;
      default:
        return whole();
    }
    if (name === 'join') {
      const list = args[1];
      if (s[0] === undefined || !Array.isArray(list)) return whole();
      const items = list.map(str);
      return items.every((i) => i !== undefined) ? items.join(s[0]) : whole();
    }
    if (name === 'format') {
      if (s[0] === undefined) return whole();
      let i = 1;
      let ok = true;
      const out = s[0].replace(/%(%|[sdvq])/g, (m, verb: string) => {
        if (verb === '%') return '%';
        const a = s[i++];
        if (a === undefined) ok = false;
        return verb === 'q' ? JSON.stringify(a ?? '') : (a ?? '');
      });
      return ok ? out : whole();
    }
    if (s.some((a) => a === undefined)) return whole();
    const [a, b, c] = s as string[];
    switch (name) {
      case 'lower':
        return a.toLowerCase();
      case 'upper':
        return a.toUpperCase();
      case 'replace':
        if (b.length > 1 && b.startsWith('/') && b.endsWith('/')) {
          try {
            return a.replace(new RegExp(b.slice(1, -1), 'g'), c.replace(/\$\{?(\d+)\}?/g, '$$$1'));
          } catch {
            return whole();
          }
        }
        return a.split(b).join(c);
      case 'trimprefix':
        return a.startsWith(b) ? a.slice(b.length) : a;
      case 'trimsuffix':
        return b && a.endsWith(b) ? a.slice(0, -b.length) : a;
      case 'trimspace':
        return a.trim();
      case 'split':
        return b.split(a);
      case 'startswith':
        return a.startsWith(b);
      default:
        return a.endsWith(b);
    }
  }
}

function findHeredoc(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'heredoc_template') return node;
  if (node.type === 'function_call' || node.type === 'collection_value') return undefined;
  for (const c of node.children) {
    const found = findHeredoc(c);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point

/**
 * Reads the `.tf` files of one module directory (locals and resources may be split across files) into Snapshot
 * facts. Never throws: a file that does not parse becomes a `parse-error` notice and the other files are still read.
 */
export async function readTerraformModule(files: SourceFile[]): Promise<Snapshot> {
  const snapshot = emptySnapshot(['S']);
  if (files.length === 0) return snapshot;
  let parser: Parser;
  try {
    parser = await hclParser();
  } catch (error) {
    for (const f of files) {
      snapshot.notices.push({
        kind: 'skipped',
        file: f.file,
        message: `the HCL parser could not start: ${String(error)}`,
      });
    }
    return snapshot;
  }
  const parsed: ParsedHcl[] = [];
  for (const f of files) {
    const notice = await parseOne(parser, f, parsed);
    if (notice) snapshot.notices.push(notice);
  }
  try {
    const dir = moduleDirectory(files);
    const evaluator = new ModuleEvaluator(parsed, `tf:${dir}:`);
    const resources = moduleResources(evaluator);
    const mapped = mapTerraformResources(resources, {
      idOf: (r) => `tf:${dir}:${r.address}`,
      env: evaluator.env,
    });
    mapped.notices.unshift(...snapshot.notices);
    return mapped;
  } catch (error) {
    // A defect of the evaluator must not hide the rest of the scan: report it against the module's files.
    for (const f of parsed) {
      snapshot.notices.push({
        kind: 'skipped',
        file: f.file,
        message: `could not evaluate Terraform: ${String(error)}`,
      });
    }
    return snapshot;
  }
}

async function parseOne(parser: Parser, f: SourceFile, into: ParsedHcl[]): Promise<SourceNotice | undefined> {
  let tree: Tree | null = null;
  try {
    tree = parser.parse(f.text);
    if (!tree) return { kind: 'parse-error', file: f.file, message: 'the HCL parser returned no tree' };
    const root = copyTree(tree);
    if (tree.rootNode.hasError) {
      const confirmed = await confirmSyntaxError(f.file, f.text);
      if (confirmed) {
        const at = firstError(root);
        const line = confirmed.line ?? at?.line;
        return {
          kind: 'parse-error',
          file: f.file,
          ...(line !== undefined ? { line } : {}),
          message: confirmed.message,
        };
      }
    }
    into.push({ file: f.file, text: f.text, root });
    return undefined;
  } catch (error) {
    if (error instanceof TooDeepError) return { kind: 'parse-error', file: f.file, message: error.message };
    return { kind: 'parse-error', file: f.file, message: `could not parse HCL: ${String(error)}` };
  } finally {
    tree?.delete();
  }
}

function moduleDirectory(files: SourceFile[]): string {
  return posix.dirname(files[0].file.replace(/\\/g, '/'));
}

/** Every instance of every managed resource, with the lines and references of its attributes. */
function moduleResources(evaluator: ModuleEvaluator): TfResource[] {
  const out: TfResource[] = [];
  for (const [, d] of evaluator.declarations) {
    if (d.mode !== 'managed') continue;
    for (const instance of evaluator.instances(d)) {
      const rec: Recorder = { lines: new Map(), refs: new Map(), textLines: new Map() };
      const line = d.block.node.line;
      const address = `${d.type}.${d.name}${instance.suffix}`;
      const values = evaluator.evaluateBody(d.source, d.items, instance.scope, line, '', rec);
      const origin = fileOrigin(d.source.file, line, address);
      const resource: TfResource = {
        address,
        module: '',
        mode: d.mode,
        type: d.type,
        name: d.name,
        values,
        origin,
        refs: (path) => rec.refs.get(path) ?? [],
        at: (path) => {
          // the nearest recorded line: `a.0.b.c` → `a.0.b` → `a.0` → `a`
          for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
            const l = rec.lines.get(p);
            if (l !== undefined) return fileOrigin(d.source.file, l, `${address}.${path}`);
          }
          return origin;
        },
        textLine: (path) => rec.textLines.get(path),
      };
      out.push(resource);
    }
  }
  return out;
}
