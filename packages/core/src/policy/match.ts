/** Three-valued logic: a value that depends on an unknown input is neither true nor false. */
export type Tri = true | false | 'unknown';

export function triOr(values: Iterable<Tri>): Tri {
  let sawUnknown = false;
  for (const v of values) {
    if (v === true) return true;
    if (v === 'unknown') sawUnknown = true;
  }
  return sawUnknown ? 'unknown' : false;
}

export function triAnd(values: Iterable<Tri>): Tri {
  let sawUnknown = false;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') sawUnknown = true;
  }
  return sawUnknown ? 'unknown' : true;
}

export function triNot(value: Tri): Tri {
  return value === 'unknown' ? 'unknown' : !value;
}

// Compiled patterns, one cache per case mode, keyed by the pattern itself.
const globCaches = { sensitive: new Map<string, RegExp>(), insensitive: new Map<string, RegExp>() };

/**
 * IAM wildcard match: `*` any run of characters, `?` one character. Actions compare case-insensitively,
 * resources and ARNs case-sensitively.
 *
 * A pattern is input (a policy someone wrote). Compiled to a regular expression, `a*a*a*…b` becomes `^a.*a.*a.*…b$`,
 * which backtracks polynomially in the number of stars, and a long pattern overflows the regex compiler's stack.
 * So only short patterns with at most two runs of stars (nearly every real one: `elasticfilesystem:Client*`,
 * `arn:aws:…:file-system/*`) use a cached regular expression, the fast path; any other runs through the greedy
 * matcher below, which keeps one restart point (the last `*`) and takes at most pattern × value steps.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === value) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : false;
  }
  const cache = ignoreCase ? globCaches.insensitive : globCaches.sensitive;
  let regex = cache.get(pattern);
  if (!regex) {
    if (!isSimplePattern(pattern))
      return ignoreCase
        ? wildcardMatch(pattern.toLowerCase(), value.toLowerCase())
        : wildcardMatch(pattern, value);
    const source = pattern
      .replace(/\*+/g, '*')
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex.test(value);
}

/** At most 2,048 characters and two runs of `*`: its regular expression backtracks at most quadratically. */
function isSimplePattern(pattern: string): boolean {
  return pattern.length <= 2048 && (pattern.match(/\*+/g)?.length ?? 0) <= 2;
}

function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1; // position in the pattern just after the last `*`
  let resume = 0; // position in the value that `*` has absorbed up to
  while (v < value.length) {
    const c = pattern[p];
    if (c === '*') {
      while (pattern[p] === '*') p++; // a run of stars is one star
      if (p === pattern.length) return true;
      star = p;
      resume = v;
    } else if (c !== undefined && (c === '?' || c === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

const arnCache = new Map<string, RegExp>();

/**
 * `ArnLike`: wildcards stay inside their field for the first five colon-separated fields (partition, service,
 * region, account) and run freely in the resource part. A pattern with fewer than six fields is a plain glob. Since
 * the first five fields of the pattern hold no colon, the value splits the same way: its first five fields, then
 * the rest.
 */
function arnFieldsMatch(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  if (p.length < 6) return globMatch(pattern, value);
  const v = value.split(':');
  if (v.length < 6) return false;
  for (let i = 0; i < 5; i++) if (!globMatch(p[i]!, v[i]!)) return false;
  return globMatch(p.slice(5).join(':'), v.slice(5).join(':'));
}

/** ARN match with wildcards allowed per colon-separated field, as `ArnLike` does. */
export function arnLike(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  const p = pattern.split(':');
  if (p.length < 6) return globMatch(pattern, value);
  if (!isSimplePattern(pattern)) return arnFieldsMatch(pattern, value);
  // The fast path, as in globMatch: one cached expression whose first five fields cannot cross a colon.
  let regex = arnCache.get(pattern);
  if (!regex) {
    const field = (text: string, wildcard: string, single: string) =>
      text
        .replace(/\*+/g, '*')
        .split('')
        .map((c) => (c === '*' ? wildcard : c === '?' ? single : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
        .join('');
    const head = p.slice(0, 5).map((f) => field(f, '[^:]*', '[^:]'));
    regex = new RegExp(`^${head.join(':')}:${field(p.slice(5).join(':'), '.*', '.')}$`, 's');
    if (arnCache.size > 10_000) arnCache.clear();
    arnCache.set(pattern, regex);
  }
  return regex.test(value);
}
