import type { KubeObject } from '../state/kube';
import { deepEqual, isObject } from './patch';
import { apiVersionOf, resourceOfKind } from './resources';
import { badRequest, invalidError, type StatusCause } from './status';

/**
 * The checks the API server makes on a patched object that matter to the product, a SMALL SUBSET of its validation:
 * label and annotation values are strings; DaemonSet selector immutable and matching the template, containers named
 * and with an image, a known update strategy; pod specs immutable except images. Failures are 422 Invalid with causes,
 * like the real server; a value of the wrong JSON type is 400, as the server's decoder answers.
 */
export function validateUpdate(before: KubeObject, after: KubeObject): void {
  const type = resourceOfKind(before.kind);
  if (after.kind !== before.kind || after.apiVersion !== apiVersionOf(type)) {
    throw badRequest(
      `the API version in the data (${String(after.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
    );
  }
  if (!isObject(after.metadata))
    throw badRequest('json: cannot unmarshal into Go struct field .metadata of type v1.ObjectMeta');
  if (after.metadata.name !== before.metadata.name) {
    throw badRequest(
      `the name of the object (${String(after.metadata.name)}) does not match the name on the URL (${before.metadata.name})`,
    );
  }
  if ((after.metadata.namespace ?? undefined) !== (before.metadata.namespace ?? undefined)) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = after.metadata[field];
    if (map === undefined) continue;
    if (!isObject(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw badRequest(
        `json: cannot unmarshal into Go struct field ObjectMeta.metadata.${field} of type map[string]string`,
      );
    }
  }
  const causes: StatusCause[] = [];
  if (before.kind === 'DaemonSet') validateDaemonSet(before, after, causes);
  if (before.kind === 'Pod') validatePod(before, after, causes);
  if (causes.length > 0) throw invalidError(before.kind, type.group, before.metadata.name, causes);
}

const invalid = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});

function validateContainers(list: unknown, field: string, causes: StatusCause[], required: boolean): void {
  if (list === undefined && !required) return;
  if (!Array.isArray(list) || (required && list.length === 0)) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field });
    return;
  }
  const names = new Set<string>();
  list.forEach((c, i) => {
    if (!isObject(c) || typeof c.name !== 'string' || c.name === '') {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}[${i}].name` });
      return;
    }
    if (names.has(c.name))
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: ${JSON.stringify(c.name)}`,
        field: `${field}[${i}].name`,
      });
    names.add(c.name);
    if (typeof c.image !== 'string' || c.image === '')
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}[${i}].image` });
    if (c.env !== undefined) {
      if (!Array.isArray(c.env))
        throw badRequest(
          `json: cannot unmarshal into Go struct field Container.${field}.env of type []v1.EnvVar`,
        );
      c.env.forEach((e, j) => {
        if (!isObject(e) || typeof e.name !== 'string' || e.name === '')
          causes.push({
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: `${field}[${i}].env[${j}].name`,
          });
        else if (e.value !== undefined && typeof e.value !== 'string')
          throw badRequest(
            `json: cannot unmarshal into Go struct field EnvVar.${field}.env.value of type string`,
          );
      });
    }
  });
}

function validateDaemonSet(before: KubeObject, after: KubeObject, causes: StatusCause[]): void {
  const spec = isObject(after.spec) ? after.spec : {};
  const oldSpec = isObject(before.spec) ? before.spec : {};
  if (!deepEqual(spec.selector, oldSpec.selector)) {
    causes.push(invalid('spec.selector', spec.selector ?? null, 'field is immutable'));
  }
  const template = isObject(spec.template) ? spec.template : {};
  const templateLabels = (
    isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {}
  ) as Record<string, unknown>;
  const matchLabels =
    isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  if (Object.entries(matchLabels).some(([k, v]) => templateLabels[k] !== v)) {
    causes.push(
      invalid('spec.template.metadata.labels', templateLabels, '`selector` does not match template `labels`'),
    );
  }
  const podSpec = isObject(template.spec) ? template.spec : {};
  validateContainers(podSpec.containers, 'spec.template.spec.containers', causes, true);
  validateContainers(podSpec.initContainers, 'spec.template.spec.initContainers', causes, false);
  const strategy = isObject(spec.updateStrategy) ? spec.updateStrategy.type : undefined;
  if (strategy !== undefined && strategy !== 'RollingUpdate' && strategy !== 'OnDelete') {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(strategy)}: supported values: "OnDelete", "RollingUpdate"`,
      field: 'spec.updateStrategy.type',
    });
  }
}

/** Pod spec fields the API server lets an update change (besides images); everything else is immutable. */
function mutablePodSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  const copy = structuredClone(spec);
  for (const field of ['containers', 'initContainers']) {
    const list = copy[field];
    if (Array.isArray(list)) for (const c of list) if (isObject(c)) delete c.image;
  }
  delete copy.activeDeadlineSeconds;
  delete copy.tolerations;
  return copy;
}

function validatePod(before: KubeObject, after: KubeObject, causes: StatusCause[]): void {
  if (!deepEqual(mutablePodSpec(before.spec), mutablePodSpec(after.spec))) {
    causes.push({
      reason: 'FieldValueForbidden',
      message:
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      field: 'spec',
    });
  }
}
