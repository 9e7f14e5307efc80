import { z } from 'zod';
import { roles } from '@centralita/store';

/** A UUID path or body id. */
export const id = z.uuid({ message: 'must be a UUID' });
export const idParams = z.strictObject({ id });

/** Paging and sorting shared by every list endpoint. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Rows per page (1–200).'),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('Rows to skip.'),
  sort: z.string().max(40).optional().describe('Field to sort by; prefix with - for descending.'),
};

export const role = z.enum(roles);
export const language = z.enum(['es', 'en']);
export const queryBoolean = z.stringbool();
export const isoDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date and time, e.g. 2026-11-23T10:00:00Z' })
  .transform((value) => new Date(value));

/** A list response. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

export const customFields = z
  .record(z.string().min(1).max(60), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 50, { message: 'at most 50 custom fields' });

/** A ticket status code (built-in or the tenant's own). */
export const ticketStatusCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,39}$/, { message: 'must be a status code such as open or needs_follow_up' });
