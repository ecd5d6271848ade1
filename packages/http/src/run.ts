import closeWithGrace from 'close-with-grace';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

export function createLogger(level: string, name: string): FastifyBaseLogger {
  return pino({ level, name }) as unknown as FastifyBaseLogger;
}

export interface Runnable {
  /** Starts listening or consuming; resolves with what to print (e.g. the URL). */
  start(): Promise<string | undefined>;
  /** Stops in order: HTTP, workers, queues, database, Redis. */
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGINT/SIGTERM or a fatal error, then stops it within `timeoutS`.
 * A shutdown that hangs past the deadline is forced: a stuck process is worse than a hard exit.
 */
export async function runUntilSignal(
  name: string,
  service: Runnable,
  log: FastifyBaseLogger,
  timeoutS: number,
): Promise<void> {
  closeWithGrace({ delay: timeoutS * 1000 }, async ({ signal, err }) => {
    if (err) log.fatal({ err }, `${name} stopping after a fatal error`);
    else log.info({ signal }, `${name} stopping`);
    await service.stop();
  });
  const where = await service.start();
  log.info(`${name} started${where ? ` at ${where}` : ''}`);
}
