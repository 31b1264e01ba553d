import { OPTIONAL_PROPERTIES, SEED_PROPERTIES, type ClusterDefinition } from './cluster-definition';
import { checkClusterDrafts, type ClusterDraft, type ClusterField, type LocatedClusterDraft } from './cluster.schema';
import type { ConfigIssue } from '../config-issues';
import { closestMatch, describeValue, isPlainObject } from './config-values';
import { DEFAULT_MANAGERS, type ContainerManagerMap } from './container-managers';
import { lineAndColumn, parseJsonWithLocation } from './json-syntax';

/**
 * A tenant's cluster configuration in the seed's `tenant-conf.json` shape:
 *
 *   "ContainerMgt": [{ "Type": "Kubernetes", "ContainerMgtInfo": [{ "ClusterName", "DisplayName", "Properties": {…} }] }]
 *
 * Accepted as that fragment (what the seed shows), as `{ "ContainerMgt": [...] }` (also a whole
 * tenant-conf.json) or as a bare array. Exported as the fragment.
 */

export const CONTAINER_MGT_KEY = 'ContainerMgt';
const GROUP_KEYS = ['Type', 'ContainerMgtInfo'] as const;
const INFO_KEYS = ['ClusterName', 'DisplayName', 'Properties'] as const;

export type TenantContainerMgtResult =
  | { ok: true; clusters: ClusterDefinition[]; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

export interface TenantParseOptions {
  /** Environment type → manager of the platform (types beyond Kubernetes and Local). */
  managers?: ContainerManagerMap;
  /** The tenant's current clusters: an empty SAToken keeps the stored one (see {@link mergeWithStoredSecrets}). */
  storedClusters?: readonly ClusterDefinition[];
}

export function parseTenantContainerMgt(text: string, options: TenantParseOptions = {}): TenantContainerMgtResult {
  const document = readDocument(text);
  if ('errors' in document) return { ok: false, errors: document.errors, warnings: [] };

  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [...document.warnings];
  const groups = document.groups;
  if (!Array.isArray(groups)) {
    return {
      ok: false,
      errors: [{ path: CONTAINER_MGT_KEY, message: `must be a list ([…]) of { "Type": …, "ContainerMgtInfo": […] } entries, not ${describeValue(groups)}` }],
      warnings,
    };
  }

  const drafts: (LocatedClusterDraft & { draft: ClusterDraft })[] = [];
  for (const [groupIndex, group] of groups.entries()) {
    const groupPath = `${CONTAINER_MGT_KEY}[${groupIndex}]`;
    if (!isPlainObject(group)) {
      errors.push({ path: groupPath, message: `must be { "Type": "Kubernetes", "ContainerMgtInfo": […] }, not ${describeValue(group)}` });
      continue;
    }
    warnings.push(...unknownKeyWarnings(group, GROUP_KEYS, groupPath));
    const infos = group.ContainerMgtInfo;
    if (!Array.isArray(infos)) {
      errors.push({
        path: `${groupPath}.ContainerMgtInfo`,
        message:
          infos === undefined
            ? 'is missing: list the clusters of this type, e.g. "ContainerMgtInfo": [{ "ClusterName": "docker-desktop", "DisplayName": "cluster-1", "Properties": {…} }]'
            : `must be a list ([…]) of clusters, not ${describeValue(infos)}`,
      });
      continue;
    }
    for (const [infoIndex, info] of infos.entries()) {
      const infoPath = `${groupPath}.ContainerMgtInfo[${infoIndex}]`;
      if (!isPlainObject(info)) {
        errors.push({ path: infoPath, message: `must be { "ClusterName": …, "DisplayName": …, "Properties": {…} }, not ${describeValue(info)}` });
        continue;
      }
      warnings.push(...unknownKeyWarnings(info, INFO_KEYS, infoPath));
      const locate = (field: ClusterField, property?: string): string => {
        switch (field) {
          case 'entry':
            return infoPath;
          case 'type':
            return `${groupPath}.Type`;
          case 'clusterName':
            return `${infoPath}.ClusterName`;
          case 'displayName':
            return `${infoPath}.DisplayName`;
          case 'properties':
            return property === undefined ? `${infoPath}.Properties` : `${infoPath}.Properties${jsonKeyPath(property)}`;
        }
      };
      drafts.push({
        draft: { type: group.Type, clusterName: info.ClusterName, displayName: info.DisplayName, properties: info.Properties },
        locate,
      });
    }
  }

  const merged = mergeWithStoredSecrets(
    drafts.map((entry) => entry.draft),
    options.storedClusters ?? [],
  );
  const check = checkClusterDrafts(
    drafts.map((entry, index) => ({ draft: merged[index], locate: entry.locate })),
    options.managers ?? DEFAULT_MANAGERS,
  );
  errors.push(...explainKeptTokens(check.errors, drafts, options.storedClusters ?? []));
  warnings.push(...check.warnings);
  // One bad "Type" is reported once, not once per cluster of its group.
  const uniqueErrors = dedupe(errors);
  if (uniqueErrors.length > 0) return { ok: false, errors: uniqueErrors, warnings: dedupe(warnings) };
  return { ok: true, clusters: check.clusters, warnings: dedupe(warnings) };
}

/**
 * An empty SAToken for a cluster that is already stored means "keep the stored token", so a
 * redacted export can be edited and imported again without retyping secrets. Only when the
 * MasterURL is unchanged: otherwise an edit could send the stored token to another server.
 */
export function mergeWithStoredSecrets<T extends ClusterDraft>(newClusters: readonly T[], storedClusters: readonly ClusterDefinition[]): T[] {
  return newClusters.map((cluster) => {
    const properties = cluster.properties;
    if (!isPlainObject(properties) || typeof cluster.clusterName !== 'string') return cluster;
    const token = properties.SAToken;
    const tokenIsEmpty = token === undefined || token === null || (typeof token === 'string' && token.trim() === '');
    const masterUrl = typeof properties.MasterURL === 'string' ? properties.MasterURL.trim() : '';
    if (!tokenIsEmpty || masterUrl === '') return cluster;
    const stored = storedClusters.find((candidate) => candidate.clusterName === (cluster.clusterName as string).trim());
    if (!stored || stored.properties.SAToken === '' || stored.properties.MasterURL !== masterUrl) return cluster;
    return { ...cluster, properties: { ...properties, SAToken: stored.properties.SAToken } };
  });
}

/** An empty token next to a changed MasterURL: say why the stored token was not kept. */
function explainKeptTokens(
  errors: readonly ConfigIssue[],
  drafts: readonly (LocatedClusterDraft & { draft: ClusterDraft })[],
  storedClusters: readonly ClusterDefinition[],
): ConfigIssue[] {
  const storedUrlByTokenPath = new Map<string, string>();
  for (const { draft, locate } of drafts) {
    const stored = storedClusters.find((cluster) => typeof draft.clusterName === 'string' && cluster.clusterName === draft.clusterName.trim());
    if (stored && stored.properties.SAToken !== '') storedUrlByTokenPath.set(locate('properties', 'SAToken'), stored.properties.MasterURL);
  }
  return errors.map((error) => {
    const storedUrl = storedUrlByTokenPath.get(error.path);
    return storedUrl === undefined
      ? error
      : { ...error, message: `${error.message} (the stored token is kept only while MasterURL stays "${storedUrl}")` };
  });
}

export interface TenantExportOptions {
  /** 'redact' writes every SAToken as "" (import it back with `storedClusters` to keep them). */
  secrets: 'include' | 'redact';
}

/** The seed's `"ContainerMgt": [...]` fragment: 2-space indent, the seed's key order. */
export function exportTenantContainerMgt(clusters: readonly ClusterDefinition[], options: TenantExportOptions): string {
  const groups = new Map<string, ClusterDefinition[]>();
  for (const cluster of clusters) groups.set(cluster.type, [...(groups.get(cluster.type) ?? []), cluster]);
  const document = [...groups].map(([type, members]) => ({
    Type: type,
    ContainerMgtInfo: members.map((cluster) => ({
      ClusterName: cluster.clusterName,
      DisplayName: cluster.displayName,
      Properties: exportedProperties(cluster, options),
    })),
  }));
  return `"${CONTAINER_MGT_KEY}": ${JSON.stringify(document, null, 2)}\n`;
}

function exportedProperties(cluster: ClusterDefinition, options: TenantExportOptions): Record<string, unknown> {
  const { extra, ...known } = cluster.properties;
  const knownValues = known as Record<string, unknown>;
  const entries: [string, unknown][] = [];
  for (const name of [...SEED_PROPERTIES, ...OPTIONAL_PROPERTIES]) {
    const value = name === 'SAToken' && options.secrets === 'redact' ? '' : knownValues[name];
    if (value !== undefined) entries.push([name, value]);
  }
  entries.push(...Object.entries(extra));
  // fromEntries keeps a key like "__proto__" as data.
  return Object.fromEntries(entries);
}

// ---------------------------------------------------------------------------------------------

type ReadDocument = { groups: unknown; warnings: ConfigIssue[] } | { errors: ConfigIssue[] };

/** Turns any of the three accepted shapes into the ContainerMgt value. */
function readDocument(text: string): ReadDocument {
  if (text.trim() === '') {
    return { errors: [{ path: CONTAINER_MGT_KEY, message: 'the text is empty: paste the "ContainerMgt": [ … ] block' }] };
  }
  // The fragment `"ContainerMgt": [...]` is a member of tenant-conf.json: read its value in place,
  // so line and column numbers stay those of the pasted text.
  const member = /^\uFEFF?\s*"((?:[^"\\\n]|\\.)*)"\s*:/.exec(text);
  if (member) {
    const key = member[1]!;
    if (key !== CONTAINER_MGT_KEY) {
      return {
        errors: [{ path: JSON.stringify(key), message: `is not "${CONTAINER_MGT_KEY}": paste the "${CONTAINER_MGT_KEY}": [ … ] block of tenant-conf.json` }],
      };
    }
    // It may have been copied with the comma that separated it from the next member.
    const valueText = text.slice(member[0].length).replace(/,(\s*)$/, ' $1');
    const parsed = parseJsonWithLocation(valueText);
    if (!parsed.ok) return { errors: [syntaxIssue(text, member[0].length + parsed.error.offset, parsed.error.message)] };
    return { groups: parsed.value, warnings: [] };
  }
  const parsed = parseJsonWithLocation(text.replace(/^\uFEFF/, ' '));
  if (!parsed.ok) return { errors: [syntaxIssue(text, parsed.error.offset, parsed.error.message)] };
  const value = parsed.value;
  if (Array.isArray(value)) return { groups: value, warnings: [] };
  if (!isPlainObject(value)) {
    return { errors: [{ path: CONTAINER_MGT_KEY, message: `expected "ContainerMgt": [ … ] but the text is ${describeValue(value)}` }] };
  }
  if (!Object.hasOwn(value, CONTAINER_MGT_KEY)) {
    const suggestion = closestMatch(CONTAINER_MGT_KEY, Object.keys(value));
    return {
      errors: [
        {
          path: CONTAINER_MGT_KEY,
          message: `is missing${suggestion ? ` (found "${suggestion}": the key is spelled "ContainerMgt")` : ''}: the text must contain "ContainerMgt": [ … ]`,
        },
      ],
    };
  }
  const others = Object.keys(value).filter((key) => key !== CONTAINER_MGT_KEY);
  const warnings = others.length
    ? [{ path: others.map((key) => JSON.stringify(key)).join(', '), message: `only "${CONTAINER_MGT_KEY}" is read here; the other keys are ignored` }]
    : [];
  return { groups: value[CONTAINER_MGT_KEY], warnings };
}

function syntaxIssue(text: string, offset: number, message: string): ConfigIssue {
  const { line, column } = lineAndColumn(text, offset);
  return { path: `line ${line}, column ${column}`, message: `JSON syntax error: ${message}`, line, column };
}

function unknownKeyWarnings(object: Record<string, unknown>, known: readonly string[], path: string): ConfigIssue[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const suggestion = closestMatch(key, known);
      return {
        path: `${path}${jsonKeyPath(key)}`,
        message: `is not a known key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: it is ignored`,
      };
    });
}

function jsonKeyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
