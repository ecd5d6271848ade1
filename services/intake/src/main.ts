import { intakeEnv, loadConfig } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';
import { intakeService } from './service.ts';

const config = loadConfig(intakeEnv);
const log = createLogger(config.LOG_LEVEL, 'intake');
await runUntilSignal('intake', intakeService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
