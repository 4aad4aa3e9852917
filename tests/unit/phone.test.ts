import fc from 'fast-check';
import { formatPhone, normalisePhone, telUri } from '../../server/org/phone';

describe('normalisePhone', () => {
  it.each([
    ['02-2345-6789 分機 123', '+886223456789', '123'],
    ['(02)23456789#123', '+886223456789', '123'],
    ['(02) 2345-6789', '+886223456789', null],
    ['02-2345-6789 轉 45', '+886223456789', '45'],
    ['02-2345-6789轉45', '+886223456789', '45'],
    ['02-2345-6789 ext. 9', '+886223456789', '9'],
    ['02 2345 6789 EXT 9', '+886223456789', '9'],
    ['02 2345 6789 x 12', '+886223456789', '12'],
    ['0912-345-678', '+886912345678', null],
    ['+886 2 2345 6789', '+886223456789', null],
    ['+886-912-345-678', '+886912345678', null],
    ['049-2345678', '+886492345678', null],
    ['037-123456', '+88637123456', null],
  ])('reads %j as %s extension %s', (input, e164, ext) => {
    expect(normalisePhone(input)).toEqual({ ok: true, e164, ext });
  });

  it('reads full-width digits and punctuation typed with a Chinese input method', () => {
    expect(normalisePhone('０９１２３４５６７８')).toEqual({ ok: true, e164: '+886912345678', ext: null });
    expect(normalisePhone('（０２）２３４５－６７８９ 分機 １２３')).toEqual({ ok: true, e164: '+886223456789', ext: '123' });
    expect(normalisePhone('＋８８６ ２ ２３４５ ６７８９')).toEqual({ ok: true, e164: '+886223456789', ext: null });
  });

  it.each([
    ['too short', '12345'],
    ['letters', 'abc'],
    ['empty', ''],
    ['blank', '   '],
    ['an extension marker without digits', '02-2345-6789 分機'],
    ['a trailing # without digits', '02-2345-6789#'],
    ['only an extension', 'ext. 9'],
    ['an extension longer than 8 digits', '02-2345-6789 ext 123456789'],
    ['two numbers after the marker', '02-2345-6789 分機 12 34'],
    ['a comma-separated extension', '02-2345-6789,123'],
    ['letters inside the number', '02-2345-67B9'],
  ])('rejects %s (%j)', (_why, input) => {
    expect(normalisePhone(input)).toEqual({ ok: false });
  });

  const separator = fc.constantFrom('', '-', ' ', '.');
  const marker = fc.constantFrom(' 分機 ', '分機', ' 轉 ', '#', ' ext. ', 'ext', ' x ');
  const taipei = fc.stringMatching(/^[2-8]\d{7}$/);

  it('keeps the extension apart from the number whatever marker and separators are used', () => {
    fc.assert(
      fc.property(taipei, separator, marker, fc.stringMatching(/^\d{1,8}$/), (subscriber, sep, mark, ext) => {
        const main = `02${sep}${subscriber.slice(0, 4)}${sep}${subscriber.slice(4)}`;
        const plain = normalisePhone(main);
        fc.pre(plain.ok);
        expect(normalisePhone(`${main}${mark}${ext}`)).toEqual({ ok: true, e164: `+8862${subscriber}`, ext });
      }),
    );
  });
});

describe('formatPhone', () => {
  it('writes the national number and the extension in the page language', () => {
    expect(formatPhone('+886223456789', '123', 'zh-TW')).toBe('02 2345 6789 分機 123');
    expect(formatPhone('+886223456789', '123', 'en')).toBe('02 2345 6789 ext. 123');
    expect(formatPhone('+886912345678', null, 'zh-TW')).toBe('0912 345 678');
  });

  it('writes nothing when there is no number', () => {
    expect(formatPhone(null, null, 'zh-TW')).toBe('');
    expect(formatPhone(null, '12', 'en')).toBe('');
  });

  it('reads back as the same number and extension in both languages (Taiwanese numbers)', () => {
    const areaAndSubscriber = fc.oneof(
      fc.stringMatching(/^2[2-8]\d{7}$/),
      fc.stringMatching(/^9\d{8}$/),
      fc.stringMatching(/^[3-8]\d{7,8}$/),
    );
    const ext = fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: null });
    fc.assert(
      fc.property(areaAndSubscriber, ext, fc.constantFrom('zh-TW' as const, 'en' as const), (national, extension, lang) => {
        const e164 = `+886${national}`;
        fc.pre(normalisePhone(e164).ok);
        expect(normalisePhone(formatPhone(e164, extension, lang))).toEqual({ ok: true, e164, ext: extension });
      }),
    );
  });

  // The unit form is filled with formatPhone's output, so saving it unchanged
  // must work for every number normalisePhone accepted in the first place,
  // including those written with another country code.
  it.each(['+1 202 555 0100', '+852 2345 6789', '+81 3-1234-5678', '0800-000-123'])(
    'writes %s, once accepted, so that it reads back as the same number',
    (input) => {
      const accepted = normalisePhone(input);
      if (!accepted.ok) return;
      expect(normalisePhone(formatPhone(accepted.e164, '12', 'zh-TW'))).toEqual({ ...accepted, ext: '12' });
    },
  );
});

describe('telUri', () => {
  it('dials the number, then the extension after a pause', () => {
    expect(telUri('+886223456789', null)).toBe('tel:+886223456789');
    expect(telUri('+886223456789', '123')).toBe('tel:+886223456789,123');
  });
});
