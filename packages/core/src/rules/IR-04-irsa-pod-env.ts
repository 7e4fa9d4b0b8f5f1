import { isKnown, isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { IRSA_ANNOTATION } from './view';
import {
  describePod,
  epochSeconds,
  pluginContainer,
  podResource,
  rolloutRestart,
  runningNodePods,
} from './identity-support';

/**
 * IR-04: the EKS pod identity webhook adds AWS_ROLE_ARN (the SA's role-arn annotation) and
 * AWS_WEB_IDENTITY_TOKEN_FILE only at pod admission, so every running efs-csi-node pod's efs-plugin container must
 * carry both, with the annotation's value, and be created after the annotation last changed
 * (ServiceAccount.annotationsUpdatedAt, live, when known). Runs only when the node SA has the annotation.
 */
export const IR04: Rule = {
  id: 'IR-04',
  severity: 'error',
  title: 'Node pods lack the IRSA variables or predate the annotation',
  requires: ['K'],
  check({ view }) {
    const annotation = view.irsaAnnotations.find((a) => isKnown(a.arn)) ?? view.irsaAnnotations[0];
    if (!annotation) return [];
    const findings: RuleFinding[] = [];
    const sa = annotation.serviceAccount;
    const saName = `${view.nodeServiceAccount.namespace}/${view.nodeServiceAccount.name}`;
    const updatedAt = sa.annotationsUpdatedAt;
    const updated = epochSeconds(updatedAt);
    for (const pod of runningNodePods(view)) {
      const container = pluginContainer(pod);
      if (!container) continue;
      const problems: string[] = [];
      let undecidable = false;
      const roleArn = container.env.AWS_ROLE_ARN;
      if (roleArn === undefined) problems.push('has no AWS_ROLE_ARN');
      else if (isUnknown(annotation.arn)) {
        problems.push(
          `has AWS_ROLE_ARN=${isKnown(roleArn) ? roleArn : '(unknown)'} while the annotation is ${annotation.arn.expression}`,
        );
        undecidable = true;
      } else if (roleArn !== annotation.arn)
        problems.push(
          `has AWS_ROLE_ARN=${isKnown(roleArn) ? roleArn : '(unknown)'}, not ${annotation.arn} (the annotation)`,
        );
      if (container.env.AWS_WEB_IDENTITY_TOKEN_FILE === undefined)
        problems.push('has no AWS_WEB_IDENTITY_TOKEN_FILE');
      const created = epochSeconds(pod.createdAt);
      if (updated !== undefined && created !== undefined && created < updated) {
        problems.push(`was created before the annotation was last changed at ${updatedAt}`);
      }
      if (problems.length === 0) continue;
      const allUndecidable = undecidable && problems.length === 1;
      findings.push({
        message:
          `${describePod(pod)}: container efs-plugin ${problems.join(', ')}; ${saName} is annotated ${IRSA_ANNOTATION}=${isKnown(annotation.arn) ? annotation.arn : '(unknown)'}. ` +
          (allUndecidable
            ? 'Whether they match cannot be told'
            : 'The webhook injects these variables only at admission: the pod mounts with the node instance role (or a role you meant to retire)'),
        origin: pod.origin,
        resource: podResource(pod),
        ...(allUndecidable ? { undecidable: true } : {}),
        fix: rolloutRestart([pod]),
      });
    }
    return findings;
  },
};
