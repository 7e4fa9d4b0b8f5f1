import { renderCloudFormation } from './cloudformation';
import { renderJson } from './json';
import { renderKubernetes } from './kubernetes';
import { buildModel, type RenderedFile, type RenderOptions } from './model';
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
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
