import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  parseDesiredSpec,
  parseDesiredSpecFile,
  RENDER_FORMATS,
  renderArtifacts,
  RenderError,
  SpecError,
  type RenderFormat,
} from '@efs-node-identity/core';
import { EXIT_OK, UsageError, type CliIo } from '../io';
import { fileSystemFlag } from './plan';

export const RENDER_HELP = `Usage: efs-node-identity render --cluster NAME --region R [options]
       efs-node-identity render --spec FILE [options]

Writes the desired node identity as GitOps artifacts that check passes: Terraform HCL, a CloudFormation template,
Kubernetes manifests and IAM policy JSON. Nothing is read from or written to AWS.

Options:
  --cluster NAME                       the EKS cluster
  --region R                           its region
  --mode pod-identity|irsa             how the node ServiceAccount gets the role (default: pod-identity)
  --file-system [s3files:]fs-…[:read|write|root]
                                       a file system the nodes mount (s3files: an Amazon S3 Files file system),
                                       with its access (repeatable; default write)
  --role-name N                        the node role's name (default: <cluster>-efs-csi-node)
  --target-role-arn ARN                Pod Identity: the role in the file system account to chain into
  --spec FILE                          the desired spec as YAML or JSON (instead of the flags above)
  --format terraform|cloudformation|kubernetes|json|all   what to write (default: all)
  --account-id ID                      the cluster's AWS account (without it: a variable in Terraform, the stack's
                                       account in CloudFormation; json, and kubernetes in irsa mode, need it)
  --oidc-issuer URL                    irsa: the cluster's OIDC issuer (without it: a variable / a marked placeholder)
  --out DIR                            write the files under DIR (default: print them, each after "# --- <path>")
  --force                              overwrite files that exist under --out
  -h, --help                           show this help

Terraform and CloudFormation are alternatives: apply one of them. The file system policy statement is never
written as a resource that would replace a whole policy: merge it by Sid (efs-node-identity apply does).

Exit codes: 0 rendered, 2 usage error (invalid spec, a file exists without --force).
`;

export async function renderCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      cluster: { type: 'string' },
      region: { type: 'string' },
      mode: { type: 'string' },
      'file-system': { type: 'string', multiple: true, default: [] },
      'role-name': { type: 'string' },
      'target-role-arn': { type: 'string' },
      spec: { type: 'string' },
      format: { type: 'string', default: 'all' },
      'account-id': { type: 'string' },
      'oidc-issuer': { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(RENDER_HELP);
    return EXIT_OK;
  }
  const format = values.format as string;
  if (!(RENDER_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${RENDER_FORMATS.join(', ')} (got "${format}")`);
  }
  const fileSystemFlags = values['file-system'] as string[];
  const specFlags = [
    values.cluster,
    values.region,
    values.mode,
    values['role-name'],
    values['target-role-arn'],
  ];
  let spec;
  try {
    if (values.spec !== undefined) {
      if (specFlags.some((v) => v !== undefined) || fileSystemFlags.length > 0) {
        throw new UsageError('--spec and the spec flags (--cluster, --file-system, …) exclude each other');
      }
      const file = path.resolve(io.cwd, values.spec);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${values.spec}: ${(error as NodeJS.ErrnoException).code ?? ''}`);
      }
      spec = parseDesiredSpecFile(text, values.spec);
    } else {
      if (!values.cluster) throw new UsageError('--cluster is required (or --spec FILE)');
      if (!values.region) throw new UsageError('--region is required (or --spec FILE)');
      if (fileSystemFlags.length === 0) throw new UsageError('at least one --file-system fs-… is required');
      // The values go to the spec parser as they are: it refuses malformed IDs, names and ARNs, naming the field.
      spec = parseDesiredSpec(
        {
          cluster: values.cluster,
          region: values.region,
          ...(values.mode !== undefined ? { mode: values.mode } : {}),
          ...(values['role-name'] !== undefined ? { roleName: values['role-name'] } : {}),
          ...(values['target-role-arn'] !== undefined ? { targetRoleArn: values['target-role-arn'] } : {}),
          fileSystems: fileSystemFlags.map((flag) => fileSystemFlag(flag)),
        },
        'the flags',
      );
    }
    const files = renderArtifacts(spec, {
      format: format as RenderFormat,
      ...(values['account-id'] !== undefined ? { accountId: values['account-id'] } : {}),
      ...(values['oidc-issuer'] !== undefined ? { oidcIssuer: values['oidc-issuer'] } : {}),
    });
    if (values.out === undefined) {
      io.stdout(files.map((f) => `# --- ${f.path}\n${f.content}`).join('\n'));
      return EXIT_OK;
    }
    const out = path.resolve(io.cwd, values.out);
    if (!values.force) {
      // All checked before anything is written: a refusal leaves the directory as it was.
      const existing: string[] = [];
      for (const f of files) {
        if (await exists(path.join(out, f.path))) existing.push(f.path);
      }
      if (existing.length > 0) {
        throw new UsageError(
          `refusing to overwrite ${existing.join(', ')} under ${values.out} (use --force)`,
        );
      }
    }
    for (const f of files) {
      const target = path.join(out, f.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, f.content);
    }
    io.stderr(`rendered ${files.length} file${files.length === 1 ? '' : 's'} under ${values.out}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof SpecError || error instanceof RenderError) throw new UsageError(error.message);
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
