/**
 * Problems found in cluster configuration, located in the source's own spelling
 * (`ContainerMgt[0].ContainerMgtInfo[1].Properties.Namespace`,
 * `deployment.toml: ContainerMgtClusterConfig[0].properties.Namespace`).
 */
export interface ConfigIssue {
  /** Where the problem is, spelled the way the user wrote the source. */
  path: string;
  /** A sentence the user can act on. */
  message: string;
  /** 1-based position in the text, when the problem is a syntax error. */
  line?: number;
  column?: number;
}

/** One line: `<path>: <message>`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/**
 * Thrown when a configuration file cannot be used. `message` is one line naming the file,
 * the key and the problem (start-up logs it and stops); `issues` lists every problem found.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    super(first ? `${formatIssue(first)}${more}`.replace(/\s*\n\s*/g, ' ') : 'invalid configuration');
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
