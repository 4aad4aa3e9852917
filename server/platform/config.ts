import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the server reads from its environment, parsed once at start.
 * The README's configuration table mirrors this schema; keep the two together.
 */
const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  PUBLIC_BASE_URL: z.string().url().optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '' || v === 'false' || v === '0') return false;
      if (v === 'true') return true;
      const hops = Number(v);
      if (Number.isInteger(hops) && hops > 0) return hops;
      ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY must be true, false or a hop count' });
      return z.NEVER;
    }),
  SESSION_SECRET: z.string().min(32).optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_CLIENT: z.coerce.number().int().min(1).default(20),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  SETUP_LINK_VALID_MINUTES: z.coerce.number().int().min(1).default(60),
  RESET_LINK_VALID_MINUTES: z.coerce.number().int().min(1).default(24 * 60),
  LOG_REQUESTS: booleanish.default(true),
  API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(120),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-f]{32}$/i, 'must be AC followed by 32 hex digits (the Account SID on the Twilio console)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'is too short to be a Twilio auth token').optional(),
  TWILIO_CALLER_ID: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be the Twilio number in E.164, e.g. +886277001234').optional(),
});

const TWILIO_VARIABLES = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_CALLER_ID'] as const;

/** Calling through Twilio: the account, the secret that signs its webhooks, and the number calls come from. */
export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  callerId: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Where users reach the server; links printed or sent use it. */
  publicBaseUrl: string;
  publicBaseUrlConfigured: boolean;
  trustProxy: boolean | number;
  sessionSecret: string | undefined;
  sessionIdleMinutes: number;
  logLevel: string;
  logRequests: boolean;
  login: { maxFailuresPerAccount: number; maxFailuresPerClient: number; windowMinutes: number };
  setupLinkValidMinutes: number;
  resetLinkValidMinutes: number;
  /** Requests to the open-data API (/api) allowed per token, or per client without one, per minute. */
  apiRequestsPerMinute: number;
  /** Null: manual mode (testers dial themselves and type the ring time). */
  twilio: TwilioConfig | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable (PORT= in a .env file) means the same as an unset one.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const twilio = twilioConfig(e);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    publicBaseUrlConfigured: e.PUBLIC_BASE_URL !== undefined,
    trustProxy: e.TRUST_PROXY,
    sessionSecret: e.SESSION_SECRET,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    logLevel: e.LOG_LEVEL,
    logRequests: e.LOG_REQUESTS,
    login: {
      maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerClient: e.LOGIN_MAX_FAILURES_PER_CLIENT,
      windowMinutes: e.LOGIN_WINDOW_MINUTES,
    },
    setupLinkValidMinutes: e.SETUP_LINK_VALID_MINUTES,
    resetLinkValidMinutes: e.RESET_LINK_VALID_MINUTES,
    apiRequestsPerMinute: e.API_REQUESTS_PER_MINUTE,
    twilio,
  };
}

/**
 * All three Twilio variables or none: half a configuration would leave the
 * product neither calling nor saying why. Twilio must reach the webhooks, so
 * calling also needs the public address set explicitly (the default,
 * http://localhost, is not reachable from Twilio).
 */
function twilioConfig(e: z.output<typeof envSchema>): TwilioConfig | null {
  const given = TWILIO_VARIABLES.filter((name) => e[name] !== undefined);
  if (given.length === 0) return null;
  const problems: string[] = [];
  if (given.length < TWILIO_VARIABLES.length) {
    const missing = TWILIO_VARIABLES.filter((name) => e[name] === undefined);
    problems.push(`  ${missing.join(', ')}: Twilio needs all of ${TWILIO_VARIABLES.join(', ')} or none of them (none: manual mode); ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set`);
  }
  if (e.PUBLIC_BASE_URL === undefined) {
    problems.push('  PUBLIC_BASE_URL: calling through Twilio needs the address at which Twilio reaches this server (its webhooks)');
  }
  if (problems.length > 0 || !e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN || !e.TWILIO_CALLER_ID) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, callerId: e.TWILIO_CALLER_ID };
}
