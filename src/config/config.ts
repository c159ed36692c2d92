import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { findCurrency } from '../money/currency';
import { canonicalTimeZone, isTimeZone } from '../common/calendar';
import { DatabaseTarget, parseDatabaseUrl } from '../database/database-target';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TelegramConfig {
  token: string;
  apiRoot: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** How often queued chat messages are looked for besides right after each COMMIT (default 5 s; tests set it). */
  outboxCheckMs?: number;
  /** The page as a Telegram Mini App; undefined when TALLY_PUBLIC_URL is unset. */
  miniApp?: MiniAppConfig;
}

export interface MiniAppConfig {
  /** TALLY_PUBLIC_URL: where the page is served (the menu button and /app open it). */
  publicUrl: string;
  /** TELEGRAM_MINI_APP_NAME: the short name registered with BotFather, for group links. */
  shortName?: string;
  /** Init data older than this is refused (MINI_APP_MAX_AGE_SECONDS). */
  maxAgeSeconds: number;
}

export interface SlackConfig {
  /** xoxb-…: the bot token replies are posted with. */
  botToken: string;
  /** Checks every HTTP request's signature; required in HTTP mode. */
  signingSecret?: string;
  /** xapp-…: when set, Socket Mode (a WebSocket Tally opens) instead of the three HTTP routes. */
  appToken?: string;
  /** The Web API's root, without a trailing slash (a fake server in tests). */
  apiRoot: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** SQLite file or PostgreSQL server, from DATABASE_URL. */
  database: DatabaseTarget;
  defaultCurrency: string;
  defaultTimezone: string;
  idempotencyTtlHours: number;
  telegram?: TelegramConfig;
  slack?: SlackConfig;
  logLevel: LogLevel;
  /** json: one JSON object per line (default when stdout is not a terminal); pretty: Nest's coloured lines. */
  logFormat: 'json' | 'pretty';
  /** Behind a reverse proxy: X-Forwarded-Proto and X-Forwarded-For count (HSTS only for HTTPS requests). */
  trustProxy: boolean;
  /** When set, GET /metrics needs it as a bearer token. */
  metricsToken?: string;
  /** How often each instance looks for recurring expenses that fell due (1-60 s; a date is posted within this after it starts). */
  recurringCheckSeconds: number;
}

