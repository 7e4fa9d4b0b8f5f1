import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, type HumanDuration } from '@backstage/types';

/** How the scheduled fleet refresh runs, from `efsNodeIdentity.refresh` (config.d.ts). */
export interface RefreshSettings {
  /** How often the fleet is re-verified: an entity is due again when its last verification is this old. */
  frequency: HumanDuration;
  /** The longest a run may hold the scheduler's lock; a killed instance's run is released only when this expires. */
  timeout: HumanDuration;
  frequencyMs: number;
  timeoutMs: number;
  /** Verifications in flight at once, over the whole fleet. */
  concurrency: number;
  /** Verifications in flight at once in one AWS account (AWS throttles per account and region). */
  accountConcurrency: number;
  /** Verifications in flight at once on one EKS cluster (each reads the same cluster APIs). */
  clusterConcurrency: number;
}

const KEY = 'efsNodeIdentity.refresh';

function duration(config: Config | undefined, key: string, fallback: HumanDuration): HumanDuration {
  if (!config?.has(key)) return fallback;
  try {
    return readDurationFromConfig(config, { key });
  } catch (error) {
    throw new Error(`${KEY}.${key}: ${(error as Error).message}`, { cause: error });
  }
}

function integer(config: Config | undefined, key: string, fallback: number, max: number): number {
  const value = config?.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${KEY}.${key} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

/** Reads and checks `efsNodeIdentity.refresh`; the error names the key. */
export function readRefreshSettings(root: Config): RefreshSettings {
  const config = root.getOptionalConfig(KEY);
  const frequency = duration(config, 'frequency', { minutes: 30 });
  const timeout = duration(config, 'timeout', { minutes: 10 });
  const frequencyMs = durationToMilliseconds(frequency);
  const timeoutMs = durationToMilliseconds(timeout);
  if (!(frequencyMs >= 1000)) throw new Error(`${KEY}.frequency must be at least one second`);
  // A run re-verifies what is older than frequency - timeout (see FleetRefresh): with a timeout of at most half the
  // frequency, two verifications of one entity are always at least half an interval apart.
  if (!(timeoutMs >= 1000) || timeoutMs * 2 > frequencyMs) {
    throw new Error(
      `${KEY}.timeout must be from one second to half of ${KEY}.frequency (${frequencyMs / 1000} s), got ${timeoutMs / 1000} s`,
    );
  }
  return {
    frequency,
    timeout,
    frequencyMs,
    timeoutMs,
    concurrency: integer(config, 'concurrency', 4, 64),
    accountConcurrency: integer(config, 'accountConcurrency', 2, 64),
    clusterConcurrency: integer(config, 'clusterConcurrency', 1, 64),
  };
}
