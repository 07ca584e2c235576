/**
 * Tower scoring in float64, the plainest loops: for each (u, i), z = relu(user[u] + item[:, i]),
 * then z = relu(W z + b) per packed layer, then w_out · z. `item` is (h1, I), `params` packs
 * W_1, b_1, ..., w_out.
 */
export function towerRef(user: ArrayLike<number>, item: ArrayLike<number>, params: ArrayLike<number>, n: number, I: number, widths: number[]): Float64Array {
  const out = new Float64Array(n * I), h1 = widths[0];
  for (let u = 0; u < n; u++) {
    for (let i = 0; i < I; i++) {
      let z = Array.from({ length: h1 }, (_, q) => Math.max(user[u * h1 + q] + item[q * I + i], 0));
      let p = 0;
      for (let l = 0; l + 1 < widths.length; l++) {
        const k = widths[l], m = widths[l + 1], next = new Array<number>(m);
        for (let j = 0; j < m; j++) {
          let a = params[p + m * k + j];
          for (let q = 0; q < k; q++) a += params[p + j * k + q] * z[q];
          next[j] = Math.max(a, 0);
        }
        p += m * k + m;
        z = next;
      }
      let s = 0;
      for (let q = 0; q < z.length; q++) s += params[p + q] * z[q];
      out[u * I + i] = s;
    }
  }
  return out;
}
