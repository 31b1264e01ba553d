import { readFile } from 'node:fs/promises';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { ClusterDefinition } from './cluster-definition';
import { checkClusterDrafts, type ClusterField, type LocatedClusterDraft } from './cluster.schema';
import { ConfigError, type ConfigIssue } from '../config-issues';
import { closestMatch, describeValue, isPlainObject } from './config-values';
import { checkManagerMap, type ContainerManagerMap } from './container-managers';

/**
 * The platform's `deployment.toml`: `[[ContainerMgtClusterConfig]]` (super tenant clusters) and
 * `[ContainerMgtConfig]` (environment type → container manager), in the seed's spelling.
 * Other top-level tables belong to other parts of the app and are left alone.
 */

export interface DeploymentClusterConfig {
  clusters: ClusterDefinition[];
  /** Environment type → manager, built-in defaults included. */
  managers: ContainerManagerMap;
  warnings: ConfigIssue[];
}

const CLUSTERS_KEY = 'ContainerMgtClusterConfig';
const MANAGERS_KEY = 'ContainerMgtConfig';
const ENTRY_KEYS = ['type', 'clusterName', 'displayName', 'properties'] as const;

/** Parses the text of a deployment.toml; throws {@link ConfigError} when it cannot be used. */
export function parseDeploymentToml(text: string, fileName: string): DeploymentClusterConfig {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text);
  } catch (error) {
    throw new ConfigError([tomlSyntaxIssue(error, text, fileName)]);
  }

  const managerCheck = checkManagerMap(document[MANAGERS_KEY], (type) =>
    type === undefined ? `${fileName}: [${MANAGERS_KEY}]` : `${fileName}: ${MANAGERS_KEY}.${tomlKey(type)}`,
  );
  const errors: ConfigIssue[] = [...managerCheck.errors];
  const warnings: ConfigIssue[] = [...managerCheck.warnings];

  const drafts: LocatedClusterDraft[] = [];
  const rawClusters = document[CLUSTERS_KEY];
  if (rawClusters !== undefined && !Array.isArray(rawClusters)) {
    errors.push({
      path: `${fileName}: ${CLUSTERS_KEY}`,
      message: `must be written as [[${CLUSTERS_KEY}]] blocks (double brackets), one block per cluster, not ${describeValue(rawClusters)}`,
    });
  }
  for (const [index, entry] of (Array.isArray(rawClusters) ? rawClusters : []).entries()) {
    const entryPath = `${fileName}: ${CLUSTERS_KEY}[${index}]`;
    const locate = (field: ClusterField, property?: string): string =>
      field === 'entry' ? entryPath : property === undefined ? `${entryPath}.${field}` : `${entryPath}.properties.${tomlKey(property)}`;
    if (!isPlainObject(entry)) {
      errors.push({ path: entryPath, message: `must be a [[${CLUSTERS_KEY}]] table with type, clusterName, displayName and properties, not ${describeValue(entry)}` });
      continue;
    }
    for (const key of Object.keys(entry)) {
      if ((ENTRY_KEYS as readonly string[]).includes(key)) continue;
      const suggestion = closestMatch(key, ENTRY_KEYS);
      warnings.push({
        path: `${entryPath}.${tomlKey(key)}`,
        message: `is not a known key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: it is ignored; cluster settings go under properties.*`,
      });
    }
    drafts.push({ draft: entry, locate });
  }

  const clusterCheck = checkClusterDrafts(drafts, managerCheck.managers);
  errors.push(...clusterCheck.errors);
  warnings.push(...clusterCheck.warnings);
  if (errors.length > 0) throw new ConfigError(errors);
  return { clusters: clusterCheck.clusters, managers: managerCheck.managers, warnings };
}

/** Reads and parses a deployment.toml; an unreadable file is a {@link ConfigError} too. */
export async function loadDeploymentToml(path: string): Promise<DeploymentClusterConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'this process may not read it' : String((error as Error).message);
    throw new ConfigError([{ path, message: `cannot be read: ${reason}` }]);
  }
  return parseDeploymentToml(text, path);
}

function tomlSyntaxIssue(error: unknown, text: string, fileName: string): ConfigIssue {
  if (error instanceof TomlError) {
    // smol-toml's message is "Invalid TOML document: <problem>" followed by a code excerpt.
    const problem = error.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    const sourceLine = (text.split(/\r?\n/)[error.line - 1] ?? '').trim();
    const excerpt = sourceLine ? `; line ${error.line} reads: ${sourceLine.length > 80 ? `${sourceLine.slice(0, 80)}…` : sourceLine}` : '';
    return {
      path: `${fileName}:${error.line}:${error.column}`,
      message: `TOML syntax error: ${problem}${excerpt}`,
      line: error.line,
      column: error.column,
    };
  }
  return { path: fileName, message: `cannot be parsed as TOML: ${(error as Error)?.message ?? String(error)}` };
}

/** A key as the user would write it: bare when possible, quoted otherwise. */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}
