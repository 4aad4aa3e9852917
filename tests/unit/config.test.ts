import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/platform/config';

/** The ConfigError that loading `env` throws. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('starts with working defaults from an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      env: 'development',
      port: 3000,
      host: '0.0.0.0',
      dataDir: path.resolve('data'),
      databaseUrl: undefined,
      publicBaseUrl: 'http://localhost:3000',
      trustProxy: false,
      sessionSecret: undefined,
      sessionIdleMinutes: 30,
      logLevel: 'info',
      logRequests: true,
      login: { maxFailuresPerAccount: 5, maxFailuresPerClient: 20, windowMinutes: 15 },
      setupLinkValidMinutes: 60,
      resetLinkValidMinutes: 24 * 60,
    });
  });

  it('resolves DATA_DIR against the working directory and keeps absolute paths', () => {
    expect(loadConfig({ DATA_DIR: 'var/app' }).dataDir).toBe(path.join(process.cwd(), 'var/app'));
    expect(loadConfig({ DATA_DIR: '/srv/courtesy' }).dataDir).toBe('/srv/courtesy');
  });

  it('reads numbers and flags given as text', () => {
    expect(loadConfig({ PORT: '8080', SESSION_IDLE_MINUTES: '45', LOG_REQUESTS: 'no', NODE_ENV: 'production' })).toMatchObject({
      port: 8080,
      sessionIdleMinutes: 45,
      logRequests: false,
      env: 'production',
    });
  });

  it('builds the default public address from the port', () => {
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it('strips trailing slashes from PUBLIC_BASE_URL', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://survey.example.gov.tw/' }).publicBaseUrl).toBe('https://survey.example.gov.tw');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://example.gov.tw/courtesy//' }).publicBaseUrl).toBe('https://example.gov.tw/courtesy');
  });

  it.each<[string | undefined, boolean | number]>([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
  ])('reads TRUST_PROXY=%j as %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  it.each(['yes', '-1', '1.5', 'loopback'])('refuses TRUST_PROXY=%j, naming the variable', (value) => {
    expect(configError({ TRUST_PROXY: value }).message).toContain('TRUST_PROXY: TRUST_PROXY must be true, false or a hop count');
  });

  it.each(['abc', '70000', '-1', '80.5'])('refuses PORT=%j, naming the variable', (value) => {
    expect(configError({ PORT: value }).message).toMatch(/^Invalid configuration:\n {2}PORT: /);
  });

  it('treats an empty PORT like an unset one rather than as port 0', () => {
    expect(loadConfig({ PORT: '' })).toMatchObject({ port: 3000, publicBaseUrl: 'http://localhost:3000' });
  });

  it('lists every invalid variable at once', () => {
    const message = configError({ PORT: 'x', LOG_LEVEL: 'loud', SESSION_SECRET: 'short', PUBLIC_BASE_URL: 'not a url' }).message;
    expect(message.split('\n').map((line) => line.split(':')[0]?.trim())).toEqual([
      'Invalid configuration',
      'PORT',
      'PUBLIC_BASE_URL',
      'SESSION_SECRET',
      'LOG_LEVEL',
    ]);
  });

  describe('Twilio', () => {
    const TWILIO = {
      TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
      TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
      TWILIO_CALLER_ID: '+886277001234',
      PUBLIC_BASE_URL: 'https://courtesy.example.gov.tw',
    };
    const without = (name: keyof typeof TWILIO) => Object.fromEntries(Object.entries(TWILIO).filter(([key]) => key !== name));

    it('is off (manual mode) without its variables', () => {
      expect(loadConfig({}).twilio).toBeNull();
      expect(loadConfig({ PUBLIC_BASE_URL: 'https://courtesy.example.gov.tw' }).twilio).toBeNull();
    });

    it('reads all three with a public address', () => {
      expect(loadConfig(TWILIO).twilio).toEqual({ accountSid: TWILIO.TWILIO_ACCOUNT_SID, authToken: TWILIO.TWILIO_AUTH_TOKEN, callerId: '+886277001234' });
    });

    it.each([
      ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN, TWILIO_CALLER_ID'],
      ['TWILIO_AUTH_TOKEN', 'TWILIO_ACCOUNT_SID, TWILIO_CALLER_ID'],
    ])('refuses %s alone, naming the missing ones', (given, missing) => {
      const env = { PUBLIC_BASE_URL: TWILIO.PUBLIC_BASE_URL, [given]: TWILIO[given as keyof typeof TWILIO] };
      const message = configError(env).message;
      expect(message).toContain(`  ${missing}: Twilio needs all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_CALLER_ID or none of them`);
    });

    it('refuses two of three', () => {
      expect(configError(without('TWILIO_CALLER_ID')).message).toMatch(/TWILIO_CALLER_ID: Twilio needs all of .* TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN are set/);
    });

    it('needs PUBLIC_BASE_URL set, as Twilio must reach the webhooks', () => {
      expect(configError(without('PUBLIC_BASE_URL')).message).toContain('PUBLIC_BASE_URL: calling through Twilio needs the address at which Twilio reaches this server');
    });

    it.each([
      ['TWILIO_ACCOUNT_SID', 'SK0123456789abcdef0123456789abcdef', 'must be AC followed by 32 hex digits'],
      ['TWILIO_CALLER_ID', '02-7700-1234', 'must be the Twilio number in E.164'],
      ['TWILIO_AUTH_TOKEN', 'abc123xyz', 'is too short'],
    ])('refuses a malformed %s without echoing it', (name, value, problem) => {
      const message = configError({ ...TWILIO, [name]: value }).message;
      expect(message).toContain(`${name}: ${problem}`);
      expect(message).not.toContain(value);
    });

    it('never puts the auth token into an error message', () => {
      expect(configError(without('TWILIO_CALLER_ID')).message).not.toContain(TWILIO.TWILIO_AUTH_TOKEN);
    });
  });
});
