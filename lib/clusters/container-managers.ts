import type { ConfigIssue } from '../config-issues';
import { closestMatch, describeValue, isPlainObject } from './config-values';

/**
 * Which container manager runs the clusters of each environment type: the built-in managers,
 * the default map, and the `[ContainerMgtConfig]` table of deployment.toml that extends it
 * (a built-in name or a JavaScript module path per type).
 */

export const KUBERNETES_TYPE = 'Kubernetes';
export const LOCAL_TYPE = 'Local';

export const BUILT_IN_MANAGERS = ['kubernetes', 'wso2-api-operator', 'local'] as const;
export type BuiltInManagerName = (typeof BUILT_IN_MANAGERS)[number];

/** Environment type → container manager (a built-in name or a module path). */
export type ContainerManagerMap = Readonly<Record<string, string>>;

export const DEFAULT_MANAGERS: ContainerManagerMap = Object.freeze({
  [KUBERNETES_TYPE]: 'kubernetes',
  [LOCAL_TYPE]: 'local',
});

/** The manager that runs clusters of `type`, or undefined when the type is not known. */
export function managerForType(type: string, managers: ContainerManagerMap = DEFAULT_MANAGERS): string | undefined {
  return Object.hasOwn(managers, type) ? managers[type] : Object.hasOwn(DEFAULT_MANAGERS, type) ? DEFAULT_MANAGERS[type] : undefined;
}

export function knownClusterTypes(managers: ContainerManagerMap = DEFAULT_MANAGERS): string[] {
  return [...new Set([...Object.keys(DEFAULT_MANAGERS), ...Object.keys(managers)])];
}

export function isModulePath(value: string): boolean {
  return value.startsWith('./') || value.startsWith('/');
}

function isBuiltInManager(value: string): value is BuiltInManagerName {
  return (BUILT_IN_MANAGERS as readonly string[]).includes(value);
}

/** `org.wso2.carbon.apimgt.impl.containermgt.K8sManager` — what the seed's example configures. */
function looksLikeJavaClassName(value: string): boolean {
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(value);
}

export interface ManagerMapCheck {
  managers: ContainerManagerMap;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/**
 * Validates the `[ContainerMgtConfig]` table. `locate()` spells the table, `locate(type)` one key.
 * A Java class name (the seed's example) cannot be loaded here: it falls back to the type's
 * built-in manager with a warning, or is an error for a type without one.
 */
export function checkManagerMap(raw: unknown, locate: (type?: string) => string): ManagerMapCheck {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const managers: Record<string, string> = { ...DEFAULT_MANAGERS };
  if (raw === undefined || raw === null) return { managers, errors, warnings };
  if (!isPlainObject(raw)) {
    errors.push({
      path: locate(),
      message: `must be a table of <Environment-type> = "<manager>" entries, e.g. Kubernetes = "kubernetes", not ${describeValue(raw)}`,
    });
    return { managers, errors, warnings };
  }
  for (const [type, value] of Object.entries(raw)) {
    const path = locate(type);
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push({ path, message: `must be the name of a container manager in quotes (${builtInManagerList()}) or a module path starting with "./" or "/", not ${describeValue(value)}` });
      continue;
    }
    const reference = value.trim();
    if (isBuiltInManager(reference) || isModulePath(reference)) {
      managers[type] = reference;
      continue;
    }
    const fallback = Object.hasOwn(DEFAULT_MANAGERS, type) ? DEFAULT_MANAGERS[type] : undefined;
    if (looksLikeJavaClassName(reference) && fallback) {
      managers[type] = fallback;
      warnings.push({
        path,
        message: `"${reference}" is a Java class name, which this server cannot load; the built-in "${fallback}" manager is used for ${type}. Set ${builtInManagerList()} or a module path starting with "./" or "/"`,
      });
      continue;
    }
    const suggestion = closestMatch(reference, BUILT_IN_MANAGERS);
    errors.push({
      path,
      message: `"${reference}" is not a known container manager${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: use ${builtInManagerList()} or a JavaScript module path starting with "./" or "/"`,
    });
  }
  return { managers, errors, warnings };
}

function builtInManagerList(): string {
  return BUILT_IN_MANAGERS.map((name) => `"${name}"`).join(', ');
}
