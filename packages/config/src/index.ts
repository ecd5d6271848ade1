import { z } from 'zod';

/**
 * The only module that reads process.env (a lint rule forbids it elsewhere).
 * Each service has one schema; `loadConfig` parses it once and hands a frozen object to the service.
 */

const port = z.coerce.number().int().min(0).max(65535);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const connections = {
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/samtal')
    .describe('PostgreSQL connection URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/ })
    .default('redis://127.0.0.1:6379')
    .describe('Redis connection URL'),
  /** Prefix of every BullMQ and pub/sub key, so environments (and test files) never collide. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9:_{}-]+$/, 'letters, digits and : _ - { } only')
    .default('samtal'),
  LOG_LEVEL: logLevel.default('info'),
};

const http = {
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Seconds a shutdown may take before the process is forced down. */
  SHUTDOWN_TIMEOUT_S: z.coerce.number().positive().max(300).default(10),
  /** Behind a load balancer: trust X-Forwarded-For for client addresses and rate limits. */
  TRUST_PROXY: boolean.default(false),
};

export const intakeEnv = z.object({
  ...connections,
  ...http,
  INTAKE_PORT: port.default(3000),
  /** Where uploaded photos are kept (the disk storage behind the storage interface). */
  UPLOAD_DIR: z.string().min(1).default('var/uploads'),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** How often the outbox sweep looks for rows the fast path did not publish (milliseconds). */
  OUTBOX_SWEEP_MS: z.coerce.number().int().positive().default(2000),
});
export type IntakeConfig = z.infer<typeof intakeEnv>;

export const routerEnv = z.object({
  ...connections,
  ...http,
  ROUTER_PORT: port.default(3001),
  ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /** Per-queue concurrency; each defaults to ROUTER_CONCURRENCY. */
  ROUTING_CONCURRENCY: z.coerce.number().int().min(1).max(500).optional(),
  CLOCKS_CONCURRENCY: z.coerce.number().int().min(1).max(500).optional(),
  SLA_CONCURRENCY: z.coerce.number().int().min(1).max(500).optional(),
  NOTIFICATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(500).optional(),
  /**
   * How long a worker's lock on an active job lasts, and how often workers look for jobs whose
   * lock lapsed (their process died): such a stalled job is run again. BullMQ's defaults (30 s).
   */
  ROUTER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  ROUTER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often the router checks for work Redis lost (it re-publishes from PostgreSQL). */
  ROUTER_RECONCILE_MS: z.coerce
    .number()
    .int()
    .min(500)
    .default(5 * 60_000),
  OUTBOX_SWEEP_MS: z.coerce.number().int().positive().default(2000),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.email().default('noreply@samtal.local'),
  /** Uploaded files (intake's and dialogue's UPLOAD_DIR): retention deletes the files of anonymised cases. */
  UPLOAD_DIR: z.string().min(1).default('var/uploads'),
  /** When the daily retention job runs, as a cron pattern in each municipality's own time zone. */
  RETENTION_CRON: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, 'a cron pattern of five fields, e.g. "30 2 * * *"')
    .default('30 2 * * *'),
  /** Cases anonymised per transaction by a retention run. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
});
export type RouterConfig = z.infer<typeof routerEnv>;

export const deskEnv = z.object({
  ...connections,
  ...http,
  DESK_PORT: port.default(3002),
  /** Signs session cookies. Must be set in production; the default only suits a laptop. */
  SESSION_SECRET: z.string().min(32).default('dev-only-session-secret-change-me-please-0123456789'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  COOKIE_SECURE: boolean.default(false),
  /** Live WebSocket: ping every this many ms; a socket that missed the previous pong is dropped. */
  LIVE_HEARTBEAT_MS: z.coerce.number().int().min(50).max(300_000).default(30_000),
  /** A staff socket whose unsent bytes would pass this is dropped (it resumes from its last id). */
  LIVE_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Safety net behind pub/sub: each desk instance also reads new case events this often. */
  LIVE_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
  /** Grace before a staff member whose last socket closed is marked offline (page reloads). */
  PRESENCE_OFFLINE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Uploaded files (intake's UPLOAD_DIR): erasure deletes a resident's files. */
  UPLOAD_DIR: z.string().min(1).default('var/uploads'),
});
export type DeskConfig = z.infer<typeof deskEnv>;

export const dialogueEnv = z.object({
  ...connections,
  ...http,
  DIALOGUE_PORT: port.default(3003),
  /** Where method materials (attachments) are kept (the disk storage behind the storage interface). */
  UPLOAD_DIR: z.string().min(1).default('var/uploads'),
  DIALOGUE_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Public writes (registrations, contributions, survey answers) per client address and minute. */
  DIALOGUE_PUBLIC_WRITES_PER_MINUTE: z.coerce.number().int().positive().default(30),
});
export type DialogueConfig = z.infer<typeof dialogueEnv>;

export const insightsEnv = z.object({
  ...connections,
  ...http,
  INSIGHTS_PORT: port.default(3004),
  /** How often the live wallboard pushes a fresh snapshot to each connected screen (milliseconds). */
  WALLBOARD_INTERVAL_MS: z.coerce.number().int().min(500).max(60_000).default(5000),
  /** How often the repeatable job brings the indicator rollups up to date (milliseconds). */
  ROLLUP_REFRESH_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(5 * 60 * 1000),
  /** Run the rollup worker in this process (turn off on read-only replicas of the API). */
  ROLLUP_WORKER: boolean.default(true),
});
export type InsightsConfig = z.infer<typeof insightsEnv>;

const upstream = z.url({ protocol: /^https?$/ });

export const webEnv = z.object({
  ...http,
  LOG_LEVEL: logLevel.default('info'),
  WEB_PORT: port.default(8080),
  /** The municipality the resident portal serves (slug), sent to the resident APIs. */
  WEB_TENANT: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/, 'must be a municipality slug')
    .default('vasteras'),
  /**
   * Where the web server proxies /api/<service>/ (same origin for cookies and CSP). Unset: the
   * service's default port on 127.0.0.1 (the launcher passes the ports it actually uses).
   */
  WEB_INTAKE_URL: upstream.optional(),
  WEB_DESK_URL: upstream.optional(),
  WEB_DIALOGUE_URL: upstream.optional(),
  WEB_INSIGHTS_URL: upstream.optional(),
  /** Build the front end on start when its sources are newer than the build (off for prebuilt images). */
  WEB_BUILD_ON_START: boolean.default(true),
});
export type WebConfig = z.infer<typeof webEnv>;

/** The launcher runs every service in one process, so it needs the union of their settings. */
export const launcherEnv = intakeEnv
  .extend(routerEnv.shape)
  .extend(deskEnv.shape)
  .extend(dialogueEnv.shape)
  .extend(insightsEnv.shape)
  .extend(webEnv.shape)
  .extend({
    /** Seed a demo municipality when the database is empty. */
    SEED_DEMO: boolean.default(true),
  });
export type LauncherConfig = z.infer<typeof launcherEnv>;

/** Settings of the test harness (vitest global setup and per-file contexts). */
export const testEnv = z.object({
  TEST_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/postgres')
    .describe('admin connection used to create the template and per-file databases'),
  REDIS_URL: connections.REDIS_URL,
});
export type TestConfig = z.infer<typeof testEnv>;

/** `pnpm seed:synthetic`: where to load the synthetic municipality. */
export const syntheticEnv = z.object({
  DATABASE_URL: connections.DATABASE_URL,
  LOG_LEVEL: logLevel.default('info'),
});
export type SyntheticConfig = z.infer<typeof syntheticEnv>;

/** `pnpm bench`: the machine's services and how long each measurement runs. */
export const benchEnv = z.object({
  /** Admin connection: benchmarks create (and drop) samtal_bench_* databases through it. */
  BENCH_ADMIN_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: connections.REDIS_URL,
  BENCH_DURATION_S: z.coerce.number().positive().max(600).default(10),
  BENCH_WARMUP_S: z.coerce.number().min(0).max(120).default(3),
  BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(50),
  /** Interleaved rounds of intake and its ceiling (the ratio is the median of per-round ratios). */
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(10).default(3),
  /** Case counts the indicator benchmark loads, comma-separated (10000000 takes a while). */
  BENCH_INDICATOR_CASES: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .default('1000000'),
  /** Seconds the indicator benchmark lets the rollup worker build rollups first (0: exact queries only). */
  BENCH_ROLLUP_BUDGET_S: z.coerce.number().int().min(0).default(0),
  /** Which indicator queries to time (labels, comma-separated; default all) and how often at least. */
  BENCH_INDICATOR_QUERIES: z.string().optional(),
  BENCH_INDICATOR_MIN_SAMPLES: z.coerce.number().int().min(1).max(100).default(3),
  BENCH_FANOUT_CLIENTS: z.coerce.number().int().min(1).max(20_000).default(1000),
  BENCH_ROUTING_CASES: z.coerce.number().int().min(1).default(5000),
  /** First port the benchmarks' servers listen on (each takes the next few). */
  BENCH_PORT: port.default(3900),
  /** Write a V8 CPU profile of each service started into this directory (node --cpu-prof). */
  BENCH_CPU_PROF_DIR: z.string().min(1).optional(),
  /** Run services from another checkout (a branch's worktree before it is merged): `path` or `intake=path,desk=path`. */
  BENCH_SERVICES_ROOT: z.string().min(1).optional(),
  /** Keep the scratch databases (for EXPLAIN ANALYZE afterwards). */
  BENCH_KEEP_DB: boolean.default(false),
});
export type BenchConfig = z.infer<typeof benchEnv>;

/**
 * V8 heap bounds each service runs with: its package.json `start` script and the benchmarks use
 * these. Node sizes its heap for the machine and collects lazily, so an unbounded service under load
 * held 250–280 MB; bounded, intake, router and desk stay under 150 MB at the same throughput
 * (docs/performance.md). Their live data is small; insights' too, since durations are tallies and
 * exact queries read through a cursor.
 */
const boundedHeap = ['--max-semi-space-size=4', '--max-old-space-size=160'];
export const serviceNodeFlags: Record<string, readonly string[]> = {
  intake: boundedHeap,
  router: boundedHeap,
  desk: boundedHeap,
  dialogue: boundedHeap,
  web: boundedHeap,
  insights: boundedHeap,
};

/** The environment of a child process: this one's, with `overrides` (for benchmark harnesses). */
export function childEnv(overrides: Record<string, string>): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses `env` against `schema`; throws a ConfigError naming every bad variable. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  // Empty strings count as unset, as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(environment)';
        const value = cleaned[name];
        return value === undefined
          ? `${name}: ${issue.message}`
          : `${name}=${JSON.stringify(value)}: ${issue.message}`;
      }),
    );
  }
  return Object.freeze(result.data);
}

/** For entry points: parse, or print what is wrong and exit non-zero. */
export function loadConfig<S extends z.ZodType>(schema: S): Readonly<z.infer<S>> {
  try {
    return parseConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
