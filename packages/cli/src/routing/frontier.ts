/** One operating point: mean cost per prompt (US dollars) and mean quality. */
export interface Point {
  cost: number;
  quality: number;
  label?: string;
}

/**
 * The non-decreasing convex hull of operating points (RouterBench): points
 * that mixing two others cannot beat, and where spending more never lowers
 * quality. Sorted by cost.
 */
export function frontier(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.quality - a.quality);
  const hull: Point[] = [];
  for (const p of sorted) {
    if (hull.length && p.quality <= (hull[hull.length - 1] as Point).quality) continue;
    while (hull.length >= 2) {
      const a = hull[hull.length - 2] as Point;
      const b = hull[hull.length - 1] as Point;
      // drop b when it lies on or below the segment a -> p
      if ((b.quality - a.quality) * (p.cost - a.cost) <= (p.quality - a.quality) * (b.cost - a.cost)) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** Quality the frontier reaches at `cost` (flat beyond its last point, undefined before its first). */
export function qualityAt(hull: readonly Point[], cost: number): number | undefined {
  const first = hull[0];
  if (!first || cost < first.cost) return undefined;
  for (let i = 1; i < hull.length; i++) {
    const a = hull[i - 1] as Point;
    const b = hull[i] as Point;
    if (cost <= b.cost) return a.quality + ((b.quality - a.quality) * (cost - a.cost)) / (b.cost - a.cost || 1);
  }
  return (hull[hull.length - 1] as Point).quality;
}

/**
 * RouterBench's AIQ: the frontier's mean quality over the cost range
 * [lo, hi] (area under the curve divided by the range). Below the frontier's
 * first point the quality counts as 0: a router gets no credit for budgets
 * it cannot meet.
 */
export function aiq(points: readonly Point[], lo: number, hi: number, steps = 2000): number {
  const hull = frontier(points);
  const first = hull[0];
  if (!first || hi <= lo) return NaN;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const c = lo + ((hi - lo) * i) / steps;
    const q = qualityAt(hull, c) ?? 0;
    sum += i === 0 || i === steps ? q / 2 : q;
  }
  return sum / steps;
}
