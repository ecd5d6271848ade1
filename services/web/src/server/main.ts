import { loadConfig, webEnv } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';
import { webService } from './service.ts';

const config = loadConfig(webEnv);
const log = createLogger(config.LOG_LEVEL, 'web');
await runUntilSignal('web', webService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
