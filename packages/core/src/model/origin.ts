/**
 * Where a fact came from. Every fact in a Snapshot carries one, so a finding can point at the file and line (static
 * sources) or at the AWS resource / Kubernetes object (live sources) it is about.
 */
export type Origin = FileOrigin | AwsOrigin | KubeOrigin;

/** A location in a scanned file. `file` is relative to the scanned root, with forward slashes. */
export interface FileOrigin {
  kind: 'file';
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** A dotted path inside the document (`Statement[1].Condition`), when useful for the reader. */
  path?: string;
}

/** An AWS resource read from the APIs. */
export interface AwsOrigin {
  kind: 'aws';
  arn: string;
}

/** A Kubernetes object read from the API server, as `kind/namespace/name`. */
export interface KubeOrigin {
  kind: 'k8s';
  ref: string;
}

export function fileOrigin(file: string, line?: number, path?: string): FileOrigin {
  const origin: FileOrigin = { kind: 'file', file };
  if (line !== undefined) origin.line = line;
  if (path !== undefined) origin.path = path;
  return origin;
}

/** Renders an origin for messages: `policy.json:12`, `arn:aws:iam::…`, `DaemonSet/kube-system/efs-csi-node`. */
export function describeOrigin(origin: Origin | undefined): string {
  if (!origin) return 'unknown origin';
  switch (origin.kind) {
    case 'file':
      return origin.line !== undefined ? `${origin.file}:${origin.line}` : origin.file;
    case 'aws':
      return origin.arn;
    case 'k8s':
      return origin.ref;
  }
}
