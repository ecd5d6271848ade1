import { intakeEnv, loadConfig } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';

const config = loadConfig(intakeEnv);
// Loaded after the configuration is known good, so a bad variable is reported at once.
const { intakeService } = await import('./service.ts');
const log = createLogger(config.LOG_LEVEL, 'intake');
await runUntilSignal('intake', intakeService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
