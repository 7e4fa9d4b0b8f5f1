import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../model/finding';
import { describeOrigin } from '../model/origin';
import { SOURCE_RULES } from '../rules/engine';
import { ALL_RULES } from '../rules/catalog';
import { locationOf, type CheckReport } from './result';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/**
 * A fingerprint that survives unrelated edits: rule, file, resource and the message with line numbers removed, so
 * code scanning keeps one alert per problem across runs.
 */
export function fingerprint(finding: Finding): string {
  const { file } = locationOf(finding);
  const message = finding.message.replace(/:\d+\b/g, ':*');
  return createHash('sha256')
    .update([finding.ruleId, file ?? '', finding.resource ?? '', message].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

/** SARIF 2.1.0, for GitHub code scanning and other viewers. */
export function toSarif(report: CheckReport) {
  const catalog = [
    ...ALL_RULES.map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
    ...Object.entries(SOURCE_RULES).map(([id, r]) => ({ id, title: r.title, severity: r.severity })),
  ];
  const rules = catalog;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace('-', ''),
              shortDescription: { text: r.title },
              fullDescription: { text: `${r.title}. See docs/rules/${r.id}.md.` },
              help: {
                text: `${r.title}. How to fix: see docs/rules/${r.id}.md.`,
                markdown: `**${r.title}**\n\nWhat it checks, why it matters and how to fix it: [docs/rules/${r.id}.md](docs/rules/${r.id}.md).`,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { tags: ['efs', 'eks', 'iam'] },
            })),
          },
        },
        originalUriBaseIds: {
          SRCROOT: { uri: 'file:///' + report.root.replace(/^\/+/, '').replace(/\/?$/, '/') },
        },
        results: report.findings.map((f) => {
          const { file, line } = locationOf(f);
          return {
            ruleId: f.ruleId,
            ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
            level: LEVEL[f.severity],
            message: { text: f.fix ? `${f.message}\n\nFix: ${f.fix}` : f.message },
            locations: file
              ? [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: file, uriBaseId: 'SRCROOT' },
                      region: { startLine: line ?? 1 },
                    },
                  },
                ]
              : f.origin
                ? [
                    // A live finding has no file: SARIF's logical location names the AWS resource (ARN) or the
                    // Kubernetes object it is about (SARIF 2.1.0 §3.33 logicalLocation, fullyQualifiedName).
                    {
                      logicalLocations: [
                        {
                          fullyQualifiedName: describeOrigin(f.origin),
                          kind: f.origin.kind === 'aws' ? 'resource' : 'object',
                        },
                      ],
                    },
                  ]
                : [],
            partialFingerprints: { 'efsNodeIdentity/v1': fingerprint(f) },
            ...(f.undecidable ? { properties: { undecidable: true } } : {}),
          };
        }),
      },
    ],
  };
}

export function renderSarif(report: CheckReport): string {
  return JSON.stringify(toSarif(report), null, 2) + '\n';
}
