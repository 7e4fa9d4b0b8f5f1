/** EFS state of one account. Owned by the EFS service module; extend here. */

export interface EfsFileSystem {
  fileSystemId: string;
  fileSystemArn: string;
  region: string;
  creationToken: string;
  creationTime: Date;
  lifeCycleState: 'creating' | 'available' | 'updating' | 'deleting' | 'deleted' | 'error';
  name?: string;
  encrypted: boolean;
  performanceMode: string;
  throughputMode: string;
  tags: Record<string, string>;
  /** The file system policy as JSON text, or undefined when it has none. */
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
  lifeCycleState: 'creating' | 'available' | 'updating' | 'deleting' | 'deleted' | 'error';
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
  rootDirectory?: { Path?: string; CreationInfo?: { OwnerUid: number; OwnerGid: number; Permissions: string } };
  lifeCycleState: 'creating' | 'available' | 'updating' | 'deleting' | 'deleted' | 'error';
}

export interface EfsState {
  fileSystems: Map<string, EfsFileSystem>;
  mountTargets: Map<string, EfsMountTarget>;
  accessPoints: Map<string, EfsAccessPoint>;
}

export function emptyEfsState(): EfsState {
  return { fileSystems: new Map(), mountTargets: new Map(), accessPoints: new Map() };
}
