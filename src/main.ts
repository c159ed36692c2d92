import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv } from './config/config';

/** Requests in flight get this long to finish after SIGTERM. */
const SHUTDOWN_GRACE_MS = 15_000;

async function main(): Promise<void> {
  let config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = new Logger('Tally');
  const app = await createApp(config);
  // Our own signal handling (not enableShutdownHooks) so a clean stop exits 0:
  // requests in flight finish, new ones get 503, the database closes.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // No new connections from here on: app.close() runs Nest's shutdown hooks
      // before Fastify closes the listener, and a connection accepted meanwhile
      // would be served as if nothing had happened.
      const server = app.getHttpServer();
      server.close();
      logger.log(`${signal} received, shutting down`);
      // Keep-alive connections that finish their last request after close()
      // began would hold the server open: close each as soon as it is idle.
      setInterval(() => server.closeIdleConnections(), 100).unref();
      setTimeout(() => {
        logger.error(`still busy ${SHUTDOWN_GRACE_MS} ms after ${signal}; exiting`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      app.close().then(
        () => process.exit(0),
        (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ port: config.port, host: config.host });
  if (!config.telegram) logger.log('Telegram bot disabled: TELEGRAM_BOT_TOKEN is not set');
  if (!config.slack) logger.log('Slack disabled: SLACK_BOT_TOKEN is not set');
  logger.log(`listening on http://${config.host}:${(app.getHttpServer().address() as { port: number }).port}`);
}

main().catch((error: Error) => {
  console.error(`Start-up failed: ${error.message}`);
  process.exit(1);
});
