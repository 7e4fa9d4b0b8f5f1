import type { InlineSuppression } from '../model/snapshot';

const MARKER = /(?:#|\/\/)\s*efs-node-identity:ignore\s+(.*)$/;
const RULE_ID = /^[A-Z0-9]+-\d{2}$/;

/**
 * Finds `# efs-node-identity:ignore FS-05 reason="…" until=2027-01-31` comments (also `//` in HCL). A comment
 * covers the next non-comment line and, when that line opens a block, the whole block, so it can sit above a
 * resource, a YAML document or a single key.
 */
export function findInlineSuppressions(
  file: string,
  text: string,
  style: 'yaml' | 'hcl',
): InlineSuppression[] {
  if (!text.includes('efs-node-identity:ignore')) return [];
  const lines = text.split(/\r?\n/);
  const out: InlineSuppression[] = [];
  lines.forEach((content, index) => {
    const match = MARKER.exec(content);
    if (!match) return;
    const { rules, reason, until } = parseDirective(match[1]);
    const target = nextContentLine(lines, index + 1, style);
    const from = target ?? index;
    const to = target === undefined ? index : blockEnd(lines, target, style);
    const commentOnly = /^\s*(#|\/\/)/.test(content);
    for (const ruleId of rules) {
      out.push({
        ruleId,
        ...(reason !== undefined ? { reason } : {}),
        ...(until !== undefined ? { until } : {}),
        file,
        line: index + 1,
        // A trailing comment covers its own line; a comment on its own line covers what follows.
        fromLine: commentOnly ? from + 1 : index + 1,
        toLine: commentOnly ? to + 1 : index + 1,
      });
    }
  });
  return out;
}

function parseDirective(rest: string): { rules: string[]; reason?: string; until?: string } {
  const reason = /reason\s*=\s*"([^"]*)"/.exec(rest)?.[1] ?? /reason\s*=\s*'([^']*)'/.exec(rest)?.[1];
  const until = /until\s*=\s*"?(\S+?)"?(?:\s|$)/.exec(rest)?.[1];
  const head = rest.replace(/\b(reason|until)\s*=.*$/, '');
  const rules = head
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter((r) => RULE_ID.test(r));
  return {
    rules,
    ...(reason !== undefined && reason.trim() !== '' ? { reason } : {}),
    ...(until ? { until } : {}),
  };
}

function isComment(line: string): boolean {
  return /^\s*(#|\/\/)/.test(line) || line.trim() === '';
}

function nextContentLine(lines: string[], start: number, _style: 'yaml' | 'hcl'): number | undefined {
  for (let i = start; i < lines.length; i++) if (!isComment(lines[i])) return i;
  return undefined;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The last line of the block that starts at `start` (0-based), by indentation. */
function blockEnd(lines: string[], start: number, style: 'yaml' | 'hcl'): number {
  const first = lines[start];
  const indent = indentOf(first);
  const startsDocument =
    style === 'yaml' &&
    indent === 0 &&
    (start === 0 || lines.slice(0, start).every((l) => isComment(l) || l.startsWith('---')));
  let end = start;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (style === 'yaml' && line.startsWith('---')) break;
    if (isComment(line)) continue;
    if (startsDocument) {
      end = i;
      continue;
    }
    const deeper =
      indentOf(line) > indent ||
      (style === 'yaml' &&
        line.trimStart().startsWith('- ') &&
        indentOf(line) === indent &&
        first.trimEnd().endsWith(':'));
    if (deeper) end = i;
    else if (style === 'hcl' && indentOf(line) === indent && /^\s*[\]})]/.test(line)) {
      end = i;
      break;
    } else break;
  }
  return end;
}
