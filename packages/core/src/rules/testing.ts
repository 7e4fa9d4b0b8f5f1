import * as path from 'node:path';
import { defaultConfig, type Config } from '../config/config';
import type { Finding } from '../model/finding';
import { loadStaticSnapshot } from '../sources/load';
import { evaluateSnapshot } from './engine';

/** Test support: runs the static pipeline on a fixture directory under `rules/__fixtures__`. */
export async function checkFixture(relative: string, config: Partial<Config> = {}): Promise<Finding[]> {
  const dir = path.isAbsolute(relative) ? relative : path.join(__dirname, '__fixtures__', relative);
  const { snapshot } = await loadStaticSnapshot([dir]);
  return evaluateSnapshot(snapshot, { ...defaultConfig(), ...config }, { today: '2026-11-26' }).findings;
}

/** The findings of one rule. */
export function only(findings: Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}
