import { loadConfig, routerEnv } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';
import { routerService } from './service.ts';

const config = loadConfig(routerEnv);
const log = createLogger(config.LOG_LEVEL, 'router');
await runUntilSignal('router', routerService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
