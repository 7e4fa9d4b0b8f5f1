// Generates the evaluator-throughput input: JSON lines in the `simulate --cases` contract (design.md).
import { Buffer } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { createRng } from './lib/rng.mjs';
import { world, identityPolicy, fileSystemPolicy as makeFileSystemPolicy } from './lib/fixtures.mjs';

const ACTIONS = [
  'elasticfilesystem:ClientMount',
  'elasticfilesystem:ClientWrite',
  'elasticfilesystem:ClientRootAccess',
];
const MOUNT_OPTIONS = [['tls', 'iam'], ['tls'], ['iam'], [], ['tls', 'iam', 'noresvport'], ['TLS', ' iam ']];

/**
 * One question. Policies are drawn from a pool (as a CI run would ask many questions about the same few policies)
 * but about a third are freshly generated, so the policy cache in simulate cannot answer everything.
 */
export function makeCase(rng, w, pool) {
  const fs = rng.pick(w.fileSystems);
  // Mostly same-account node roles (the common setup), some cross-account ones.
  const base = rng.pick(w.roles);
  const role = rng.chance(0.75)
    ? { ...base, account: fs.account, arn: base.arn.replace(/::\d{12}:/, `::${fs.account}:`) }
    : base;
  const fresh = rng.chance(0.33);
  const identityCount = rng.int(3);
  const identityPolicies = Array.from({ length: identityCount }, () =>
    fresh ? identityPolicy(rng, w, fs) : rng.pick(pool.identity),
  );
  const fileSystemPolicy = rng.chance(0.1)
    ? null
    : fresh
      ? makeFileSystemPolicy(rng, w, fs, role)
      : rng.pick(pool.fileSystem.get(fs.id));
  const accessPoint = rng.chance(0.2)
    ? `arn:aws:elasticfilesystem:${fs.region}:${fs.account}:access-point/fsap-${rng.hex(17)}`
    : null;
  return {
    principal: rng.chance(0.03) ? null : role.arn,
    action: rng.pick(ACTIONS),
    fileSystem: fs.arn,
    identityPolicies,
    fileSystemPolicy,
    mountOptions: rng.pick(MOUNT_OPTIONS),
    accessPoint,
    semantics: rng.chance(0.7) ? 'strict' : 'documented',
  };
}

export async function generateCases(file, count, seed = 20240501) {
  const rng = createRng(seed);
  const w = world(rng);
  const pool = {
    identity: Array.from({ length: 60 }, () => identityPolicy(rng, w, rng.pick(w.fileSystems))),
    // A few policies per file system, each written for one of the roles (in the file system's account).
    fileSystem: new Map(
      w.fileSystems.map((fs) => [
        fs.id,
        Array.from({ length: 3 }, () => {
          const role = rng.pick(w.roles);
          return makeFileSystemPolicy(rng, w, fs, {
            ...role,
            account: fs.account,
            arn: role.arn.replace(/::\d{12}:/, `::${fs.account}:`),
          });
        }),
      ]),
    ),
  };
  const out = createWriteStream(file);
  let bytes = 0;
  let buffer = [];
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify(makeCase(rng, w, pool)) + '\n';
    bytes += Buffer.byteLength(line);
    buffer.push(line);
    if (buffer.length === 2000) {
      if (!out.write(buffer.join(''))) await new Promise((r) => out.once('drain', r));
      buffer = [];
    }
  }
  out.write(buffer.join(''));
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return { file, count, bytes };
}
