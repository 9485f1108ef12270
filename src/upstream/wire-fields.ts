/**
 * Field schemas the providers' wire shapes (`src/providers/<kind>/wire.ts`) are built from, with
 * zod: each shape is a schema and the DTO type it gives, so a client's check and its mapper's type
 * cannot drift apart. A shape requires only what its adapter cannot do without (ids, the containers
 * it walks); every other field is {@link lenient}: kept when it has its documented type, absent
 * otherwise, never a reason to reject a record (upstream garbage in one field loses nothing else).
 * No field transforms its value: a transform takes zod off its compiled fast path for objects
 * (measured: 3x the parse time of a page of Bocada jobs), so mappers normalize what they read.
 */
import { z } from 'zod';
import { canonicalTimestamp } from '../domain/timestamps.ts';

/** An enum value as sent: one of the documented values, or anything a newer service sends. */
export type Open<T extends string> = T | (string & {});

/** Any string, typed as the documented values `T` plus whatever a newer service sends. */
export const open = <T extends string>(): z.ZodType<Open<T>> => z.string();

/** A field the adapter does not depend on: its value when it has `type`, else absent; never rejects the record. */
export const lenient = <T extends z.ZodType>(type: T) => type.nullish().catch(undefined);

/** A record id: a non-empty string. */
export const Id = z.string().min(1);

/**
 * A date-time string `Date.parse` reads, for a record that cannot do without its instant (the
 * mapper writes it canonical with `toTimestamp`). Elsewhere an instant is a lenient string and the
 * mapper reads an unreadable one as null: a refinement per field would cost a list of thousands of
 * records more than its parse.
 */
export const Timestamp = z.string().refine((v) => canonicalTimestamp(v) !== null, 'not a date-time');
