import { emptySnapshot, type Snapshot } from '../model/snapshot';
import { cloudFormationSource, cloudFormationTag } from './cloudformation';
import { helmValuesSource } from './helm-values';
import { kubernetesYamlSource } from './kubernetes-yaml';
import { policyJsonSource } from './policy-json';
import type { DocumentSource, SourceFile } from './types';

/**
 * The document sources, in the order they are offered each parsed document: the first that claims it reads it.
 * Specific formats come before the generic ones.
 */
export const documentSources: DocumentSource[] = [
  kubernetesYamlSource,
  cloudFormationSource,
  helmValuesSource,
  policyJsonSource,
];

/** Reads the `.tf` files of one directory. */
export const terraformModuleReader = async (files: SourceFile[]): Promise<Snapshot> => {
  const snapshot = emptySnapshot(['S']);
  for (const f of files) {
    snapshot.notices.push({ kind: 'unsupported', file: f.file, message: 'Terraform HCL is not read yet' });
  }
  return snapshot;
};

/** How non-standard YAML tags are read: CloudFormation short forms become their long forms. */
export const yamlTagHook = cloudFormationTag;
