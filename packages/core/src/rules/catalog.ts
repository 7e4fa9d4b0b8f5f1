import { FS02 } from './FS-02-no-allow-for-node-role';
import { FS04 } from './FS-04-unenforced-condition-key';
import { FS05 } from './FS-05-open-to-anonymous';
import { FS07 } from './FS-07-invalid-policy';
import { FS08 } from './FS-08-root-access-not-needed';
import { IR03 } from './IR-03-irsa-trust';
import { K803 } from './K8-03-crossaccount-in-mount-options';
import { PI04 } from './PI-04-pod-identity-trust';
import type { Rule } from './rule';

/** Every rule, in catalog order. */
export const ALL_RULES: Rule[] = [PI04, IR03, FS02, FS04, FS05, FS07, FS08, K803];
