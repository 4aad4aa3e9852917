import { bridgeTwiml, extensionDigits, gatherTwiml, sayAllAndHangupTwiml, sayAndHangupTwiml, type BridgeTwimlOptions } from '../../server/telephony/twiml';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const BASE: BridgeTwimlOptions = {
  unitNumber: '+886223456789',
  callerId: '+886277001234',
  unitStatusCallbackUrl: 'https://courtesy.example.gov.tw/telephony/unit-status?test=42&leg=unit',
};
const NUMBER_ATTRS =
  'statusCallback="https://courtesy.example.gov.tw/telephony/unit-status?test=42&amp;leg=unit" statusCallbackMethod="POST" statusCallbackEvent="initiated ringing answered completed"';

describe('bridgeTwiml', () => {
  it('dials the unit, asking for every progress event of its leg', () => {
    expect(bridgeTwiml(BASE)).toBe(
      `${DECL}<Response><Dial callerId="+886277001234" answerOnBridge="true" timeout="30"><Number ${NUMBER_ATTRS}>+886223456789</Number></Dial></Response>`,
    );
  });

  it('keys the extension after half-second pauses once the switchboard answers', () => {
    expect(bridgeTwiml({ ...BASE, extension: '1234' })).toBe(
      `${DECL}<Response><Dial callerId="+886277001234" answerOnBridge="true" timeout="30"><Number ${NUMBER_ATTRS} sendDigits="wwww1234">+886223456789</Number></Dial></Response>`,
    );
    expect(bridgeTwiml({ ...BASE, extension: '56#', extensionDelaySeconds: 1.5 })).toContain('sendDigits="www56#"');
    expect(bridgeTwiml({ ...BASE, extension: null })).not.toContain('sendDigits');
  });

  it('records both parties on two channels from the answer, with a callback for the file', () => {
    expect(bridgeTwiml({ ...BASE, recording: { statusCallbackUrl: 'https://courtesy.example.gov.tw/telephony/recording?test=42' }, ringTimeoutSeconds: 45, answerOnBridge: false })).toBe(
      `${DECL}<Response><Dial callerId="+886277001234" answerOnBridge="false" timeout="45" record="record-from-answer-dual"` +
        ' recordingStatusCallback="https://courtesy.example.gov.tw/telephony/recording?test=42" recordingStatusCallbackMethod="POST"' +
        ` recordingStatusCallbackEvent="completed absent"><Number ${NUMBER_ATTRS}>+886223456789</Number></Dial></Response>`,
    );
  });

  it('posts DialCallStatus to the action URL when asked', () => {
    expect(bridgeTwiml({ ...BASE, actionUrl: 'https://courtesy.example.gov.tw/telephony/dial-done' })).toBe(
      `${DECL}<Response><Dial callerId="+886277001234" answerOnBridge="true" timeout="30" action="https://courtesy.example.gov.tw/telephony/dial-done" method="POST">` +
        `<Number ${NUMBER_ATTRS}>+886223456789</Number></Dial></Response>`,
    );
  });

  it.each<[string, Partial<BridgeTwimlOptions>]>([
    ['a national number', { unitNumber: '0223456789' }],
    ['a caller ID with spaces', { callerId: '+886 2 7700 1234' }],
    ['a relative callback URL', { unitStatusCallbackUrl: '/telephony/unit-status' }],
    ['a non-http callback URL', { unitStatusCallbackUrl: 'ftp://example.gov.tw/x' }],
    ['a relative recording callback', { recording: { statusCallbackUrl: 'recording' } }],
    ['a ring timeout of 2 s', { ringTimeoutSeconds: 2 }],
    ['an extension with letters', { extension: '12a' }],
  ])('refuses %s', (_name, change) => {
    expect(() => bridgeTwiml({ ...BASE, ...change })).toThrow(RangeError);
  });
});

describe('extensionDigits', () => {
  it.each([
    ['123', 2, 'wwww123'],
    ['123', 0, '123'],
    ['9', 0.5, 'w9'],
    ['*88#', 3, 'wwwwww*88#'],
  ])('%s after %s s → %s', (extension, delay, expected) => {
    expect(extensionDigits(extension, delay)).toBe(expected);
  });

  it.each([
    ['', 2],
    ['12 34', 2],
    ['123', 0.3],
    ['123', -1],
    ['123', 31],
  ])('refuses %j after %s s', (extension, delay) => {
    expect(() => extensionDigits(extension, delay)).toThrow(RangeError);
  });
});

describe('sayAndHangupTwiml', () => {
  it('says the message in Taiwanese Mandarin by default, escaped, then hangs up', () => {
    expect(sayAndHangupTwiml('本次測試已結束 <謝謝> & 再見')).toBe(
      `${DECL}<Response><Say language="zh-TW">本次測試已結束 &lt;謝謝&gt; &amp; 再見</Say><Hangup/></Response>`,
    );
  });

  it('takes another language and voice', () => {
    expect(sayAndHangupTwiml('The test has ended.', { language: 'en-US', voice: 'Polly.Joanna' })).toBe(
      `${DECL}<Response><Say language="en-US" voice="Polly.Joanna">The test has ended.</Say><Hangup/></Response>`,
    );
  });

  it('refuses to say nothing', () => {
    expect(() => sayAndHangupTwiml('  ')).toThrow(RangeError);
  });
});

describe('gatherTwiml (the keypad survey)', () => {
  test('one key, the action called even on silence, each prompt in its language, escaped', () => {
    expect(gatherTwiml({ actionUrl: 'https://x.example/twilio/keypad/sessions/1/answer', prompts: [{ text: '第1題：A & B', language: 'zh-TW' }, { text: 'For English, press 9.', language: 'en-US' }] })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" action="https://x.example/twilio/keypad/sessions/1/answer" method="POST" actionOnEmptyResult="true">' +
        '<Say language="zh-TW">第1題：A &amp; B</Say><Say language="en-US">For English, press 9.</Say></Gather></Response>',
    );
  });

  test('refuses a relative action URL and an empty prompt', () => {
    expect(() => gatherTwiml({ actionUrl: '/twilio/keypad/sessions/1/answer', prompts: [{ text: 'x', language: 'zh-TW' }] })).toThrow(RangeError);
    expect(() => gatherTwiml({ actionUrl: 'https://x.example/a', prompts: [] })).toThrow(RangeError);
    expect(() => sayAllAndHangupTwiml([{ text: ' ', language: 'en-US' }])).toThrow(RangeError);
  });

  test('several prompts, then hang up', () => {
    expect(sayAllAndHangupTwiml([{ text: '再見', language: 'zh-TW' }])).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="zh-TW">再見</Say><Hangup/></Response>');
  });
});
