import type { Entity } from '@backstage/catalog-model';
import type { EntityStatusResponse, FleetResponse } from '@efs-node-identity/backstage-plugin-common';

/** An entity with the annotations, as catalog-info.yaml declares it. */
export const annotatedEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'media-store',
    namespace: 'default',
    annotations: {
      'efs-node-identity.io/cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/demo-cluster',
      'efs-node-identity.io/file-system-ids': 'fs-0a1b2c3d4e5f60718',
      'efs-node-identity.io/service-account': 'kube-system/efs-csi-node-sa',
      'efs-node-identity.io/mode': 'pod-identity',
    },
  },
  spec: { type: 'service', owner: 'team-storage', lifecycle: 'production' },
};

export const plainEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs-site', namespace: 'default' },
  spec: { type: 'website', owner: 'team-web', lifecycle: 'production' },
};

/** The backend's answer for the sandbox's deny-only-policy world (its README's example, remediation shortened). */
export const failingStatus: EntityStatusResponse = {
  entityRef: 'component:default/media-store',
  clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/demo-cluster',
  fileSystemIds: ['fs-0a1b2c3d4e5f60718'],
  state: 'failing',
  lastVerifiedAt: '2026-11-26T13:08:37.957Z',
  findings: [
    {
      ruleId: 'FS-02',
      severity: 'error',
      title: 'The file system policy does not allow the node role to mount',
      message:
        'the file system policy of fs-0a1b2c3d4e5f60718 does not allow the node role arn:aws:iam::111122223333:role/demo-cluster-efs-csi-node elasticfilesystem:ClientMount',
      remediation:
        'Add an Allow statement for the node role to the file system policy (keep the existing statements):\n{ "Sid": "EfsCsiNodeMount", "Effect": "Allow" }',
      resource: 'fs-0a1b2c3d4e5f60718',
      trace: [
        {
          outcome: 'no-match',
          message:
            'statement `DenyInsecureTransport` (Deny) does not apply: Bool aws:SecureTransport: "true" does not satisfy false',
          policy: 'file system policy',
          sid: 'DenyInsecureTransport',
        },
      ],
    },
    {
      ruleId: 'NI-03',
      severity: 'warning',
      title: 'Node role is not dedicated to the node component',
      message: 'the node role is also used by the efs-csi-controller service account',
    },
  ],
  counts: { error: 1, warning: 1, info: 0 },
  notRead: [],
  calls: { aws: 37, kubernetes: 8 },
};

export const healthyStatus: EntityStatusResponse = {
  ...failingStatus,
  entityRef: 'component:default/orders-api',
  state: 'ok',
  findings: [],
  counts: { error: 0, warning: 0, info: 0 },
};

export const fleetPage: FleetResponse = {
  items: [
    {
      entityRef: 'component:default/media-store',
      clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/demo-cluster',
      state: 'failing',
      lastVerifiedAt: '2026-11-26T13:08:37.957Z',
      counts: { error: 1, warning: 1, info: 0 },
      ruleIds: ['FS-02', 'NI-03'],
    },
    {
      entityRef: 'component:default/orders-api',
      clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/demo-cluster',
      state: 'ok',
      lastVerifiedAt: '2026-11-26T13:09:01.000Z',
      counts: { error: 0, warning: 0, info: 0 },
      ruleIds: [],
    },
    {
      entityRef: 'component:default/reports-worker',
      clusterArn: 'arn:aws:eks:us-east-1:111122223333:cluster/batch-cluster',
      state: 'warnings',
      lastVerifiedAt: '2026-11-26T13:10:12.000Z',
      counts: { error: 0, warning: 1, info: 0 },
      ruleIds: ['NI-03'],
    },
  ],
  totalCount: 3,
  offset: 0,
  limit: 50,
};

/** The catalog entities behind `fleetPage`: each declares a different mix of the optional annotations. */
export const fleetEntities: Entity[] = [
  annotatedEntity,
  {
    ...plainEntity,
    metadata: {
      name: 'orders-api',
      namespace: 'default',
      annotations: {
        'efs-node-identity.io/cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/demo-cluster',
      },
    },
  },
  {
    ...plainEntity,
    metadata: {
      name: 'reports-worker',
      namespace: 'default',
      annotations: {
        'efs-node-identity.io/cluster-arn': 'arn:aws:eks:us-east-1:111122223333:cluster/batch-cluster',
        'efs-node-identity.io/file-system-ids': 'fs-0123456789abcdef0,s3files:fs-0fedcba9876543210',
        'efs-node-identity.io/mode': 'irsa',
      },
    },
  },
];
