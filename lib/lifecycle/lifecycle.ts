import type { ApiState } from '../db/schema';

/**
 * The API lifecycle: states, the transitions a publisher may take, and which states have
 * gateways running. Pure, so the Lifecycle tab, the service and the tests share one table.
 */

export interface Transition {
  action: string;
  to: ApiState;
  /** Removing gateways is asked for confirmation first. */
  undeploys: boolean;
  /** The natural next step from this state, shown as the main button (at most one per state). */
  primary: boolean;
}

export const STATE_LABELS: Record<ApiState, string> = {
  CREATED: 'Created',
  PRE_RELEASED: 'Pre-Released',
  PUBLISHED: 'Published',
  BLOCKED: 'Blocked',
  DEPRECATED: 'Deprecated',
  RETIRED: 'Retired',
};

/** States whose API has a gateway in each selected cluster. Deprecated stays reachable for existing subscribers. */
const DEPLOYED_STATES: ReadonlySet<ApiState> = new Set(['PRE_RELEASED', 'PUBLISHED', 'DEPRECATED']);

export function isDeployedState(state: ApiState): boolean {
  return DEPLOYED_STATES.has(state);
}

// Listed in the order the buttons show; `primary` marks the step most publishers take next (a
// published API has none: it is where an API is meant to stay).
const TRANSITIONS: Record<ApiState, { action: string; to: ApiState; primary?: true }[]> = {
  CREATED: [
    { action: 'Publish', to: 'PUBLISHED', primary: true },
    { action: 'Deploy as a Prototype', to: 'PRE_RELEASED' },
  ],
  PRE_RELEASED: [
    { action: 'Publish', to: 'PUBLISHED', primary: true },
    { action: 'Demote to Created', to: 'CREATED' },
  ],
  PUBLISHED: [
    { action: 'Deprecate', to: 'DEPRECATED' },
    { action: 'Block', to: 'BLOCKED' },
    { action: 'Demote to Created', to: 'CREATED' },
  ],
  BLOCKED: [
    { action: 'Re-Publish', to: 'PUBLISHED', primary: true },
    { action: 'Deprecate', to: 'DEPRECATED' },
    { action: 'Retire', to: 'RETIRED' },
  ],
  DEPRECATED: [
    { action: 'Retire', to: 'RETIRED', primary: true },
    { action: 'Re-Publish', to: 'PUBLISHED' },
  ],
  RETIRED: [],
};

export function transitionsFrom(state: ApiState): Transition[] {
  return TRANSITIONS[state].map((t) => ({ action: t.action, to: t.to, primary: t.primary === true, undeploys: isDeployedState(state) && !isDeployedState(t.to) }));
}

export function canTransition(from: ApiState, to: ApiState): boolean {
  return TRANSITIONS[from].some((t) => t.to === to);
}
