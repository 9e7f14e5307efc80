/**
 * The few special functions the Erlang A formulas need, for arguments from tiny to millions.
 * All work in log space or with asymptotic series so that nothing overflows where a factorial would.
 */

const halfLogTwoPi = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(z) for z > 0: Stirling's series, after shifting small arguments up with Γ(z + 1) = z Γ(z). */
export function logGamma(z: number): number {
  let shift = 0;
  let x = z;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  // Stirling: (x - ½) ln x - x + ½ ln 2π + 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷); error < 1e-16 at x >= 15.
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + halfLogTwoPi + series - shift;
}

/** ln of the rising factorial a (a + 1) … (a + k - 1), for a > 0 and a whole k >= 0. */
export function logRisingFactorial(a: number, k: number): number {
  if (k <= 64) {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += Math.log(a + i);
    return sum;
  }
  return logGamma(a + k) - logGamma(a);
}

/** ψ(z), the digamma function, for z >= 10 by its asymptotic series (error < 1e-15). */
function digammaLarge(z: number): number {
  const inv2 = 1 / (z * z);
  return Math.log(z) - 0.5 / z - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 / 240)));
}

/** Σ_{j=1..count} 1 / (x + j) for x >= 0: a direct sum when short, a digamma difference when long. */
export function harmonicSpan(x: number, count: number): number {
  if (count <= 1_000) {
    let sum = 0;
    for (let j = 1; j <= count; j++) sum += 1 / (x + j);
    return sum;
  }
  // ψ(x + count + 1) - ψ(x + 1), with the first terms summed directly so that ψ's argument is >= 10.
  let head = 0;
  let start = x;
  let remaining = count;
  while (start + 1 < 10) {
    head += 1 / (start + 1);
    start += 1;
    remaining -= 1;
  }
  return head + digammaLarge(start + remaining + 1) - digammaLarge(start + 1);
}
