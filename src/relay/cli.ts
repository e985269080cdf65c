/**
 * `cairn-relay`: the relay daemon's entrypoint. Parses flags, starts `RelayService`, prints
 * `cairn-relay listening <multiaddr>` per address on stdout (logs go to stderr), and stops
 * cleanly on SIGINT / SIGTERM: a second signal exits at once.
 */
import { createLogger } from './logger.ts';
import { parseRelayArgs, RelayConfigError, USAGE } from './relay-config.ts';
import { RelayService } from './relay-service.ts';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseRelayArgs>;
  try {
    parsed = parseRelayArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof RelayConfigError)) throw error;
    process.stderr.write(`cairn-relay: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { service, logLevel } = parsed.config;
  const logger = createLogger(logLevel, (line) => process.stderr.write(`${line}\n`));
  const relay = new RelayService({ logger }, service);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal: exiting without a clean stop', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    relay.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('clean stop failed', { error: error instanceof Error ? error.message : 'unknown' });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await relay.start();
  for (const address of relay.multiaddrs()) process.stdout.write(`cairn-relay listening ${address}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cairn-relay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
