import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

// The image cannot be built here (no container engine), so the Dockerfile is checked with the
// linter of the Dockerfile language server, and for what the gateway image promises.

const dockerfile = readFileSync(path.join(__dirname, '..', 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.trimStart().startsWith('#'));

describe('gateway Dockerfile', () => {
  it('passes the Dockerfile linter without errors or warnings', () => {
    expect(validate(dockerfile).map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`)).toEqual([]);
  });

  it('builds in one stage and runs from another, as a non-root user, with a health check', () => {
    expect(instructions.filter((line) => line.startsWith('FROM '))).toHaveLength(2);
    expect(instructions.findLast((line) => line.startsWith('USER '))).toMatch(/^USER (nonroot|\d+)/);
    expect(instructions.some((line) => line.startsWith('HEALTHCHECK ') && line.includes('/health/ready'))).toBe(true);
    // Only the bundle goes into the runtime stage: no node_modules, nothing to write at run time.
    const runtimeStage = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));
    expect(runtimeStage.filter((line) => line.startsWith('COPY '))).toEqual(['COPY --from=build /src/gateway/dist/gateway.mjs /app/gateway.mjs']);
  });

  it('catches a broken Dockerfile (the linter is really checking)', () => {
    const broken = dockerfile.replace('--interval=10s', '--intervall=10s').replace('EXPOSE 8080', 'EXPOSE eighty');
    expect(validate(broken).map((diagnostic) => diagnostic.message).sort()).toEqual(['Invalid containerPort: eighty', 'Unknown flag: intervall']);
  });
});
