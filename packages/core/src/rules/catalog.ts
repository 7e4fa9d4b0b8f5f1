import { AD01 } from './AD-01-addon-cannot-own-node-association';
import { AD02 } from './AD-02-addon-list-drops-association';
import { AD03 } from './AD-03-addon-not-healthy';
import { AD04 } from './AD-04-manual-association-beside-addon';
import { FS01 } from './FS-01-no-file-system-policy';
import { FS02 } from './FS-02-no-allow-for-node-role';
import { FS03 } from './FS-03-policy-without-iam-mount';
import { FS04 } from './FS-04-unenforced-condition-key';
import { FS05 } from './FS-05-open-to-anonymous';
import { FS06 } from './FS-06-unique-id-principal';
import { FS07 } from './FS-07-invalid-policy';
import { FS08 } from './FS-08-root-access-not-needed';
import { FS09 } from './FS-09-deny-matches-mount';
import { IR01 } from './IR-01-oidc-provider';
import { IR02 } from './IR-02-irsa-annotation';
import { IR03 } from './IR-03-irsa-trust';
import { IR04 } from './IR-04-irsa-pod-env';
import { K801 } from './K8-01-volume-without-iam';
import { K802 } from './K8-02-iam-without-tls';
import { K803 } from './K8-03-crossaccount-in-mount-options';
import { K804 } from './K8-04-unsupported-volume-attributes';
import { K805 } from './K8-05-cross-account-storageclass';
import { K806 } from './K8-06-invalid-volume-handle';
import { K807 } from './K8-07-tls-with-encryption-off';
import { NET01 } from './NET-01-mount-target-per-az';
import { NET02 } from './NET-02-mount-target-security-groups';
import { NI01 } from './NI-01-identity-allows-mount';
import { NI02 } from './NI-02-client-access-on-wildcard';
import { NI03 } from './NI-03-role-not-dedicated';
import { NI04 } from './NI-04-broad-managed-policy';
import { NR01 } from './NR-01-node-instance-role-extra-policies';
import { NR02 } from './NR-02-node-instance-role-efs-fallback';
import { NR03 } from './NR-03-live-mount-credentials';
import { LG01 } from './LG-01-mount-failures-in-logs';
import { PI01 } from './PI-01-pod-identity-agent';
import { PI02 } from './PI-02-one-association';
import { PI03 } from './PI-03-association-service-account';
import { PI04 } from './PI-04-pod-identity-trust';
import { PI05 } from './PI-05-session-tag-conditions';
import { PI06 } from './PI-06-pod-identity-env';
import { PI07 } from './PI-07-pods-predate-association';
import { PI08 } from './PI-08-driver-too-old';
import { PI09 } from './PI-09-instance-role-assume-for-pod-identity';
import { PI10 } from './PI-10-irsa-and-pod-identity';
import { PI11 } from './PI-11-target-role';
import { XA01 } from './XA-01-vpc-route';
import { XA02 } from './XA-02-cross-account-az-dns';
import { XA03 } from './XA-03-cross-account-assume-role';
import { XA04 } from './XA-04-cross-account-role-permissions';
import { XA05 } from './XA-05-cross-account-node-access';
import { S3F01 } from './S3F-01-node-role-may-not-mount';
import { S3F02 } from './S3F-02-broad-s3files-permissions';
import { S3F03 } from './S3F-03-no-direct-read-from-bucket';
import { S3F04 } from './S3F-04-bucket-policy-denies';
import { S3F05 } from './S3F-05-invalid-s3files-policy';
import type { Rule } from './rule';

/** Every rule, in catalog order. */
export const ALL_RULES: Rule[] = [
  PI01,
  PI02,
  PI03,
  PI04,
  PI05,
  PI06,
  PI07,
  PI08,
  PI09,
  PI10,
  PI11,
  IR01,
  IR02,
  IR03,
  IR04,
  NI01,
  NI02,
  NI03,
  NI04,
  FS01,
  FS02,
  FS03,
  FS04,
  FS05,
  FS06,
  FS07,
  FS08,
  FS09,
  AD01,
  AD02,
  AD03,
  AD04,
  K801,
  K802,
  K803,
  K804,
  K805,
  K806,
  K807,
  XA01,
  XA02,
  XA03,
  XA04,
  XA05,
  NET01,
  NET02,
  NR01,
  NR02,
  NR03,
  LG01,
  S3F01,
  S3F02,
  S3F03,
  S3F04,
  S3F05,
];
