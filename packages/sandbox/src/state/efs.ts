/** EFS state of one account. Owned by the EFS service module (services/efs.ts); seeded by services/network-seed.ts. */

export type EfsLifeCycleState = 'creating' | 'available' | 'updating' | 'deleting' | 'deleted' | 'error';

export interface EfsFileSystem {
  fileSystemId: string;
  fileSystemArn: string;
  region: string;
  creationToken: string;
  creationTime: Date;
  lifeCycleState: EfsLifeCycleState;
  name?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  performanceMode: string;
  throughputMode: string;
  /** One Zone file systems live in one availability zone; Regional ones have neither field. */
  availabilityZoneName?: string;
  availabilityZoneId?: string;
  sizeInBytes: number;
  tags: Record<string, string>;
  /** The file system policy as the JSON text it was put with (EFS returns it as stored), or undefined when it has none. */
  policy?: string;
}

export interface EfsMountTarget {
  mountTargetId: string;
  fileSystemId: string;
  subnetId: string;
  vpcId: string;
  availabilityZoneId: string;
  availabilityZoneName: string;
  ipAddress: string;
  lifeCycleState: EfsLifeCycleState;
  securityGroups: string[];
  networkInterfaceId: string;
}

export interface EfsAccessPoint {
  accessPointId: string;
  accessPointArn: string;
  fileSystemId: string;
  clientToken: string;
  name?: string;
  tags: Record<string, string>;
  posixUser?: { Uid: number; Gid: number; SecondaryGids?: number[] };
  rootDirectory?: {
    Path?: string;
    CreationInfo?: { OwnerUid: number; OwnerGid: number; Permissions: string };
  };
  lifeCycleState: EfsLifeCycleState;
}

export interface EfsState {
  /** Insertion order is the listing order (DescribeFileSystems pages through it). */
  fileSystems: Map<string, EfsFileSystem>;
  mountTargets: Map<string, EfsMountTarget>;
  accessPoints: Map<string, EfsAccessPoint>;
}

export function emptyEfsState(): EfsState {
  return { fileSystems: new Map(), mountTargets: new Map(), accessPoints: new Map() };
}
