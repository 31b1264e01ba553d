import { Worker } from 'node:worker_threads';
import { invalid } from '../errors';

/**
 * Runs the parse + convert + validate of an API definition (definition-worker.mjs) in a worker
 * thread with a time budget and a memory cap: a definition whose $refs fan out can otherwise keep
 * the main thread busy for minutes, and with it every page and health check.
 */

/**
 * Nodes a definition may have once its local $refs are resolved, counted in the worker before
 * validation (which dereferences): real 2 MiB definitions stay far below it, a fan-out of refs
 * (20 levels x 10) reaches 10^20 and is refused in milliseconds.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

export interface DefinitionCheckLimits {
  /** The worker is terminated after this long and the definition refused. */
  timeBudgetMs: number;
  /** Old-generation heap of the worker; past it the worker dies and the definition is refused. */
  maxOldGenerationSizeMb: number;
  /** How many nodes the definition may have with its $refs resolved; past it, refused without validating. */
  maxExpandedNodes: number;
}

export const DEFAULT_DEFINITION_CHECK_LIMITS: DefinitionCheckLimits = { timeBudgetMs: 10_000, maxOldGenerationSizeMb: 512, maxExpandedNodes: MAX_EXPANDED_NODES };

type WorkerAnswer = { ok: true; document: Record<string, unknown> } | { ok: false; message?: string; field?: string; unexpected?: string };

function refusal(message: string, field = message) {
  return invalid(message, { definition: [field] });
}

/** Each check may take a core and 512 MB: parallel imports beyond this wait their turn. */
const MAX_CONCURRENT_CHECKS = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** Resolves with the (converted) document, $refs kept; rejects with `invalid()` naming what is wrong. */
export async function checkDefinitionInWorker(text: string, limits: DefinitionCheckLimits = DEFAULT_DEFINITION_CHECK_LIMITS): Promise<Record<string, unknown>> {
  if (running < MAX_CONCURRENT_CHECKS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await runWorker(text, limits);
  } finally {
    // The slot passes straight to the next waiter, so no newcomer can slip in between.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function runWorker(text: string, limits: DefinitionCheckLimits): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    // `new URL(..., import.meta.url)` is what vitest runs as is and what the Next.js bundler
    // recognises as a worker entry (it emits the worker and its imports into .next/server).
    const worker = new Worker(new URL('./definition-worker.mjs', import.meta.url), {
      workerData: { text, maxExpandedNodes: limits.maxExpandedNodes },
      resourceLimits: { maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb },
    });
    let outcome: { answer: WorkerAnswer } | { error: Error } | undefined;
    const budget = limits.timeBudgetMs % 1000 === 0 ? `${limits.timeBudgetMs / 1000} s` : `${limits.timeBudgetMs} ms`;
    const timer = setTimeout(() => {
      outcome ??= { error: refusal(`The definition could not be checked within ${budget}: its $refs expand beyond what can be validated (or it is too large). Reuse fewer schemas inside one another.`) };
      void worker.terminate();
    }, limits.timeBudgetMs);
    worker.on('message', (answer: WorkerAnswer) => {
      outcome ??= { answer };
    });
    worker.on('error', (error: Error & { code?: string }) => {
      outcome ??= {
        error:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? refusal(`The definition could not be checked within ${limits.maxOldGenerationSizeMb} MB of memory: its $refs expand beyond what can be validated.`)
            : error,
      };
    });
    // Settles only once the thread is gone, so a refused definition leaves no work running.
    worker.on('exit', () => {
      clearTimeout(timer);
      if (!outcome) return reject(new Error('The definition worker stopped without an answer.'));
      if ('error' in outcome) return reject(outcome.error);
      const { answer } = outcome;
      if (answer.ok) return resolve(answer.document);
      if (answer.message) return reject(refusal(answer.message, answer.field));
      reject(new Error(`Checking the definition failed: ${answer.unexpected}`));
    });
  });
}
