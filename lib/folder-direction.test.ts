import { describe, expect, it } from 'vitest';
import { importsOf, isTestFile, sourceFilesUnder } from './test-support/source-imports';

// The rule: dependencies between the folders ("rooms") of lib/ run one way. When two rooms
// import each other, neither can be understood, tested or changed without the other, and the
// direction a newcomer should follow is lost (e.g. lib/containers uses the cluster
// configuration of lib/clusters; lib/clusters knows nothing of the managers). Only product
// files count: a test may reach across rooms to set up what it checks. Modules at the root of
// lib/ (actor.ts, super-tenant.ts, ids.ts, tiers.ts, durations.ts, ...) are shared leaves, not rooms.

type Edge = { from: string; to: string };

/** lib/<room>/... → room; root files of lib/ and lib/test-support are not rooms. */
function roomOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'lib' || parts.length < 3 || parts[1] === 'test-support') return null;
  return parts[1]!;
}

function twoWayPairs(): Map<string, { forward: Edge[]; backward: Edge[] }> {
  const between = new Map<string, Edge[]>();
  for (const from of sourceFilesUnder('lib').filter((file) => !isTestFile(file))) {
    const fromRoom = roomOf(from);
    if (!fromRoom) continue;
    for (const to of importsOf(from)) {
      const toRoom = roomOf(to);
      if (!toRoom || toRoom === fromRoom) continue;
      const key = `${fromRoom}->${toRoom}`;
      between.set(key, [...(between.get(key) ?? []), { from, to }]);
    }
  }
  const pairs = new Map<string, { forward: Edge[]; backward: Edge[] }>();
  for (const [key, forward] of between) {
    const [a, b] = key.split('->') as [string, string];
    const backward = between.get(`${b}->${a}`);
    if (a < b && backward) pairs.set(`${a}<->${b}`, { forward, backward });
  }
  return pairs;
}

describe('lib/ rooms depend on each other one way', () => {
  const pairs = twoWayPairs();

  it('sees the one-way dependencies it judges', () => {
    // If the scan read nothing, every rule below would pass; containers → clusters is a known edge.
    const containersUseClusters = sourceFilesUnder('lib/containers')
      .filter((file) => !isTestFile(file))
      .some((file) => importsOf(file).some((target) => target.startsWith('lib/clusters/')));
    expect(containersUseClusters).toBe(true);
  });

  it('no two rooms of lib/ import each other', () => {
    const offenders = [...pairs].map(([pair, { forward, backward }]) => `${pair}: ${forward[0]!.from} imports ${forward[0]!.to}; ${backward[0]!.from} imports ${backward[0]!.to}`);
    expect(offenders).toEqual([]);
  });

  it('clusters and containers in particular: containers uses clusters, clusters never uses containers', () => {
    const clustersUseContainers = sourceFilesUnder('lib/clusters')
      .filter((file) => !isTestFile(file))
      .flatMap((file) => importsOf(file).filter((target) => target.startsWith('lib/containers/')).map((target) => `${file} imports ${target}`));
    expect(clustersUseContainers).toEqual([]);
  });
});

describe('components receive what they need from app/', () => {
  it('no component and no lib module imports app/ (actions come in as props)', () => {
    const offenders = [...sourceFilesUnder('components'), ...sourceFilesUnder('lib').filter((file) => !file.startsWith('lib/test-support/'))]
      .filter((file) => !isTestFile(file))
      .flatMap((file) => importsOf(file).filter((target) => target.startsWith('app/')).map((target) => `${file} imports ${target}`));
    expect(offenders).toEqual([]);
  });
});
