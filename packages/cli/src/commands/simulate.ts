import { createReadStream, promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
// The evaluator's module alone, not the core's index (sources, parsers, rules): see COMMANDS in main.ts.
import {
  simulate,
  simulateLine,
  SimulationInputError,
  type SimulationCase,
} from '@efs-node-identity/core/dist/simulate';
import { LineSplitter } from '../lines';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io';

export const SIMULATE_HELP = `Usage: efs-node-identity simulate [options]
       efs-node-identity simulate --cases FILE|-

May this role mount this file system with these mount options, and which statement decides?

One question from flags:
  --principal ARN                 the node role (omit for an anonymous client)
  --action ACTION                 elasticfilesystem:ClientMount (default), ClientWrite, ClientRootAccess
  --file-system ARN               the file system ARN
  --identity-policy FILE          an identity policy of the role (repeatable)
  --file-system-policy FILE       the file system policy (omit: the file system has none)
  --mount-options LIST            effective mount options, comma-separated (default: tls,iam)
  --access-point ARN              the access point of the volume
  --semantics strict|documented   how identity and file system Allows combine (default: strict)

Many questions: --cases FILE (or - for stdin), one JSON object per line with the fields
principal, action, fileSystem, identityPolicies, fileSystemPolicy, mountOptions, accessPoint, semantics;
prints one JSON line per question, in order: {"decision": "allow"|"explicitDeny"|"implicitDeny", "trace": [...]}.

Exit codes: 0 allowed (or --cases answered), 1 denied, 2 usage error or an invalid question.
`;

export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      cases: { type: 'string' },
      principal: { type: 'string' },
      action: { type: 'string', default: 'elasticfilesystem:ClientMount' },
      'file-system': { type: 'string' },
      'identity-policy': { type: 'string', multiple: true, default: [] },
      'file-system-policy': { type: 'string' },
      'mount-options': { type: 'string', default: 'tls,iam' },
      'access-point': { type: 'string' },
      semantics: { type: 'string', default: 'strict' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(SIMULATE_HELP);
    return EXIT_OK;
  }
  if (values.cases !== undefined) return simulateCases(values.cases, io);
  if (!values['file-system']) throw new UsageError('--file-system is required (or --cases FILE)');
  const question: SimulationCase = {
    principal: values.principal ?? null,
    action: values.action as string,
    fileSystem: values['file-system'],
    identityPolicies: await Promise.all((values['identity-policy'] as string[]).map(readPolicyFile)),
    fileSystemPolicy: values['file-system-policy']
      ? await readPolicyFile(values['file-system-policy'])
      : null,
    mountOptions: (values['mount-options'] as string)
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    accessPoint: values['access-point'] ?? null,
    semantics: values.semantics as 'strict' | 'documented',
  };
  let answer;
  try {
    answer = simulate(question);
  } catch (error) {
    if (error instanceof SimulationInputError) throw new UsageError(error.message);
    throw error;
  }
  io.stdout(`${answer.decision}\n`);
  for (const step of answer.trace) {
    io.stdout(`  ${step.outcome.padEnd(8)} ${step.message}${step.location ? ` (${step.location})` : ''}\n`);
  }
  return answer.decision === 'allow' ? EXIT_OK : EXIT_FINDINGS;
}

async function readPolicyFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads JSON lines and answers each in order, streaming: a line is answered as soon as it is complete, so memory stays
 * flat however long the input. A bad line gets an {"error"} line and exit code 2 at the end.
 */
async function simulateCases(source: string, io: CliIo): Promise<number> {
  let input: AsyncIterable<string | Buffer>;
  if (source === '-') input = io.stdin();
  else {
    try {
      await fs.access(source);
    } catch (error) {
      throw new UsageError(
        `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    input = createReadStream(source, { highWaterMark: 1 << 20 });
  }
  let failed = false;
  let lineNumber = 0;
  // Answers without their newline: joined with one when written, which saves a string per answer.
  const out: string[] = [];
  const flush = () => {
    if (out.length === 0) return;
    out.push('');
    io.stdout(out.join('\n'));
    out.length = 0;
  };
  const lines = new LineSplitter((line) => {
    lineNumber++;
    if (line.trim() === '') return;
    try {
      out.push(simulateLine(line));
    } catch (error) {
      if (!(error instanceof SyntaxError) && !(error instanceof SimulationInputError)) throw error;
      failed = true;
      const reason = error instanceof SyntaxError ? `not valid JSON: ${error.message}` : error.message;
      out.push(JSON.stringify({ error: `line ${lineNumber}: ${reason}` }));
    }
  });
  for await (const chunk of input) {
    lines.push(chunk);
    flush();
  }
  lines.end();
  flush();
  return failed ? EXIT_USAGE : EXIT_OK;
}
