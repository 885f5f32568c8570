import { describe, expect, it } from 'vitest';
import { aiq, frontier, qualityAt } from './frontier.js';

describe('quality-cost frontier (RouterBench)', () => {
  const points = [
    { cost: 0, quality: 0.2 },
    { cost: 1, quality: 0.3 }, // below the segment (0, 0.2) -> (2, 0.8): mixing beats it
    { cost: 2, quality: 0.8 },
    { cost: 3, quality: 0.7 }, // more cost, less quality
    { cost: 4, quality: 1.0 },
  ];

  it('keeps the non-decreasing convex hull', () => {
    expect(frontier(points).map((p) => p.cost)).toEqual([0, 2, 4]);
  });

  it('interpolates along the hull and stays flat after its last point', () => {
    const hull = frontier(points);
    expect(qualityAt(hull, 1)).toBeCloseTo(0.5);
    expect(qualityAt(hull, 3)).toBeCloseTo(0.9);
    expect(qualityAt(hull, 10)).toBe(1);
    expect(qualityAt(frontier([{ cost: 1, quality: 0.5 }]), 0.5)).toBeUndefined();
  });

  it('AIQ is the mean quality of the hull over the range (hand-computed areas)', () => {
    // area under 0.2 -> 0.8 over [0, 2] is 1.0, under 0.8 -> 1.0 over [2, 4] is 1.8: (1.0 + 1.8) / 4
    expect(aiq(points, 0, 4)).toBeCloseTo(0.7, 4);
    // a single point at cost 2: nothing below it counts, flat after it
    expect(aiq([{ cost: 2, quality: 0.6 }], 0, 4)).toBeCloseTo(0.3, 2);
  });
});
