/**
 * The Householder reflector H = I − τ v vᵀ (v[0] = 1) that maps the strided column
 * x = src[start + i·stride], i < v.length, onto (head, 0, …, 0). The column is scaled by its largest
 * magnitude first, so squares neither overflow nor underflow, and β takes the sign opposite to x₀
 * so that x₀ − β never cancels. Returns null for a zero column (H = I).
 */
export function householder(src: Float64Array, start: number, stride: number, v: Float64Array): { tau: number; head: number } | null {
  const len = v.length;
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(src[start + i * stride]!));
  if (scale === 0) return null;
  let ss = 0;
  for (let i = 0; i < len; i++) {
    v[i] = src[start + i * stride]! / scale;
    ss += v[i]! * v[i]!;
  }
  const alpha = v[0]!;
  const norm = Math.sqrt(ss);
  const beta = alpha >= 0 ? -norm : norm;
  const denom = alpha - beta;
  for (let i = 1; i < len; i++) v[i]! /= denom;
  v[0] = 1;
  return { tau: (beta - alpha) / beta, head: beta * scale };
}
