import { describe, expect, it } from 'vitest';
import { apiStateValues } from '../db/schema';
import { canTransition, isDeployedState, transitionsFrom } from './lifecycle';

describe('API lifecycle', () => {
  it('deploys in Pre-Released, Published and Deprecated only', () => {
    expect(apiStateValues.filter(isDeployedState)).toEqual(['PRE_RELEASED', 'PUBLISHED', 'DEPRECATED']);
  });

  it('lets a blocked API be re-published (the original created no gateway then)', () => {
    expect(canTransition('BLOCKED', 'PUBLISHED')).toBe(true);
    expect(transitionsFrom('BLOCKED').find((t) => t.to === 'PUBLISHED')).toMatchObject({ action: 'Re-Publish', undeploys: false });
  });

  it('marks exactly the transitions that remove gateways', () => {
    const undeploying = apiStateValues.flatMap((from) => transitionsFrom(from).filter((t) => t.undeploys).map((t) => `${from}->${t.to}`));
    expect(undeploying.sort()).toEqual(['DEPRECATED->RETIRED', 'PRE_RELEASED->CREATED', 'PUBLISHED->BLOCKED', 'PUBLISHED->CREATED'].sort());
  });

  it('reaches every state, offers at most one main next step per state, and none from Published', () => {
    const reachable = new Set<string>(['CREATED']);
    for (let pass = 0; pass < apiStateValues.length; pass++) {
      for (const from of [...reachable]) for (const t of transitionsFrom(from as never)) reachable.add(t.to);
    }
    expect([...reachable].sort()).toEqual([...apiStateValues].sort());
    for (const state of apiStateValues) expect(transitionsFrom(state).filter((t) => t.primary).length, state).toBeLessThanOrEqual(1);
    expect(transitionsFrom('CREATED').find((t) => t.primary)?.action).toBe('Publish');
    expect(transitionsFrom('PUBLISHED').some((t) => t.primary)).toBe(false);
    expect(transitionsFrom('DEPRECATED').find((t) => t.primary)?.action).toBe('Retire');
  });

  it('refuses transitions the table does not list', () => {
    expect(canTransition('RETIRED', 'PUBLISHED')).toBe(false);
    expect(canTransition('CREATED', 'DEPRECATED')).toBe(false);
    expect(transitionsFrom('RETIRED')).toEqual([]);
  });
});
