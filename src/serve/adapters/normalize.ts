/** Rows of a [n × d] matrix scaled to unit length (zero rows stay zero): cosine similarity becomes a dot product. */
export function normalizeRows(m: Float32Array, d: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r * d < m.length; r++) {
    let ss = 0;
    for (let j = 0; j < d; j++) ss += m[r * d + j] * m[r * d + j];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let j = 0; j < d; j++) out[r * d + j] = m[r * d + j] * inv;
  }
  return out;
}

/** Columns of a [n × d] matrix less their means. */
export function centerColumns(m: Float32Array, d: number): Float32Array {
  const n = m.length / d, mean = new Float64Array(d);
  for (let k = 0; k < m.length; k++) mean[k % d] += m[k] / n;
  return Float32Array.from(m, (v, k) => v - mean[k % d]);
}
