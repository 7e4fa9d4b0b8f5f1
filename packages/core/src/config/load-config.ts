import { z } from 'zod';
import { parseLocatedYaml, LocatedParseError } from '../util/located';
import { defaultConfig, type Config } from './config';

const RULE_ID = /^[A-Z0-9]+-\d{2}$/;
const severity = z.enum(['error', 'warning', 'info']);

const schema = z
  .object({
    efsPolicySemantics: z.enum(['strict', 'documented']).optional(),
    nodeServiceAccount: z
      .object({ namespace: z.string().min(1).default('kube-system'), name: z.string().min(1) })
      .strict()
      .optional(),
    severities: z
      .record(z.string().regex(RULE_ID, 'a rule ID such as FS-05'), z.union([severity, z.literal('off')]))
      .optional(),
    undecidableSeverity: severity.optional(),
    suppressions: z
      .array(
        z
          .object({
            rule: z.string().regex(RULE_ID, 'a rule ID such as FS-05'),
            resource: z.string().min(1).optional(),
            reason: z.string().optional(),
            until: z
              .union([z.string(), z.date()])
              .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
              .optional(),
          })
          .strict(),
      )
      .optional(),
    allowlists: z
      .object({ nodeInstanceRolePolicies: z.array(z.string()).optional() })
      .strict()
      .optional(),
  })
  .strict();

/** The repository config file is unusable: the message names the file, the line and the setting. */
export class ConfigError extends Error {}

/** Reads `.efs-node-identity.yaml` text into a Config with defaults. `file` is used in messages and suppressions. */
export function parseConfig(text: string, file: string): Config {
  let document;
  try {
    document = parseLocatedYaml(text)[0];
  } catch (error) {
    const line = error instanceof LocatedParseError && error.line ? `:${error.line}` : '';
    throw new ConfigError(`${file}${line}: not valid YAML: ${(error as Error).message}`);
  }
  const config = defaultConfig();
  config.file = file;
  if (!document || document.value === null) return config;
  const result = schema.safeParse(document.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const pathText = issue.path.join('.');
    let line: number | undefined;
    let container: unknown = document.value;
    for (const key of issue.path) {
      if (container && typeof container === 'object') {
        line = document.lineOf(container as object, key as string | number) ?? line;
        container = (container as Record<string | number, unknown>)[key as string | number];
      }
    }
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: ${pathText || 'the file'}: ${issue.message}`);
  }
  const value = result.data;
  if (value.efsPolicySemantics) config.efsPolicySemantics = value.efsPolicySemantics;
  if (value.nodeServiceAccount) config.nodeServiceAccount = value.nodeServiceAccount;
  if (value.severities) config.severities = value.severities;
  if (value.undecidableSeverity) config.undecidableSeverity = value.undecidableSeverity;
  if (value.allowlists?.nodeInstanceRolePolicies) {
    config.allowlists.nodeInstanceRolePolicies = value.allowlists.nodeInstanceRolePolicies;
  }
  const list = (document.value as { suppressions?: object[] }).suppressions;
  config.suppressions = (value.suppressions ?? []).map((s, index) => ({
    ...s,
    ...(list && document.lineOf(list, index) ? { line: document.lineOf(list, index) } : {}),
  }));
  return config;
}
