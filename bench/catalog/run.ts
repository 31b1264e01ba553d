// Developer-portal catalog with 10,000 published APIs: server time of the catalog query (what the
// catalog page waits for) for a signed-in developer, a signed-out visitor, a deep page and a text
// search, beside the same calls on a tenant with 100 APIs in the same database and run. Prints
// p50/p95; not part of the tests. Design target: p95 < 150 ms with 10,000 APIs.
//
//   npx tsx bench/catalog/run.ts                      (embedded PGlite, in memory)
//   DATABASE_URL=postgres://… npx tsx bench/catalog/run.ts   (a PostgreSQL server; a throwaway database is made)
//
// APIS=10000 ROUNDS=100 by default.

import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { apis, tenants, users, type ApiState } from '../../lib/db/schema';
import { freshTestDatabase } from '../../lib/test-support/test-database';
import { listCatalog, listCatalogTags, type CatalogQuery } from '../../lib/portal/catalog.service';

const apiCount = Number(process.env.APIS ?? 10_000);
const rounds = Number(process.env.ROUNDS ?? 100);
const SMALL = 100;

const WORDS = ['payments', 'orders', 'inventory', 'shipping', 'customers', 'billing', 'catalog', 'weather', 'maps', 'identity', 'messaging', 'analytics'];

/** A plausible published API: a name, a sentence, two tags and an OpenAPI of a few paths. */
function apiRow(tenantId: string, index: number) {
  const word = WORDS[index % WORDS.length]!;
  const name = `${word[0]!.toUpperCase()}${word.slice(1)} ${index}`;
  const state: ApiState = index % 20 === 0 ? 'DEPRECATED' : index % 25 === 0 ? 'CREATED' : 'PUBLISHED';
  const paths = Object.fromEntries(
    ['items', 'items/{id}', 'search', 'reports'].map((path) => [`/${path}`, { get: { summary: `Read ${word} ${path}`, responses: { 200: { description: 'OK' } } } }]),
  );
  return {
    tenantId,
    name,
    version: '1.0.0',
    context: `/${word}-${index}`,
    description: `The ${word} API number ${index}: create, read and search ${word} records for partner applications.`,
    tags: [word, index % 2 ? 'internal' : 'partner'],
    visibility: (index % 10 === 0 ? 'private' : 'public') as 'public' | 'private',
    state,
    productionEndpoints: [`http://${word}.backend.internal:8080`],
    openapi: { openapi: '3.0.3', info: { title: name, version: '1.0.0' }, paths },
    security: { oauth2: true, basic: false },
    tiers: ['Gold', 'Unlimited'],
    cors: { enabled: false, allowedOrigins: [] },
  };
}

async function main(): Promise<void> {
  const database = await freshTestDatabase();
  try {
    const [large, small] = await database.db
      .insert(tenants)
      .values([
        { domain: 'large.example', displayName: 'Large' },
        { domain: 'small.example', displayName: 'Small' },
      ])
      .returning({ id: tenants.id, domain: tenants.domain });
    const actorFor = async (tenant: { id: string; domain: string }): Promise<Actor> => {
      const [user] = await database.db
        .insert(users)
        .values({ tenantId: tenant.id, username: 'dev', displayName: 'dev', passwordHash: 'unused', roles: ['subscriber'] })
        .returning({ id: users.id });
      return { userId: user!.id, username: 'dev', displayName: 'dev', roles: ['subscriber'], tenantId: tenant.id, tenantDomain: tenant.domain };
    };

    const seedStarted = performance.now();
    for (const [tenant, count] of [[large!, apiCount], [small!, SMALL]] as const) {
      for (let start = 0; start < count; start += 500) {
        const rows = Array.from({ length: Math.min(500, count - start) }, (_, offset) => apiRow(tenant.id, start + offset));
        await database.db.insert(apis).values(rows);
      }
    }
    await database.db.execute(sql`analyze`);
    console.log(`seeded ${apiCount} + ${SMALL} APIs in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`);

    const largeDev = await actorFor(large!);
    const smallDev = await actorFor(small!);
    const scenarios: { name: string; query: (actor: Actor, domain: string) => CatalogQuery }[] = [
      { name: 'developer, first page', query: (actor) => ({ actor }) },
      { name: 'developer, last page', query: (actor, domain) => ({ actor, page: domain === large!.domain ? Math.ceil(apiCount / 12) : Math.ceil(SMALL / 12) }) },
      { name: 'visitor (public APIs of a portal), first page', query: (_actor, domain) => ({ actor: null, tenantDomain: domain }) },
      { name: 'search "payments" (1 in 12 match)', query: (actor) => ({ actor, q: 'payments' }) },
      { name: 'search with no match', query: (actor) => ({ actor, q: 'no-such-api-anywhere' }) },
      { name: 'tag "payments" (1 in 12 carry it)', query: (actor) => ({ actor, tag: 'payments' }) },
      { name: 'state deprecated (1 in 20)', query: (actor) => ({ actor, state: 'deprecated' }) },
      { name: 'tag "partner" + published + search "orders", page 2', query: (actor) => ({ actor, tag: 'partner', state: 'published', q: 'orders', page: 2 }) },
      { name: 'visitor, tag "internal", last page', query: (_actor, domain) => ({ actor: null, tenantDomain: domain, tag: 'internal', page: domain === large!.domain ? 375 : 4 }) },
    ];

    const time = async (run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> => {
      for (let warm = 0; warm < 10; warm++) await run();
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      samples.sort((a, b) => a - b);
      return { p50: samples[Math.floor(samples.length * 0.5)]!, p95: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.95))]! };
    };

    const roundTrip = await time(() => database.db.execute(sql`select 1`));
    const lines = [
      `| catalog call | ${SMALL} APIs p50 / p95 ms | ${apiCount} APIs p50 / p95 ms | p95 ratio |`,
      '|---|---:|---:|---:|',
      `| baseline: "select 1" round trip | ${roundTrip.p50.toFixed(2)} / ${roundTrip.p95.toFixed(2)} | | |`,
    ];
    for (const scenario of scenarios) {
      const few = await time(() => listCatalog(scenario.query(smallDev, small!.domain)));
      const many = await time(() => listCatalog(scenario.query(largeDev, large!.domain)));
      lines.push(`| ${scenario.name} | ${few.p50.toFixed(2)} / ${few.p95.toFixed(2)} | ${many.p50.toFixed(2)} / ${many.p95.toFixed(2)} | ${(many.p95 / few.p95).toFixed(1)}× |`);
    }
    // The catalog page also lists the tags of the visible APIs for the tag filter, beside the page query.
    for (const [name, run] of [
      ['tag list for the filter (developer)', (actor: Actor) => listCatalogTags({ actor })],
      ['page + tag list, as the catalog page runs them', (actor: Actor) => Promise.all([listCatalog({ actor, tag: 'payments' }), listCatalogTags({ actor })])],
    ] as const) {
      const few = await time(() => run(smallDev));
      const many = await time(() => run(largeDev));
      lines.push(`| ${name} | ${few.p50.toFixed(2)} / ${few.p95.toFixed(2)} | ${many.p50.toFixed(2)} / ${many.p95.toFixed(2)} | ${(many.p95 / few.p95).toFixed(1)}× |`);
    }
    console.log(lines.join('\n'));
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
