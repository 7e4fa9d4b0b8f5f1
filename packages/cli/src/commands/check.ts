import { parseArgs } from 'node:util';
import {
  countBySeverity,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderText,
  runCheck,
} from '@efs-node-identity/core';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliIo } from '../io';
import { VERSION } from '../version';

export const CHECK_HELP = `Usage: efs-node-identity check [PATH…] [options]

Checks infrastructure files (IAM policy JSON, Kubernetes YAML, Helm values, Terraform, CloudFormation/CDK) for
the EFS CSI node identity and prints the findings.

Options:
  --format text|json|sarif|markdown   output format (default: text on a terminal, json otherwise)
  --config FILE                       config file (default: .efs-node-identity.yaml in the scanned directory)
  --fail-on error|warning|never       exit 1 when a finding of this severity or worse remains (default: error)
  --verbose                           print the evaluator trace under each finding (text format)
  -h, --help                          show this help

Exit codes: 0 no findings at the --fail-on level, 1 findings at that level, 2 usage or internal error.
`;

const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
const FAIL_ON = ['error', 'warning', 'never'] as const;

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      config: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(CHECK_HELP);
    return EXIT_OK;
  }
  const format = values.format ?? (io.isTTY ? 'text' : 'json');
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  const failOn = values['fail-on'] as string;
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')} (got "${failOn}")`);
  }
  const report = await runCheck(positionals.length > 0 ? positionals : [io.cwd], {
    version: VERSION,
    ...(values.config ? { configPath: values.config } : {}),
  });
  switch (format) {
    case 'json':
      io.stdout(renderJson(report));
      break;
    case 'sarif':
      io.stdout(renderSarif(report));
      break;
    case 'markdown':
      io.stdout(renderMarkdown(report));
      break;
    default:
      io.stdout(renderText(report, { color: io.isTTY && !io.env.NO_COLOR, verbose: values.verbose }));
  }
  const counts = countBySeverity(report.findings);
  if (failOn === 'error' && counts.errors > 0) return EXIT_FINDINGS;
  if (failOn === 'warning' && counts.errors + counts.warnings > 0) return EXIT_FINDINGS;
  return EXIT_OK;
}
