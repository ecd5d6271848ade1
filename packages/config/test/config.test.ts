import { describe, expect, it } from 'vitest';
import { ConfigError, intakeEnv, parseConfig } from '../src/index.ts';

describe('parseConfig', () => {
  it('fills defaults for a laptop', () => {
    const config = parseConfig(intakeEnv, {});
    expect(config.INTAKE_PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/samtal');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces numbers and booleans', () => {
    const config = parseConfig(intakeEnv, { INTAKE_PORT: '4000', TRUST_PROXY: 'yes' });
    expect(config.INTAKE_PORT).toBe(4000);
    expect(config.TRUST_PROXY).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig(intakeEnv, { INTAKE_PORT: '' }).INTAKE_PORT).toBe(3000);
  });

  it('names every bad variable and its value', () => {
    let error: unknown;
    try {
      parseConfig(intakeEnv, { INTAKE_PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('INTAKE_PORT="abc"');
    expect(problems).toContain('DATABASE_URL="mysql://x"');
    expect(problems).toContain('LOG_LEVEL="loud"');
  });

  it('rejects a port out of range', () => {
    expect(() => parseConfig(intakeEnv, { INTAKE_PORT: '70000' })).toThrow(/INTAKE_PORT/);
  });
});
