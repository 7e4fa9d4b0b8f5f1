import { renderCloudFormation } from './cloudformation';
import { renderJson } from './json';
import { renderKubernetes } from './kubernetes';
import { buildModel, headerLines, type RenderedFile, type RenderModel, type RenderOptions } from './model';
import { renderTerraform } from './terraform';
import type { DesiredSpec } from '../plan/spec';

export {
  RenderError,
  RENDER_FORMATS,
  type RenderedFile,
  type RenderFormat,
  type RenderOptions,
} from './model';

/**
 * The desired spec as GitOps artifacts (what `apply` would do, as files a reviewer merges): deterministic, so a
 * re-render of an unchanged spec is an empty diff, and each file says how it was made.
 */
export function renderArtifacts(spec: DesiredSpec, options: RenderOptions): RenderedFile[] {
  const model = buildModel(spec, options);
  const want = (f: string) => options.format === 'all' || options.format === f;
  const files: RenderedFile[] = [];
  if (want('json')) files.push(...renderJson(model));
  if (want('terraform')) files.push(...renderTerraform(model));
  if (want('cloudformation')) files.push(...renderCloudFormation(model));
  if (want('kubernetes')) files.push(...renderKubernetes(model));
  if (options.format === 'all') files.push({ path: 'README.md', content: allReadme(model) });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * `all` holds two ways to create the same role and association. `check` over the whole directory rightly reports
 * PI-02 (two associations for one service account: the second create fails), so the README says to keep one.
 */
function allReadme(model: RenderModel): string {
  return `${[
    ...headerLines(model, 'every format').map((l) => `<!-- ${l} -->`),
    '',
    `# EFS CSI node identity of ${model.spec.cluster}`,
    '',
    '- `terraform/` **or** `cloudformation/`: the node role, its inline policy and the binding. They are',
    '  alternatives: keep one directory in the repository (both applied would create the role twice and a second',
    '  Pod Identity association for the node service account, which EKS refuses; `check` over both reports PI-02).',
    '- `kubernetes/`: the node ServiceAccount and a StorageClass per file system (`tls` and `iam` mount options).',
    '- `policies/`: the same policies as JSON, and the file system policy statements to merge by Sid.',
  ].join('\n')}\n`;
}
