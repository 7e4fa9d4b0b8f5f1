import type { FileSystemType } from '@efs-node-identity/backstage-plugin-common';

const FILE_SYSTEM_TYPE_TEXT: Record<FileSystemType, string> = { efs: 'EFS', s3files: 'S3 Files' };

/** `fs-0a1b… (EFS)`, `fs-0123… (S3 Files)`: a file system is a file system, with its type said in words. */
export function fileSystemText(fileSystem: { id: string; type: FileSystemType }): string {
  return `${fileSystem.id} (${FILE_SYSTEM_TYPE_TEXT[fileSystem.type]})`;
}