/** Start-up stops with this: one line that names the variable. */
export class ConfigError extends Error {}

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/** Reads and validates the environment once; every default lives here. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const port = Number(get('PORT') ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(get('PORT'))}`);
  }

  const defaultCurrency = get('DEFAULT_CURRENCY') ?? 'USD';
  if (!findCurrency(defaultCurrency)) {
    throw new ConfigError(
      `DEFAULT_CURRENCY must be an ISO 4217 code such as USD, got ${JSON.stringify(defaultCurrency)}`,
    );
  }

  const zone = get('DEFAULT_TIMEZONE') ?? 'UTC';
  if (!isTimeZone(zone)) {
    throw new ConfigError(
      `DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Berlin, got ${JSON.stringify(zone)}`,
    );
  }

  const ttl = Number(get('IDEMPOTENCY_TTL_HOURS') ?? '24');
  if (!Number.isFinite(ttl) || ttl <= 0) {
    throw new ConfigError(
      `IDEMPOTENCY_TTL_HOURS must be a positive number, got ${JSON.stringify(get('IDEMPOTENCY_TTL_HOURS'))}`,
    );
  }

  const logLevel = (get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }

  const logFormat = get('LOG_FORMAT') ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (logFormat !== 'json' && logFormat !== 'pretty')
    throw new ConfigError(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(logFormat)}`);

  const trustProxy = get('TRUST_PROXY') ?? '0';
  if (trustProxy !== '0' && trustProxy !== '1')
    throw new ConfigError(`TRUST_PROXY must be 0 or 1, got ${JSON.stringify(trustProxy)}`);

  const recurringCheck = Number(get('RECURRING_CHECK_SECONDS') ?? '30');
  if (!Number.isInteger(recurringCheck) || recurringCheck < 1 || recurringCheck > 60) {
    throw new ConfigError(
      `RECURRING_CHECK_SECONDS must be a whole number from 1 to 60, got ${JSON.stringify(get('RECURRING_CHECK_SECONDS'))}`,
    );
  }

  return {
    port,
    host: get('HOST') ?? '127.0.0.1',
    database: loadDatabase(get('DATABASE_URL') ?? 'sqlite:data/tally.sqlite'),
    defaultCurrency,
    defaultTimezone: canonicalTimeZone(zone),
    idempotencyTtlHours: ttl,
    telegram: loadTelegram(get),
    slack: loadSlack(get),
    logLevel,
    logFormat,
    trustProxy: trustProxy === '1',
    metricsToken: get('METRICS_TOKEN'),
    recurringCheckSeconds: recurringCheck,
  };
}

function loadDatabase(url: string): DatabaseTarget {
  try {
    return parseDatabaseUrl(url);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function loadTelegram(get: (name: string) => string | undefined): TelegramConfig | undefined {
  const token = get('TELEGRAM_BOT_TOKEN');
  if (!token) return undefined;
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(token)) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN does not look like a BotFather token (123456:ABC-DEF…)');
  }
  const apiRoot = get('TELEGRAM_API_ROOT') ?? 'https://api.telegram.org';
  requireHttpUrl('TELEGRAM_API_ROOT', apiRoot);
  const webhookUrl = get('TELEGRAM_WEBHOOK_URL');
  const webhookSecret = get('TELEGRAM_WEBHOOK_SECRET');
  if (webhookUrl) {
    requireHttpUrl('TELEGRAM_WEBHOOK_URL', webhookUrl);
    if (!webhookSecret) {
      throw new ConfigError(
        'TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set (1-256 of A-Z a-z 0-9 _ -)',
      );
    }
  }
  if (webhookSecret !== undefined && !WEBHOOK_SECRET.test(webhookSecret)) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -');
  }
  return { token, apiRoot: apiRoot.replace(/\/+$/, ''), webhookUrl, webhookSecret, miniApp: loadMiniApp(get) };
}

function loadMiniApp(get: (name: string) => string | undefined): MiniAppConfig | undefined {
  const publicUrl = get('TALLY_PUBLIC_URL');
  const maxAge = Number(get('MINI_APP_MAX_AGE_SECONDS') ?? '86400');
  if (!Number.isInteger(maxAge) || maxAge < 1) {
    throw new ConfigError(
      `MINI_APP_MAX_AGE_SECONDS must be a whole number of seconds, at least 1, got ${JSON.stringify(get('MINI_APP_MAX_AGE_SECONDS'))}`,
    );
  }
  const shortName = get('TELEGRAM_MINI_APP_NAME');
  if (shortName !== undefined && !/^[A-Za-z0-9_]{3,30}$/.test(shortName)) {
    throw new ConfigError(
      "TELEGRAM_MINI_APP_NAME must be the Mini App's short name from BotFather (3-30 of A-Z a-z 0-9 _)",
    );
  }
  if (!publicUrl) return undefined;
  requireHttpUrl('TALLY_PUBLIC_URL', publicUrl);
  return { publicUrl, shortName, maxAgeSeconds: maxAge };
}

function loadSlack(get: (name: string) => string | undefined): SlackConfig | undefined {
  const botToken = get('SLACK_BOT_TOKEN');
  if (!botToken) return undefined;
  if (!botToken.startsWith('xoxb-'))
    throw new ConfigError(
      "SLACK_BOT_TOKEN must be a bot token (xoxb-…), from the Slack app's OAuth & Permissions page",
    );
  const appToken = get('SLACK_APP_TOKEN');
  if (appToken !== undefined && !appToken.startsWith('xapp-')) {
    throw new ConfigError('SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope');
  }
  const signingSecret = get('SLACK_SIGNING_SECRET');
  if (!appToken && !signingSecret) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set (HTTP mode); find it under Basic Information in the Slack app',
    );
  }
  const apiRoot = get('SLACK_API_ROOT') ?? 'https://slack.com/api';
  requireHttpUrl('SLACK_API_ROOT', apiRoot);
  return { botToken, signingSecret, appToken, apiRoot: apiRoot.replace(/\/+$/, '') };
}

function requireHttpUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
}

/** Reads ./.env when present; variables already set in the environment win. */
export function loadDotEnv(path = resolve(process.cwd(), '.env')): void {
  if (!existsSync(path)) return;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
}
