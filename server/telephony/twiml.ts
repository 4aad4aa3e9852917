/**
 * The TwiML the product answers Twilio with, built with the SDK's own
 * VoiceResponse so that escaping and attribute names are Twilio's.
 *
 * The bridge: Twilio has called the tester; when the tester answers, it asks
 * for this document and <Dial>s the unit. The unit leg's status callbacks
 * (initiated, ringing, answered, completed) are what the ring time is
 * measured from, so they are always requested.
 */
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse';

export const UNIT_LEG_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
/** Twilio's own default, written out so that the document says how long the unit may ring. */
export const DEFAULT_RING_TIMEOUT_SECONDS = 30;
/** Time for a switchboard's greeting to start listening before the extension is keyed. */
export const DEFAULT_EXTENSION_DELAY_SECONDS = 2;

export interface BridgeTwimlOptions {
  /** The unit's main number, E.164. */
  unitNumber: string;
  /** Digits keyed once the unit's switchboard answers (分機). */
  extension?: string | null;
  extensionDelaySeconds?: number;
  /** Our Twilio number, shown to the unit. */
  callerId: string;
  /** Receives the unit leg's status callbacks. */
  unitStatusCallbackUrl: string;
  ringTimeoutSeconds?: number;
  /** Record both parties on separate channels from the answer, for the tester's review. */
  recording?: { statusCallbackUrl: string } | null;
  /** Receives DialCallStatus when the <Dial> ends. */
  actionUrl?: string;
  answerOnBridge?: boolean;
}

function checkE164(label: string, value: string): void {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) throw new RangeError(`${label} is not an E.164 number: ${value}`);
}

function checkUrl(label: string, value: string): void {
  // Relative URLs would resolve against wherever Twilio fetched the TwiML from: say the public one.
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new RangeError(`${label} is not an absolute http(s) URL: ${value}`);
}

/** "wwww123": each w is a 0.5 s pause before the extension is keyed. */
export function extensionDigits(extension: string, delaySeconds: number = DEFAULT_EXTENSION_DELAY_SECONDS): string {
  if (!/^[0-9*#]{1,16}$/.test(extension)) throw new RangeError(`not an extension: ${extension}`);
  if (!Number.isFinite(delaySeconds) || delaySeconds < 0 || delaySeconds > 30 || !Number.isInteger(delaySeconds * 2)) {
    throw new RangeError(`extension delay must be 0–30 s in half seconds: ${delaySeconds}`);
  }
  return 'w'.repeat(delaySeconds * 2) + extension;
}

export function bridgeTwiml(o: BridgeTwimlOptions): string {
  checkE164('unitNumber', o.unitNumber);
  checkE164('callerId', o.callerId);
  checkUrl('unitStatusCallbackUrl', o.unitStatusCallbackUrl);
  if (o.recording) checkUrl('recording.statusCallbackUrl', o.recording.statusCallbackUrl);
  if (o.actionUrl !== undefined) checkUrl('actionUrl', o.actionUrl);
  const timeout = o.ringTimeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeout) || timeout < 5 || timeout > 600) throw new RangeError(`ring timeout must be 5–600 s: ${timeout}`);

  const dial: VoiceResponse.DialAttributes = {
    callerId: o.callerId,
    answerOnBridge: o.answerOnBridge ?? true,
    timeout,
  };
  if (o.actionUrl !== undefined) {
    dial.action = o.actionUrl;
    dial.method = 'POST';
  }
  if (o.recording) {
    dial.record = 'record-from-answer-dual';
    dial.recordingStatusCallback = o.recording.statusCallbackUrl;
    dial.recordingStatusCallbackMethod = 'POST';
    // 'absent' too: a silent or too-short call yields no file, and the product must stop waiting for one.
    dial.recordingStatusCallbackEvent = ['completed', 'absent'];
  }
  const number: VoiceResponse.NumberAttributes = {
    statusCallback: o.unitStatusCallbackUrl,
    statusCallbackMethod: 'POST',
    statusCallbackEvent: [...UNIT_LEG_EVENTS],
  };
  if (o.extension) number.sendDigits = extensionDigits(o.extension, o.extensionDelaySeconds);

  const response = new twilio.twiml.VoiceResponse();
  response.dial(dial).number(number, o.unitNumber);
  return response.toString();
}

export interface SayOptions {
  language?: VoiceResponse.SayAttributes['language'];
  voice?: VoiceResponse.SayAttributes['voice'];
}

/** A short message, then hang up: e.g. when the test is no longer open or the unit has no number. */
export function sayAndHangupTwiml(message: string, options: SayOptions = {}): string {
  if (message.trim() === '') throw new RangeError('nothing to say');
  const response = new twilio.twiml.VoiceResponse();
  response.say({ language: options.language ?? 'zh-TW', voice: options.voice }, message);
  response.hangup();
  return response.toString();
}

/** Something to say, in a language Twilio's text-to-speech knows. */
export interface Spoken {
  text: string;
  language: 'zh-TW' | 'en-US';
}

export const KEYPAD_TIMEOUT_SECONDS = 6;

/**
 * Says the prompts while listening for one key; Twilio posts the key (or
 * nothing, after the timeout) to the action URL, so that a silent caller is
 * handled there like a wrong key.
 */
export function gatherTwiml(o: { actionUrl: string; prompts: readonly Spoken[]; timeoutSeconds?: number }): string {
  checkUrl('actionUrl', o.actionUrl);
  if (o.prompts.length === 0 || o.prompts.some((p) => p.text.trim() === '')) throw new RangeError('nothing to say');
  const response = new twilio.twiml.VoiceResponse();
  const gather = response.gather({
    input: ['dtmf'],
    numDigits: 1,
    timeout: o.timeoutSeconds ?? KEYPAD_TIMEOUT_SECONDS,
    action: o.actionUrl,
    method: 'POST',
    actionOnEmptyResult: true,
  });
  for (const p of o.prompts) gather.say({ language: p.language }, p.text);
  return response.toString();
}

/** Several prompts (each in its language), then hang up. */
export function sayAllAndHangupTwiml(prompts: readonly Spoken[]): string {
  if (prompts.length === 0 || prompts.some((p) => p.text.trim() === '')) throw new RangeError('nothing to say');
  const response = new twilio.twiml.VoiceResponse();
  for (const p of prompts) response.say({ language: p.language }, p.text);
  response.hangup();
  return response.toString();
}
