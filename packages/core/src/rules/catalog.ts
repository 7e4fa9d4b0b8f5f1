import { FS02 } from './FS-02-no-allow-for-node-role';
import { FS03 } from './FS-03-policy-without-iam-mount';
import { FS04 } from './FS-04-unenforced-condition-key';
import { FS05 } from './FS-05-open-to-anonymous';
import { FS07 } from './FS-07-invalid-policy';
import { FS08 } from './FS-08-root-access-not-needed';
import { FS09 } from './FS-09-deny-matches-mount';
import { IR03 } from './IR-03-irsa-trust';
import { K801 } from './K8-01-volume-without-iam';
import { K802 } from './K8-02-iam-without-tls';
import { K803 } from './K8-03-crossaccount-in-mount-options';
import { K804 } from './K8-04-unsupported-volume-attributes';
import { K805 } from './K8-05-cross-account-storageclass';
import { K806 } from './K8-06-invalid-volume-handle';
import { K807 } from './K8-07-tls-with-encryption-off';
import { NR01 } from './NR-01-node-instance-role-extra-policies';
import { NR02 } from './NR-02-node-instance-role-efs-fallback';
import { PI04 } from './PI-04-pod-identity-trust';
import { XA03 } from './XA-03-cross-account-assume-role';
import { XA04 } from './XA-04-cross-account-role-permissions';
import { XA05 } from './XA-05-cross-account-node-access';
import type { Rule } from './rule';

/** Every rule, in catalog order. */
export const ALL_RULES: Rule[] = [
  PI04,
  IR03,
  FS02,
  FS03,
  FS04,
  FS05,
  FS07,
  FS08,
  FS09,
  K801,
  K802,
  K803,
  K804,
  K805,
  K806,
  K807,
  XA03,
  XA04,
  XA05,
  NR01,
  NR02,
];
