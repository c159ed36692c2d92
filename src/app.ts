import { dirname, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from './common/clock';
import { AppModule } from './app.module';
import { checkReachable, migrate } from './database/open-database';
import type { AppConfig } from './config/config';
import { AllExceptionsFilter, DomainExceptionFilter, errorBody } from './common/exception-filters';
import { CSV_CONTENT_TYPES, CSV_ROUTE, isStream } from './imports/imports.controller';
import { httpDuration, httpRequests } from './metrics/metrics';
import { AppLogger, requestId } from './common/logging';
import { HTTPS_ONLY_HEADERS, securityHeaders } from './common/security-headers';
import { installLeanAsyncResourceBind } from './common/async-resource-bind';
import { QuickValidationPipe } from './common/validation-pipe';

/** Request bodies above this are refused with 413 (docs/API.md §5). */
export const BODY_LIMIT_BYTES = 64 * 1024;
const WEB_ROOT = join(__dirname, '..', 'src', 'web', 'public');
/** Chart.js's browser build, served from the installed package. */
const CHART_ROOT = dirname(require.resolve('chart.js'));
/** The Telegram Mini Apps SDK's browser build (it reads the launch parameters), served from the installed package. */
const TMA_SDK_ROOT = dirname(require.resolve('@telegram-apps/sdk'));

/** Builds the whole application, migrated and initialised, not yet listening. */
export async function createApp(config: AppConfig, options: { clock?: Clock } = {}): Promise<NestFastifyApplication> {
  installLeanAsyncResourceBind();
  await checkReachable(config.database);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    logger: false,
    return503OnClosing: true,
    trustProxy: config.trustProxy,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
      requestId(request.headers['x-request-id']),
    // No route has a Fastify schema (Nest validates with its pipes), so Ajv and the
    // serializer compiler load only if one ever does: a thirtieth of start-up otherwise.
    schemaController: {
      compilersFactory: {
        buildValidator: lazily('@fastify/ajv-compiler') as never,
        buildSerializer: lazily('@fastify/fast-json-stringify-compiler') as never,
      },
    },
  });
  const logger = new AppLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.clock), adapter, {
    logger,
    bufferLogs: false,
    // With Slack on, the request's bytes stay on request.rawBody: Slack signs them, not the parsed body.
    rawBody: Boolean(config.slack),
  });
  app.useGlobalPipes(new QuickValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(), new DomainExceptionFilter());

  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const orm = app.get<MikroORM<AbstractSqlDriver>>(MikroORM);
  fastify.addHook('preValidation', rejectNonObjectBodies);
  // A CSV body stays a stream: the import reads it piece by piece, never whole (its own 100 MiB limit applies).
  fastify.addContentTypeParser(CSV_CONTENT_TYPES, (_request, payload, done) => done(null, payload));
  logRequests(fastify, logger);
  const headers = securityHeaders({ miniApp: Boolean(config.telegram?.miniApp) });
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    // request.protocol honours X-Forwarded-Proto when TRUST_PROXY=1.
    if (request.protocol === 'https') reply.headers(HTTPS_ONLY_HEADERS);
    done();
  });
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', wildcard: false, index: ['index.html'] });
  await app.register(fastifyStatic, {
    root: CHART_ROOT,
    prefix: '/vendor/chart/',
    // One route checked per request: wildcard: false would read the package's 106 files and add a
    // HEAD and GET route for each at start-up (about 50 ms), to serve only one of them.
    wildcard: true,
    decorateReply: false,
    allowedPath: (path) => path === '/chart.umd.min.js',
  });
  await app.register(fastifyStatic, {
    root: TMA_SDK_ROOT,
    prefix: '/vendor/tma/',
    wildcard: true,
    decorateReply: false,
    allowedPath: (path) => path === '/index.iife.js',
  });
  setUpOpenApi(app);

  await migrate(orm);
  await app.init();
  return app;
}

/** A Fastify compiler factory that requires its package on first use. */
function lazily(name: string): (...args: unknown[]) => unknown {
  let factory: ((...args: unknown[]) => unknown) | undefined;
  return (...args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    factory ??= (require(name) as () => (...args: unknown[]) => unknown)();
    return factory(...args);
  };
}

/** The OpenAPI document is built on the first request for it, not at start-up. */
function setUpOpenApi(app: NestFastifyApplication): void {
  const info = new DocumentBuilder()
    .setTitle('Tally')
    .setDescription('Retry-safe expense tracker. Every /expenses route needs `Authorization: Bearer TOKEN`.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, info), { jsonDocumentUrl: 'docs-json' });
}

/** JSON bodies must be objects: `[]`, `"x"` or `3` never reach a DTO. */
function rejectNonObjectBodies(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const body = request.body;
  if (isStream(body) && request.routeOptions.url !== CSV_ROUTE) {
    // Only the import reads a CSV stream; anywhere else a text body is the wrong media type.
    reply.status(415).header('Connection', 'close').send(errorBody(415, 'Content-Type must be application/json'));
    return;
  }
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    reply.status(400).send(errorBody(400, 'body must be a JSON object'));
    return;
  }
  if (body === null) {
    reply.status(400).send(errorBody(400, 'body must be a JSON object'));
    return;
  }
  done();
}

/** One line per request: method, path (no query, no body, no headers), status, milliseconds. */
function logRequests(fastify: FastifyInstance, logger: AppLogger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // The route pattern, not the path: /expenses/:id is one series, not one per id.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
    logger.request({
      reqId: request.id,
      method: request.method,
      route: labels.route,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      ms: reply.elapsedTime,
      ledgerId: (request as FastifyRequest & { ledger?: { id: number } }).ledger?.id,
    });
    done();
  });
}
