import { EXIT_OK, EXIT_USAGE, terminalSafe, UsageError, type CliIo } from './io';
import { VERSION } from './version';

export const HELP = `efs-node-identity ${VERSION}
Provision and verify a dedicated IAM identity for the Amazon EFS CSI driver's node component on Amazon EKS.

Usage: efs-node-identity <command> [options]

Commands:
  check [PATH…]    check infrastructure files (policies, manifests, Helm values, Terraform, CloudFormation)
  verify           read a live EKS cluster and its file systems (AWS + Kubernetes APIs) and run the same rules
  plan             print the steps that would converge a live cluster to the desired node identity (read-only)
  apply            run those steps (after a confirmation, or --yes), journaling each previous value, then verify
  rollback         restore what an apply changed, from its journal (--journal FILE)
  render           write the desired node identity as Terraform, CloudFormation, Kubernetes and policy JSON
  simulate         ask the evaluator whether a role may mount a file system, and which statement decides
  sandbox          serve an in-memory AWS account and EKS cluster on 127.0.0.1, seeded from a scenario

Run efs-node-identity <command> --help for the options of a command.
Options: -h, --help   this help;  -V, --version   print the version
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

/**
 * Each command is loaded when it runs: the core with its sources and parsers, the AWS SDK and client-node are
 * needed by some commands only, and loading all of them cost `simulate --cases` more start time than it needs to
 * answer thousands of questions.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./commands/check')).checkCommand,
  verify: async () => (await import('./commands/verify')).verifyCommand,
  plan: async () => (await import('./commands/plan')).planCommand,
  apply: async () => (await import('./commands/apply')).applyCommand,
  rollback: async () => (await import('./commands/apply')).rollbackCommand,
  render: async () => (await import('./commands/render')).renderCommand,
  simulate: async () => (await import('./commands/simulate')).simulateCommand,
  sandbox: async () => (await import('./commands/sandbox')).sandboxCommand,
};

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '-V' || command === '--version') {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const load = COMMANDS[command];
  if (!load) {
    io.stderr(`efs-node-identity: unknown command "${terminalSafe(command)}"\n\n${HELP}`);
    return EXIT_USAGE;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (error) {
    const err = error as Error & { code?: string };
    if (error instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(
        `efs-node-identity ${command}: ${terminalSafe(err.message)}\nRun efs-node-identity ${command} --help for usage.\n`,
      );
      return EXIT_USAGE;
    }
    const { ConfigError, InputPathError } = await import('@efs-node-identity/core');
    if (error instanceof ConfigError || error instanceof InputPathError) {
      io.stderr(`efs-node-identity ${command}: ${terminalSafe(err.message)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`efs-node-identity ${command}: internal error: ${terminalSafe(err.message)}\n`);
    if (io.env.EFS_NODE_IDENTITY_DEBUG) io.stderr(`${err.stack}\n`);
    return EXIT_USAGE;
  }
}
