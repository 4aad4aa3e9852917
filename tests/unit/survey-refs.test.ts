import { newRefs } from '../../server/surveys/repo';

/** Response references: 24 hex characters (the column's width), distinct, and sorting in the order they were made. */
test('references fit the column, differ within a batch, and a later batch sorts after an earlier one', async () => {
  const first = newRefs(200);
  await new Promise((resolve) => setTimeout(resolve, 3));
  const second = newRefs(200);
  for (const ref of [...first, ...second]) expect(ref).toMatch(/^[0-9a-f]{24}$/);
  expect(new Set([...first, ...second]).size).toBe(400);
  expect(second.every((later) => first.every((earlier) => later > earlier))).toBe(true);
});
