import { z } from 'zod';
import type { Db } from './db';

/**
 * Settings an administrator changes in the product (not the environment):
 * office hours and the planning rules. Kept as one validated JSON value;
 * missing keys take their defaults, so adding a setting needs no migration.
 */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'validation.time');

export const appSettingsSchema = z
  .object({
    officeStart: clock.default('08:30'),
    lunchStart: clock.default('12:00'),
    lunchEnd: clock.default('13:30'),
    officeEnd: clock.default('17:30'),
    windowMinutes: z.coerce.number().int().min(15, 'validation.invalid').max(240, 'validation.invalid').default(60),
    unitsPerMonth: z.union([z.literal('all'), z.coerce.number().int().min(1, 'validation.invalid').max(10000, 'validation.invalid')]).default(5),
    testsPerUnit: z.coerce.number().int().min(1, 'validation.invalid').max(5, 'validation.invalid').default(1),
    parts: z.array(z.enum(['switchboard', 'unit'])).min(1, 'settings.error.parts').default(['switchboard', 'unit']),
    draftDay: z.coerce.number().int().min(1, 'validation.invalid').max(28, 'validation.invalid').default(20),
    bandExcellent: z.coerce.number().min(0, 'validation.invalid').max(100, 'validation.invalid').default(90),
    bandGood: z.coerce.number().min(0, 'validation.invalid').max(100, 'validation.invalid').default(80),
    bandFair: z.coerce.number().min(0, 'validation.invalid').max(100, 'validation.invalid').default(70),
    followUpThreshold: z.coerce.number().min(0, 'validation.invalid').max(100, 'validation.invalid').default(80),
    attemptsBeforeUnreachable: z.coerce.number().int().min(1, 'validation.invalid').max(10, 'validation.invalid').default(3),
    unreachableRule: z.enum(['score', 'case'], { error: 'validation.choose' }).default('case'),
    unreachableScore: z.coerce.number().min(0, 'validation.invalid').max(100, 'validation.invalid').default(0),
    resultDeadlineDay: z.coerce.number().int().min(1, 'validation.invalid').max(28, 'validation.invalid').default(3),
    caseDueDays: z.coerce.number().int().min(1, 'validation.invalid').max(90, 'validation.invalid').default(14),
    retestWithinDays: z.coerce.number().int().min(1, 'validation.invalid').max(90, 'validation.invalid').default(30),
    repeatGuardHours: z.coerce.number().int().min(0, 'validation.invalid').max(720, 'validation.invalid').default(12),
    kioskGapSeconds: z.coerce.number().int().min(0, 'validation.invalid').max(600, 'validation.invalid').default(5),
    /** Calls through Twilio are recorded (after the tester's consent for each call); off unless an administrator turns it on. */
    recordCalls: z.preprocess((v) => (v === undefined || v === 'off' ? false : v === 'on' ? true : v), z.boolean({ error: 'validation.choose' })),
    /** Days a recording is kept at Twilio after it became available; then the retention job deletes it. */
    recordingRetentionDays: z.coerce.number().int().min(1, 'validation.invalid').max(3650, 'validation.invalid').default(90),
    invitationValidDays: z.coerce.number().int().min(1, 'validation.invalid').max(365, 'validation.invalid').default(30),
    invitationReminderDays: z.coerce.number().int().min(0, 'validation.invalid').max(60, 'validation.invalid').default(7),
  })
  .refine((s) => s.officeStart < s.lunchStart && s.lunchStart <= s.lunchEnd && s.lunchEnd < s.officeEnd, {
    path: ['lunchStart'],
    message: 'settings.error.hours',
  })
  .refine((s) => s.bandExcellent > s.bandGood && s.bandGood > s.bandFair, { path: ['bandGood'], message: 'settings.error.bands' });

export type AppSettings = z.output<typeof appSettingsSchema>;

export const DEFAULT_SETTINGS: AppSettings = appSettingsSchema.parse({});

/** How long an instance may use the settings it read before reading them again (other instances may have saved). */
const CACHE_MS = 5000;

export class AppSettingsRepo {
  private cached: { at: number; value: AppSettings } | undefined;

  constructor(private readonly db: Db) {}

  /**
   * The settings, from a short cache. Pass the transaction when inside one: it
   * reads fresh, and SQLite has a single connection that another read would wait for forever.
   */
  async get(trx?: Db): Promise<AppSettings> {
    if (!trx && this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.value;
    const row = await (trx ?? this.db)('settings').where({ key: 'app' }).first<{ value: string } | undefined>();
    const parsed = row ? appSettingsSchema.safeParse(JSON.parse(row.value)) : undefined;
    const value = parsed?.success ? parsed.data : DEFAULT_SETTINGS;
    this.cached = { at: Date.now(), value };
    return value;
  }

  async save(settings: AppSettings, now: string, trx: Db = this.db): Promise<void> {
    this.cached = undefined;
    await trx('settings')
      .insert({ key: 'app', value: JSON.stringify(settings), updated_at: now })
      .onConflict('key')
      .merge(['value', 'updated_at']);
  }
}
