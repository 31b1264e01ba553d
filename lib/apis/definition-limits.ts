import { invalid } from '../errors';

/**
 * The one size limit of an API definition, whatever brings it in: a file, a paste, a URL (and the
 * REST API when it exists). Real providers publish 5 to 15 MB (GitHub's REST API: 13 MB, 811
 * paths); PRIVATEJET_MAX_DEFINITION_MIB changes it.
 */
export const DEFAULT_MAX_DEFINITION_MIB = 32;
/**
 * The largest definition the publisher's editor takes (characters, about bytes for the ASCII that
 * definitions are): 2 MiB is some 60,000 lines, beyond what anyone edits by hand, and stays quick
 * to highlight and to check with line positions. Larger ones are imported as files and shown as a
 * summary.
 */
export const MAX_EDITABLE_DEFINITION_CHARACTERS = 2 * 1024 * 1024;

/** The check's budget grows with the size (definition-check.ts): past this the worker's memory would not be bounded in any useful sense. */
const HIGHEST_MAX_DEFINITION_MIB = 256;
const MIB = 1024 * 1024;

/** PRIVATEJET_MAX_DEFINITION_MIB in bytes; a value that is not a whole number of MiB from 1 to 256 is an error (start-up stops on it). */
export function maxDefinitionBytes(env: Record<string, string | undefined> = process.env): number {
  const text = env.PRIVATEJET_MAX_DEFINITION_MIB?.trim();
  if (!text) return DEFAULT_MAX_DEFINITION_MIB * MIB;
  const mib = Number(text);
  if (!/^\d+$/.test(text) || mib < 1 || mib > HIGHEST_MAX_DEFINITION_MIB) {
    throw new Error(`PRIVATEJET_MAX_DEFINITION_MIB must be a whole number of MiB from 1 to ${HIGHEST_MAX_DEFINITION_MIB}, not "${text}"`);
  }
  return mib * MIB;
}

/** "32 MiB", "1.3 MiB", "512 KiB", "80 bytes": sizes as the UI and the messages state them. */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) {
    const mib = bytes / MIB;
    return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  }
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

export function definitionTooLargeMessage(limitBytes: number): string {
  return `The definition is larger than ${formatBytes(limitBytes)}, the most this platform imports.`;
}

/** Refuses a text over the limit before any work is spent on it. */
export function checkDefinitionSize(bytes: number, limitBytes = maxDefinitionBytes(), field = 'definition'): void {
  if (bytes > limitBytes) throw invalid(definitionTooLargeMessage(limitBytes), { [field]: [definitionTooLargeMessage(limitBytes)] });
}
