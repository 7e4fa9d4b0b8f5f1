// A small seeded PRNG (mulberry32) so every run generates byte-identical inputs: a benchmark whose input changes
// between runs measures the generator, not the code.
export function createRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (list) => list[int(list.length)],
    chance: (p) => next() < p,
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(16)];
      return s;
    },
    digits: (n) => {
      let s = String(1 + int(9));
      for (let i = 1; i < n; i++) s += String(int(10));
      return s;
    },
  };
}
