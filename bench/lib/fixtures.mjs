// Building blocks shared by the repo and the question generators: realistic IAM policies for the EFS CSI node
// role, in the shapes the docs, the re:Post article and real repositories use.
export function world(rng, size = 40) {
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
  const accounts = Array.from({ length: 8 }, () => rng.digits(12));
  const fileSystems = Array.from({ length: size }, () => {
    const account = rng.pick(accounts);
    const region = rng.pick(regions);
    const id = `fs-${rng.hex(17)}`;
    return { account, region, id, arn: `arn:aws:elasticfilesystem:${region}:${account}:file-system/${id}` };
  });
  const roleNames = [
    'efs-csi-node',
    'AmazonEKS_EFS_CSI_NodeRole',
    'eks-efs-node',
    'node-efs-access',
    'efs-csi-driver-role',
  ];
  const roles = Array.from({ length: size }, () => {
    const account = rng.pick(accounts);
    const name = `${rng.pick(roleNames)}-${rng.hex(4)}`;
    return { account, name, arn: `arn:aws:iam::${account}:role/${rng.chance(0.2) ? 'eks/' : ''}${name}` };
  });
  return { regions, accounts, fileSystems, roles };
}

const CLIENT_ACTIONS = [
  'elasticfilesystem:ClientMount',
  'elasticfilesystem:ClientWrite',
  'elasticfilesystem:ClientRootAccess',
];

/** An identity policy of the node role: managed-policy-like wildcards, a scoped Allow, sometimes a Deny. */
export function identityPolicy(rng, w, fs) {
  const statements = [];
  const shape = rng.int(5);
  if (shape === 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: '*',
    });
  } else if (shape === 1) {
    statements.push({
      Sid: 'EfsClient',
      Effect: 'Allow',
      Action: 'elasticfilesystem:Client*',
      Resource: fs.arn,
    });
  } else if (shape === 2) {
    statements.push({
      Effect: 'Allow',
      Action: rng.pick(CLIENT_ACTIONS),
      Resource: `arn:aws:elasticfilesystem:${fs.region}:${fs.account}:file-system/*`,
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    });
  } else if (shape === 3) {
    statements.push({
      Effect: 'Allow',
      Action: ['elasticfilesystem:DescribeMountTargets', 'ec2:DescribeAvailabilityZones'],
      Resource: '*',
    });
  } else {
    statements.push({
      Effect: 'Allow',
      Action: 'elasticfilesystem:*',
      Resource: rng.pick(w.fileSystems).arn,
    });
  }
  if (rng.chance(0.15)) {
    statements.push({
      Sid: 'NoRootAccess',
      Effect: 'Deny',
      Action: 'elasticfilesystem:ClientRootAccess',
      Resource: '*',
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** An EFS file system policy: the article's Deny-only, the "correct" one, a principal-scoped Allow, … */
export function fileSystemPolicy(rng, w, fs, role) {
  const denyInsecure = {
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: fs.arn,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
  const denyNoMountTarget = {
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: fs.arn,
    Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'false' } },
  };
  const shape = rng.int(6);
  const statements = [];
  if (shape === 0) statements.push(denyInsecure, denyNoMountTarget);
  else if (shape === 1) {
    statements.push(
      {
        Sid: 'AllowNodeRole',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'elasticfilesystem:ClientMount',
          'elasticfilesystem:ClientWrite',
          'elasticfilesystem:ClientRootAccess',
        ],
        Resource: fs.arn,
        Condition: { ArnLike: { 'aws:PrincipalArn': role.arn.replace(/-[0-9a-f]{4}$/, '-*') } },
      },
      denyInsecure,
      denyNoMountTarget,
    );
  } else if (shape === 2) {
    statements.push({
      Sid: 'NodeRole',
      Effect: 'Allow',
      Principal: { AWS: rng.chance(0.7) ? role.arn : rng.pick(w.roles).arn },
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: fs.arn,
      Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
    });
    if (rng.chance(0.5)) statements.push(denyInsecure);
  } else if (shape === 3) {
    statements.push({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${role.account}:root` },
      Action: 'elasticfilesystem:Client*',
      Resource: fs.arn,
    });
  } else if (shape === 4) {
    statements.push({
      Effect: 'Allow',
      Principal: '*',
      Action: 'elasticfilesystem:ClientMount',
      Resource: fs.arn,
      Condition: {
        StringEquals: {
          'elasticfilesystem:AccessPointArn': `arn:aws:elasticfilesystem:${fs.region}:${fs.account}:access-point/fsap-${'0'.repeat(17)}`,
        },
      },
    });
  } else {
    statements.push(
      {
        Effect: 'Allow',
        Principal: { AWS: role.arn },
        Action: 'elasticfilesystem:ClientMount',
        Resource: fs.arn,
      },
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'elasticfilesystem:ClientRootAccess',
        Resource: fs.arn,
        Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${fs.account}:role/admin-*` } },
      },
    );
  }
  return { Version: '2012-10-17', Id: `efs-policy-${fs.id}`, Statement: statements };
}

/** A trust policy for Pod Identity or IRSA. */
export function trustPolicy(rng, role) {
  if (rng.chance(0.5)) {
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    };
  }
  const issuer = `oidc.eks.us-east-1.amazonaws.com/id/${rng.hex(32).toUpperCase()}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${role.account}:oidc-provider/${issuer}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${rng.chance(0.1) ? 'https://' : ''}${issuer}:sub`]:
              'system:serviceaccount:kube-system:efs-csi-node-sa',
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}
