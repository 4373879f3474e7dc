import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('starts with sensible defaults on an empty environment', () => {
    const config = loadConfig({}, '/srv/sanjog');
    expect(config).toMatchObject({
      environment: 'development',
      port: 8080,
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: '/srv/sanjog/data',
      cookieSecure: false,
    });
    expect(config.otp).toMatchObject({ ttlSeconds: 300, maxAttempts: 5 });
  });

  it('names the variable and what it should be when a value is bad', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(
      /PORT must be a whole number from 0 to 65535 \(got "eighty"\)/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be a URL starting with postgres:\/\//,
    );
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV must be one of development, test, production/);
    expect(() => loadConfig({ COOKIE_SECURE: 'maybe' })).toThrow(/COOKIE_SECURE must be true or false/);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: '-1', REDIS_URL: 'http://redis' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('hides the password of a bad connection string', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' })).toThrow(/admin:\*\*\*@/);
  });

  it('asks for a shared secret, a real SMS gateway and secure cookies in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40) })).toThrow(
      /SMS_ADAPTER must be http in production/,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      SECRET_KEY: 'x'.repeat(40),
      SMS_ADAPTER: 'http',
      SMS_GATEWAY_URL: 'https://sms.example.org/send',
      SMS_GATEWAY_TOKEN: 'token',
    });
    expect(config.cookieSecure).toBe(true);
    expect(config.demoData).toBe(false);
  });

  it('reads STUN and TURN servers for calls, and wants the TURN secret with them', () => {
    const config = loadConfig({
      CALL_STUN_URLS: 'stun:stun.example.org:3478',
      CALL_TURN_URLS: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349?transport=tcp',
      CALL_TURN_SECRET: 'a-long-enough-shared-secret',
    });
    expect(config.calls).toMatchObject({
      stunUrls: ['stun:stun.example.org:3478'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349?transport=tcp'],
      turnSecret: 'a-long-enough-shared-secret',
    });
    expect(() => loadConfig({ CALL_TURN_URLS: 'turn:turn.example.org:3478' })).toThrow(/CALL_TURN_SECRET must be set/);
    expect(() => loadConfig({ CALL_STUN_URLS: 'http://stun.example.org' })).toThrow(
      /CALL_STUN_URLS must be a comma-separated list/,
    );
    expect(() => loadConfig({ CALL_TURN_URLS: 'stun:x:1', CALL_TURN_SECRET: 'a-long-enough-shared-secret' })).toThrow(
      /CALL_TURN_URLS/,
    );
  });
});
