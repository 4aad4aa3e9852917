import { catalogs, isLang, isMessageKey, LANGS, translator } from '../../server/platform/i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('have exactly the same keys in both languages', () => {
    expect(Object.keys(catalogs.en).sort()).toEqual(Object.keys(catalogs['zh-TW']).sort());
  });

  it.each(LANGS)('have no empty messages in %s', (lang) => {
    const empty = Object.entries(catalogs[lang]).filter(([, text]) => text.trim() === '');
    expect(empty).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const differing = Object.entries(catalogs['zh-TW'])
      .filter(([key, zh]) => placeholders(zh).join() !== placeholders(catalogs.en[key as keyof typeof catalogs.en]).join())
      .map(([key]) => key);
    expect(differing).toEqual([]);
  });
});

describe('translator', () => {
  it('returns the message in the chosen language', () => {
    expect(translator('zh-TW')('nav.home')).toBe('首頁');
    expect(translator('en')('nav.home')).toBe('Home');
  });

  it('substitutes {name} placeholders, numbers included', () => {
    expect(translator('zh-TW')('home.welcome', { name: '王小明' })).toBe('王小明，您好');
    expect(translator('en')('import.summary', { create: 3, update: 0, unchanged: 12 })).toBe(
      '3 units will be added, 0 updated and 12 left unchanged.',
    );
  });

  it('leaves a placeholder without a value visible', () => {
    expect(translator('en')('home.welcome', {})).toBe('Welcome, {name}');
    expect(translator('en')('home.welcome', { other: 'x' })).toBe('Welcome, {name}');
    expect(translator('en')('home.welcome')).toBe('Welcome, {name}');
  });

  it('inserts values literally, without treating them as patterns or placeholders', () => {
    expect(translator('en')('home.welcome', { name: '$& {name} $1' })).toBe('Welcome, $& {name} $1');
  });
});

describe('isMessageKey and isLang', () => {
  it('know the catalog keys and nothing inherited', () => {
    expect(isMessageKey('nav.home')).toBe(true);
    expect(isMessageKey('nav.nothing')).toBe(false);
    expect(isMessageKey('toString')).toBe(false);
    expect(isMessageKey('__proto__')).toBe(false);
  });

  it('know the two languages', () => {
    expect(LANGS.filter(isLang)).toEqual(['zh-TW', 'en']);
    for (const value of ['zh', 'en-US', 'ZH-TW', '', undefined, null, 1]) expect(isLang(value)).toBe(false);
  });
});
