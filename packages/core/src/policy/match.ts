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

/**
 * IAM wildcard match: `*` any run of characters, `?` one character. Actions compare case-insensitively,
 * resources and ARNs case-sensitively.
 *
 * No regular expression: a pattern is input (a policy someone wrote), and a pattern such as `a*a*a*…b` compiled to
 * `^a.*a.*a.*…b$` backtracks polynomially in the number of stars, and a long one overflows the regex compiler's stack.
 * The greedy matcher below keeps one restart point (the last `*`), which is enough because a later `*` can absorb
 * whatever an earlier one would have: at most pattern length × value length steps, usually one pass.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === value) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : false;
  }
  return ignoreCase
    ? wildcardMatch(pattern.toLowerCase(), value.toLowerCase())
    : wildcardMatch(pattern, value);
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
  return arnFieldsMatch(pattern, value);
}
