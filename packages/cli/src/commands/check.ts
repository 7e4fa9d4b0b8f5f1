import { parseArgs } from 'node:util';
import { runCheck } from '@efs-node-identity/core';
import { EXIT_OK, type CliIo } from '../io';
import { exitCodeFor, printReport, reportOptions } from '../report-output';
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
  const { format, failOn } = reportOptions(values.format, values['fail-on'] as string, io);
  const report = await runCheck(positionals.length > 0 ? positionals : [io.cwd], {
    version: VERSION,
    ...(values.config ? { configPath: values.config } : {}),
  });
  printReport(report, format, io, values.verbose);
  return exitCodeFor(report, failOn);
}
