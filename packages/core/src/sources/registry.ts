import type { Snapshot } from '../model/snapshot';
import { cloudFormationSource, cloudFormationTag } from './cloudformation';
import { helmValuesSource } from './helm-values';
import { kubernetesYamlSource } from './kubernetes-yaml';
import { policyJsonSource } from './policy-json';
import { readTerraformModule } from './terraform-hcl';
import { terraformPlanSource } from './terraform-plan';
import type { DocumentSource, SourceFile } from './types';

/**
 * The document sources, in the order they are offered each parsed document: the first that claims it reads it.
 * Specific formats come before the generic ones.
 */
export const documentSources: DocumentSource[] = [
  kubernetesYamlSource,
  terraformPlanSource,
  cloudFormationSource,
  helmValuesSource,
  policyJsonSource,
];

/** Reads the `.tf` files of one directory (a Terraform module). */
export const terraformModuleReader: (files: SourceFile[]) => Promise<Snapshot> = readTerraformModule;

/** How non-standard YAML tags are read: CloudFormation short forms become their long forms. */
export const yamlTagHook = cloudFormationTag;
