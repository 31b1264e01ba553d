import { z } from 'zod';
import { auditOutcomeValues } from '../db/schema';

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : undefined));

const optionalTime = z
  .string()
  .trim()
  .max(40)
  .optional()
  .transform((value, context) => {
    if (!value) return undefined;
    const time = new Date(value);
    if (Number.isNaN(time.getTime())) {
      context.addIssue({ code: 'custom', message: 'Give a date and time such as 2026-01-31T09:00.' });
      return z.NEVER;
    }
    return time;
  });

/** The filters of the audit page and its export, from the query string: one schema for both. */
export const auditFiltersSchema = z.object({
  tenant: optionalText(253),
  user: optionalText(200),
  action: optionalText(100),
  objectType: optionalText(60),
  objectId: optionalText(200),
  outcome: z.enum(auditOutcomeValues).optional().or(z.literal('').transform(() => undefined)),
  from: optionalTime,
  to: optionalTime,
});
export type AuditFilters = z.infer<typeof auditFiltersSchema>;
