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

// One cache per case mode, keyed by the pattern itself: building a `mode + pattern` key on every call cost more than
// the match.
const globCaches = { sensitive: new Map<string, RegExp>(), insensitive: new Map<string, RegExp>() };

/**
 * IAM wildcard match: `*` any run of characters, `?` one character. Actions compare case-insensitively,
 * resources and ARNs case-sensitively.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === value) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : false;
  }
  const cache = ignoreCase ? globCaches.insensitive : globCaches.sensitive;
  let regex = cache.get(pattern);
  if (!regex) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex.test(value);
}

/**
 * How `arnLike` reads one pattern, computed once: a pattern without wildcards matches only itself; one with at
 * least six colon-separated fields becomes a regex whose wildcards stay inside their field for the first five
 * (a value with fewer than six fields cannot match such a pattern: it lacks the pattern's five literal colons).
 */
type ArnMatcher = { kind: 'exact' } | { kind: 'glob' } | { kind: 'regex'; regex: RegExp };
const arnCache = new Map<string, ArnMatcher>();

function arnMatcher(pattern: string): ArnMatcher {
  let matcher = arnCache.get(pattern);
  if (matcher) return matcher;
  const p = pattern.split(':');
  if (!pattern.includes('*') && !pattern.includes('?')) matcher = { kind: 'exact' };
  else if (p.length < 6) matcher = { kind: 'glob' };
  else {
    const escape = (c: string) => c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
    const field = (text: string, wildcard: string, single: string) =>
      text
        .split('')
        .map((c) => (c === '*' ? wildcard : c === '?' ? single : escape(c)))
        .join('');
    const head = p.slice(0, 5).map((f) => field(f, '[^:]*', '[^:]'));
    const rest = field(p.slice(5).join(':'), '.*', '.');
    matcher = { kind: 'regex', regex: new RegExp(`^${head.join(':')}:${rest}$`, 's') };
  }
  if (arnCache.size > 10_000) arnCache.clear();
  arnCache.set(pattern, matcher);
  return matcher;
}

/** ARN match with wildcards allowed per colon-separated field, as `ArnLike` does. */
export function arnLike(pattern: string, value: string): boolean {
  // Same answers as comparing the first five fields one by one and then the rest (see arnMatcher), without
  // splitting both strings on every call.
  const matcher = arnMatcher(pattern);
  if (matcher.kind === 'exact') return pattern === value;
  if (matcher.kind === 'glob') return globMatch(pattern, value);
  return matcher.regex.test(value);
}
