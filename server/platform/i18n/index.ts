import { en } from './en';
import { zhTW } from './zh-TW';

/**
 * Message catalogs: zh-TW is the reference, English must have exactly the same
 * keys (the compiler checks it through the Messages type, a test checks it too).
 */
export type MessageKey = keyof typeof zhTW;
export type Messages = Record<MessageKey, string>;
export type Lang = 'zh-TW' | 'en';
export const LANGS: readonly Lang[] = ['zh-TW', 'en'];
export const DEFAULT_LANG: Lang = 'zh-TW';

export const catalogs: Record<Lang, Messages> = { 'zh-TW': zhTW, en };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function isLang(value: unknown): value is Lang {
  return value === 'zh-TW' || value === 'en';
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhTW, value);
}

/** `{name}` placeholders are replaced by params; a missing param stays visible rather than vanishing. */
export function translator(lang: Lang): Translate {
  const catalog = catalogs[lang];
  return (key, params) => {
    const text = catalog[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  };
}
