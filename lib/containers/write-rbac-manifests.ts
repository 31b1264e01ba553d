/**
 * Writes deploy/rbac/<manager>.yaml and the Helm chart's files/rbac-rules.yaml from
 * lib/containers/permissions.ts.
 * Run from the repository root: npx tsx lib/containers/write-rbac-manifests.ts
 * rbac.test.ts fails when the committed files differ, so they cannot drift from the list.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { committedRbacManifests } from './rbac';

const repositoryRoot = path.resolve(__dirname, '..', '..');
for (const [relativePath, content] of Object.entries(committedRbacManifests())) {
  const target = path.join(repositoryRoot, relativePath);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote ${relativePath}`);
}
