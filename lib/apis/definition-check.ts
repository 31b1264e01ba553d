import { Worker } from 'node:worker_threads';
import type { DefinitionSummary } from '../db/schema';
import { AppError, type DocumentProblem } from '../errors';

/**
 * Runs the parse + convert + validate of an API definition (definition-worker.mjs) in a worker
 * thread with a time budget and a memory cap: a definition whose $refs fan out can otherwise keep
 * the main thread busy for minutes, and with it every page and health check.
 */

/**
 * Nodes a definition may have once its local $refs are resolved, counted in the worker before
 * validation (which dereferences, in time proportional to this count): GitHub's 13 MB REST API
 * definition has 2.0 million, so real providers fit with room to spare, while a fan-out of refs
 * (20 levels x 10) reaches 10^20 and is refused in milliseconds.
 */
export const MAX_EXPANDED_NODES = 10_000_000;

/** Nodes that YAML aliases may copy when the document is stored as JSON (js-yaml shares them). */
export const MAX_ALIASED_NODES = 100_000;

export interface DefinitionCheckLimits {
  /** The worker is terminated after this long and the definition refused. */
  timeBudgetMs: number;
  /** Old-generation heap of the worker; past it the worker dies and the definition is refused. */
  maxOldGenerationSizeMb: number;
  /** How many nodes the definition may have with its $refs resolved; past it, refused without validating. */
  maxExpandedNodes: number;
  /** How many nodes YAML aliases may copy; past it, refused. */
  maxAliasedNodes: number;
}

/** The budget of a small definition; larger ones get more (definitionCheckLimitsFor). */
export const DEFAULT_DEFINITION_CHECK_LIMITS: DefinitionCheckLimits = {
  timeBudgetMs: 10_000,
  maxOldGenerationSizeMb: 512,
  maxExpandedNodes: MAX_EXPANDED_NODES,
  maxAliasedNodes: MAX_ALIASED_NODES,
};

const MIB = 1024 * 1024;

/**
 * The budget grows with the text, as parsing and validating do: 10 s and 512 MB, plus 2 s and
 * 32 MB per MiB. GitHub's 13 MB definition (811 paths, 10,460 $refs) took 6 to 10 s on 2 busy
 * cores and passes with 256 MB; it gets 35 s and 900 MB. A small definition whose $refs fan out
 * still has 10 s.
 */
export function definitionCheckLimitsFor(bytes: number): DefinitionCheckLimits {
  const mib = bytes / MIB;
  return {
    ...DEFAULT_DEFINITION_CHECK_LIMITS,
    timeBudgetMs: Math.round(DEFAULT_DEFINITION_CHECK_LIMITS.timeBudgetMs + 2_000 * mib),
    maxOldGenerationSizeMb: Math.round(DEFAULT_DEFINITION_CHECK_LIMITS.maxOldGenerationSizeMb + 32 * mib),
  };
}

export interface CheckedDefinition {
  /**
   * The (converted) document as JSON, $refs kept. Text rather than objects: deserialising 13 MB of
   * objects would block the request thread for a moment the worker was there to spare it, and
   * the database takes the text as it is.
   */
  json: string;
  summary: DefinitionSummary;
}

type WorkerAnswer =
  | { ok: true; json: string; summary: Omit<DefinitionSummary, 'bytes'> }
  | { ok: false; message?: string; field?: string; problems?: DocumentProblem[]; unexpected?: string };

/** A refused definition: the sentence, what the form shows under the field, and where in the text (when the check could tell). */
function refusal(message: string, field = message, problems: DocumentProblem[] = []) {
  return new AppError('validation', message, { definition: [field] }, { problems });
}

/** Each check may take a core and 512 MB: parallel imports beyond this wait their turn. */
const MAX_CONCURRENT_CHECKS = 2;
/** Each waiting check holds its text (up to the size limit) in memory: beyond this many, refused. */
const MAX_WAITING_CHECKS = 8;
let running = 0;
const waiting: Array<() => void> = [];

export const CHECKS_BUSY_MESSAGE = 'The server is checking many other definitions right now; try again in a minute.';

/** True when a new check would be refused: callers can say so before reading a large body. */
export function definitionChecksBusy(): boolean {
  return running >= MAX_CONCURRENT_CHECKS && waiting.length >= MAX_WAITING_CHECKS;
}

/** Resolves with the (converted) document as JSON, $refs kept, and its summary; rejects with `invalid()` naming what is wrong. */
export async function checkDefinitionInWorker(text: string, limits: DefinitionCheckLimits = definitionCheckLimitsFor(Buffer.byteLength(text))): Promise<CheckedDefinition> {
  if (running < MAX_CONCURRENT_CHECKS) running++;
  else if (waiting.length >= MAX_WAITING_CHECKS) throw new AppError('unavailable', CHECKS_BUSY_MESSAGE);
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

function runWorker(text: string, limits: DefinitionCheckLimits): Promise<CheckedDefinition> {
  return new Promise((resolve, reject) => {
    // `new URL(..., import.meta.url)` is what vitest runs as is and what the Next.js bundler
    // recognises as a worker entry (it emits the worker and its imports into .next/server).
    const worker = new Worker(new URL('./definition-worker.mjs', import.meta.url), {
      workerData: { text, maxExpandedNodes: limits.maxExpandedNodes, maxAliasedNodes: limits.maxAliasedNodes },
      resourceLimits: { maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb },
    });
    let outcome: { answer: WorkerAnswer } | { error: Error } | undefined;
    const budget = limits.timeBudgetMs >= 1000 ? `${Math.round(limits.timeBudgetMs / 100) / 10} s` : `${limits.timeBudgetMs} ms`;
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
      if (answer.ok) return resolve({ json: answer.json, summary: { ...answer.summary, bytes: Buffer.byteLength(text) } });
      if (answer.message) return reject(refusal(answer.message, answer.field, answer.problems));
      reject(new Error(`Checking the definition failed: ${answer.unexpected}`));
    });
  });
}
