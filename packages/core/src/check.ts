import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { defaultConfig, type Config } from './config/config';
import { ConfigError, parseConfig } from './config/load-config';
import { evaluateSnapshot } from './rules/engine';
import type { CheckReport } from './report/result';
import { loadStaticSnapshot } from './sources/load';

export const CONFIG_FILE_NAME = '.efs-node-identity.yaml';

export interface CheckOptions {
  /** A config file; default: `.efs-node-identity.yaml` in the scanned root, when present. */
  configPath?: string;
  /** The tool version to report. */
  version: string;
  /** YYYY-MM-DD for suppression expiry; default today. */
  today?: string;
}

/** The static pipeline: files → Snapshot → rules → report. */
export async function runCheck(paths: string[], options: CheckOptions): Promise<CheckReport> {
  const { snapshot, root, files } = await loadStaticSnapshot(paths);
  const config = await loadConfigFor(root, options.configPath);
  const result = evaluateSnapshot(snapshot, config, { today: options.today });
  return {
    tool: { name: 'efs-node-identity', version: options.version },
    root,
    files: files.length,
    findings: result.findings,
    suppressed: result.suppressed,
  };
}

/** Reads the config file given, or the one in the scanned root, or returns the defaults. */
export async function loadConfigFor(root: string, configPath?: string): Promise<Config> {
  const file = configPath ?? path.join(root, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (configPath) {
      throw new ConfigError(
        `cannot read the config file ${configPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return defaultConfig();
  }
  const shown = configPath ?? path.relative(root, file).split(path.sep).join('/');
  return parseConfig(text, shown);
}
