import { deskEnv, loadConfig } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';
import { deskService } from './service.ts';

const config = loadConfig(deskEnv);
const log = createLogger(config.LOG_LEVEL, 'desk');
await runUntilSignal('desk', deskService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
