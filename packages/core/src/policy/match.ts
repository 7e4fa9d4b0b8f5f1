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

const globCache = new Map<string, RegExp>();

/**
 * IAM wildcard match: `*` any run of characters, `?` one character. Actions compare case-insensitively,
 * resources and ARNs case-sensitively.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const cacheKey = (ignoreCase ? 'i:' : 's:') + pattern;
  let regex = globCache.get(cacheKey);
  if (!regex) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(cacheKey, regex);
  }
  return regex.test(value);
}

/** ARN match with wildcards allowed per colon-separated field, as `ArnLike` does. */
export function arnLike(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return globMatch(pattern, value);
  // The resource part may itself contain colons: compare the first five fields one by one, then the rest.
  for (let i = 0; i < 5; i++) if (!globMatch(p[i], v[i])) return false;
  return globMatch(p.slice(5).join(':'), v.slice(5).join(':'));
}
