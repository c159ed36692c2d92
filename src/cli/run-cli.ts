import 'reflect-metadata';
import { ConfigError, loadConfig, loadDotEnv, AppConfig } from '../config/config';

/** Runs a command-line tool: configuration errors and failures end in one line and a non-zero exit. */
export function runCli(main: (config: AppConfig, args: string[]) => Promise<void>): void {
  let config: AppConfig;
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
  main(config, process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
