import { insightsEnv, loadConfig } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';
import { insightsService } from './service.ts';

const config = loadConfig(insightsEnv);
const log = createLogger(config.LOG_LEVEL, 'insights');
await runUntilSignal('insights', insightsService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
