import { describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { BaseEnv, ConfigError, loadConfig } from '../src';

describe('loadConfig', () => {
  const Env = Type.Object({
    ...BaseEnv.properties,
    OMNI_RESERVATION_TTL_S: Type.Integer({ minimum: 1, default: 900 }),
  });

  it('applies defaults and converts numbers', () => {
    const c = loadConfig(Env, { OMNI_HTTP_PORT: '9090' });
    expect(c.OMNI_HTTP_PORT).toBe(9090);
    expect(c.OMNI_RESERVATION_TTL_S).toBe(900);
    expect(c.OMNI_LOG_LEVEL).toBe('info');
  });

  it('names every bad variable and what was given', () => {
    try {
      loadConfig(Env, { OMNI_HTTP_PORT: 'eighty', OMNI_RESERVATION_TTL_S: '0', OMNI_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('OMNI_HTTP_PORT');
      expect(msg).toContain('"eighty"');
      expect(msg).toContain('OMNI_RESERVATION_TTL_S');
      expect(msg).toContain('OMNI_LOG_LEVEL');
    }
  });
});
