import { normalisePhone, formatPhone, telUri } from '../../server/org/phone';
import { readCsv } from '../../server/platform/csv';
import { toCsv } from '../../server/platform/csv-write';
import { formatRocMonth, formatRocDateTime, formatRocDate, parseIsoDate } from '../../server/platform/roc-date';
const out: unknown[] = [];
const p = (...a: unknown[]) => out.push(a);
test('x', () => {
  for (const s of ['02-2345-6789 分機 123', '(02)23456789#123', '0912-345-678', '+886 2 2345 6789', '０９１２３４５６７８', '02-2345-6789 轉 45', '02-2345-6789 ext. 9', 'ext. 9', '12345', 'abc', '', '02-2345-6789 分機', '02-2345-6789x', '02 2345 6789 x 12', '(02) 2345-6789', '+1 202 555 0100', '0800-000-123', '（０２）２３４５－６７８９', '02-2345-6789 ext 123456789', '02-2345-6789#', '037-123456', '049-2345678', '02-2345-6789,123', '886223456789', '02-2345-6789 分機 12 34']) p(s, normalisePhone(s));
  p(formatPhone('+886223456789', '123', 'zh-TW'), formatPhone('+886223456789', '123', 'en'), formatPhone('+886912345678', null, 'en'), formatPhone(null, '1', 'en'), formatPhone('garbage', null, 'en'));
  p(telUri('+886223456789', '123'));
  p(toCsv([['a', 'b,c', 'd"e', '=1+1', '-5', '@x', '+1', 'line\nbreak', '\tx', ' sp ']]));
  p(JSON.stringify(readCsv(toCsv([[' sp ', 'x']]), [{name:'a',aliases:[],required:false}])));
  p(formatRocMonth(2026, 3, 'en'), formatRocMonth(2026, 3), formatRocDateTime('2026-03-04T16:30:00Z'), formatRocDateTime('2026-03-04T16:30:00Z', 'en'), formatRocDate('2026-03-05T10:00:00Z', 'en'));
  for (const s of ['2026-02-30', '2026-13-01', '2026-3-5', 'x', '2024-02-29', '2026-03-05junk', '0000-01-01']) { try { p(s, parseIsoDate(s)); } catch (e) { p(s, String(e)); } }
  process.stdout.write(JSON.stringify(out, null, 0).replace(/\],\[/g, '],\n[') + '\n');
});
