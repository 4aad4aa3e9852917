import { letterOf, randomOrder } from '../../server/courtesy/calibration-service';

/** The letters testers of a calibration round go by: drawn at random, not from the order of their names. */
describe('randomOrder', () => {
  it('returns the same testers, each once', () => {
    const ids = [3, 8, 15, 21, 40];
    for (let i = 0; i < 50; i += 1) expect([...randomOrder(ids)].sort((a, b) => a - b)).toEqual(ids);
    expect(ids).toEqual([3, 8, 15, 21, 40]);
  });

  it('gives every order of three testers (all 6 turn up in 600 draws; each has probability 1/6)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 600; i += 1) seen.add(randomOrder([1, 2, 3]).join(','));
    // The chance that one of the 6 never turns up is below 6 · (5/6)^600 ≈ 1e-47.
    expect([...seen].sort()).toEqual(['1,2,3', '1,3,2', '2,1,3', '2,3,1', '3,1,2', '3,2,1']);
  });
});

describe('letterOf', () => {
  it('names positions A, B, … Z, then AA, AB (a round has at most 30 raters)', () => {
    expect([1, 2, 26, 27, 28, 30].map(letterOf)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AD']);
  });
});
