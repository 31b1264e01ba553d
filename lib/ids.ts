import { z } from 'zod';

const uuid = z.uuid();

/** Ids in URLs and button actions come from the browser: anything but a UUID names nothing. */
export function isUuid(value: string): boolean {
  return uuid.safeParse(value).success;
}
