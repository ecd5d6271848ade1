import { dialogueEnv, loadConfig } from '@samtal/config';
import { createLogger, runUntilSignal } from '@samtal/http';
import { dialogueService } from './service.ts';

const config = loadConfig(dialogueEnv);
const log = createLogger(config.LOG_LEVEL, 'dialogue');
await runUntilSignal('dialogue', dialogueService(config, log), log, config.SHUTDOWN_TIMEOUT_S);
