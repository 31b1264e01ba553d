import { describe, expect, it } from 'vitest';
import { importsOf, isClientModule, isTestFile, sourceFilesUnder, valueImportsOf } from './test-support/source-imports';

// The rule: dependencies between the folders ("rooms") of lib/ run one way. When two rooms
// import each other (directly, or around a ring of several), neither can be understood, tested or changed without the other, and the
// direction a newcomer should follow is lost (e.g. lib/containers uses the cluster
// configuration of lib/clusters; lib/clusters knows nothing of the managers). Only product
// files count: a test may reach across rooms to set up what it checks. Modules at the root of
// lib/ (actor.ts, super-tenant.ts, ids.ts, tiers.ts, durations.ts, ...) are shared leaves, and
// each is a node of its own in the same graph.

type Edge = { from: string; to: string };

/** lib/<room>/... → room, lib/<file> → that file; lib/test-support is neither. */
function roomOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'lib' || parts[1] === 'test-support') return null;
  // A root file (lib/actor.ts) is a node of its own: a leaf that imported a room using it would close a loop too.
  return parts[1]!;
}

/** Every import from one room into another, grouped by "from->to". */
function edgesBetweenRooms(): Map<string, Edge[]> {
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
  return between;
}

/**
 * The loops among rooms (a → b → … → a), each found once, from its smallest room: two rooms that
 * import each other, or a longer ring such as http → net → oauth → http.
 */
function roomCycles(between: Map<string, Edge[]>): string[][] {
  const next = new Map<string, string[]>();
  for (const key of between.keys()) {
    const [from, to] = key.split('->') as [string, string];
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const cycles: string[][] = [];
  const walk = (start: string, path: string[]) => {
    for (const room of next.get(path.at(-1)!) ?? []) {
      if (room === start) cycles.push([...path, start]);
      // Only rooms after the start, so each loop is reported from its smallest room only.
      else if (room > start && !path.includes(room)) walk(start, [...path, room]);
    }
  };
  for (const start of [...next.keys()].sort()) walk(start, [start]);
  return cycles;
}

describe('lib/ rooms depend on each other one way', () => {
  const between = edgesBetweenRooms();

  it('sees the one-way dependencies it judges', () => {
    // If the scan read nothing, every rule below would pass; containers → clusters is a known edge.
    expect(between.has('containers->clusters')).toBe(true);
  });

  it('finds a loop when there is one (two rooms, or a longer ring)', () => {
    const edges = (...keys: string[]) => new Map(keys.map((key) => [key, [{ from: 'x', to: 'y' }]]));
    expect(roomCycles(edges('a->b', 'b->a', 'b->c'))).toEqual([['a', 'b', 'a']]);
    expect(roomCycles(edges('http->net', 'net->oauth', 'oauth->http', 'oauth->db'))).toEqual([['http', 'net', 'oauth', 'http']]);
    expect(roomCycles(edges('a->b', 'b->c', 'a->c'))).toEqual([]);
  });

  it('the imports among the rooms of lib/ form no loop', () => {
    const offenders = roomCycles(between).map((cycle) =>
      cycle
        .slice(1)
        .map((to, i) => {
          const edge = between.get(`${cycle[i]}->${to}`)![0]!;
          return `${edge.from} imports ${edge.to}`;
        })
        .join('; '),
    );
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

describe('the database stays on the server', () => {
  /** The modules a browser bundle gets when it loads `entry`: value imports, followed through the repository. */
  function browserModules(entry: string): Map<string, string> {
    const reachedFrom = new Map<string, string>([[entry, entry]]);
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const target of valueImportsOf(file)) {
        if (reachedFrom.has(target) || !/\.[cm]?[jt]sx?$/.test(target)) continue;
        reachedFrom.set(target, file);
        queue.push(target);
      }
    }
    return reachedFrom;
  }

  it('sees a client module that reaches lib/db (the rule can fail)', () => {
    expect(isClientModule('components/publisher/api-list.tsx')).toBe(true);
    expect(valueImportsOf('lib/tiers.ts').length + importsOf('lib/lifecycle/lifecycle.ts').length).toBeGreaterThan(0);
    // lib/lifecycle imports lib/db/schema for a type only, which brings nothing to the browser.
    expect(importsOf('lib/lifecycle/lifecycle.ts')).toContain('lib/db/schema.ts');
    expect(valueImportsOf('lib/lifecycle/lifecycle.ts')).not.toContain('lib/db/schema.ts');
    expect([...browserModules('lib/db/drizzle.ts').keys()]).toContain('lib/db/schema.ts');
  });

  it('no client component brings lib/db into the browser (the ORM and every table would ship with the page)', () => {
    const offenders = [...sourceFilesUnder('components'), ...sourceFilesUnder('app')]
      .filter((file) => !isTestFile(file) && isClientModule(file))
      .flatMap((entry) => {
        const reached = browserModules(entry);
        return [...reached.keys()].filter((file) => file.startsWith('lib/db/')).map((file) => {
          const chain = [file];
          while (chain[0] !== entry) chain.unshift(reached.get(chain[0]!)!);
          return chain.join(' → ');
        });
      });
    expect(offenders).toEqual([]);
  });
});
