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

export interface CliArgs {
  /** `--name value` pairs. */
  values: Record<string, string | undefined>;
  /** Flags that stand alone (`--json`), from `switches`. */
  switches: Set<string>;
  positional: string[];
}

/** The command-line tools' one argument reader: `--name value` pairs, the given lone switches, and the rest in order. */
export function readArgs(args: string[], switches: string[] = []): CliArgs {
  const parsed: CliArgs = { values: {}, switches: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (name === undefined) parsed.positional.push(args[i]);
    else if (switches.includes(name)) parsed.switches.add(name);
    else parsed.values[name] = args[++i];
  }
  return parsed;
}
