import fc from 'fast-check';
import { MASKS, maskPersonalData } from '../../server/surveys/mask';

describe('personal data in free text is masked', () => {
  test.each([
    ['我的身分證是 A123456789 請查', `我的身分證是 ${MASKS.id} 請查`],
    ['居留證 AC01234567、新式 A800000014', `居留證 ${MASKS.id}、新式 ${MASKS.id}`],
    ['小寫 a223456789 也算', `小寫 ${MASKS.id} 也算`],
    ['手機 0912-345-678 或 0912345678', `手機 ${MASKS.phone} 或 ${MASKS.phone}`],
    ['打 +886 912 345 678 找我', `打 ${MASKS.phone} 找我`],
    ['市話 (02)2345-6789 分機 123，或 04 2222 3333', `市話 ${MASKS.phone}，或 ${MASKS.phone}`],
    ['+886-2-2345-6789', MASKS.phone],
    ['037-123456', MASKS.phone],
    ['寄到 chen.da-wen+x@mail.example.gov.tw 謝謝', `寄到 ${MASKS.email} 謝謝`],
    ['全形 Ａ１２３４５６７８９ 與 ０９１２３４５６７８', `全形 ${MASKS.id} 與 ${MASKS.phone}`],
  ])('%s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  test.each([
    '櫃檯人員很親切，等了 15 分鐘',
    '2026 年 3 月 5 日辦理，號碼牌 123',
    '案號 115001234 已結案',
    'A12 號窗口',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  test('no ID number or mobile number survives, wherever it stands in the text', () => {
    const letter = fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVXYWZIO'.split(''));
    const id = fc.tuple(letter, fc.constantFrom('1', '2'), fc.stringMatching(/^\d{8}$/)).map((p) => p.join(''));
    const mobile = fc.stringMatching(/^\d{8}$/).map((d) => `09${d}`);
    const filler = fc.string({ maxLength: 10 }).filter((s) => !/[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]/.test(s));
    fc.assert(
      fc.property(filler, fc.oneof(id, mobile), filler, (before, secret, after) => {
        expect(maskPersonalData(`${before}${secret}${after}`)).not.toContain(secret);
      }),
    );
  });
});
