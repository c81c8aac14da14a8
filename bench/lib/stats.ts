/** Medians, ratios and formatting for the table. */

export function median(xs: readonly number[]): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Half the spread between the lowest and highest value, relative to the median: how noisy a figure was. */
export function spread(xs: readonly number[]): number {
    if (xs.length < 2) return 0;
    return (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs);
}

export const ms = (v: number) => (!Number.isFinite(v) ? "-" : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 10 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`);
export const us = (v: number) => (!Number.isFinite(v) ? "-" : v >= 1000 ? ms(v / 1000) : `${v.toFixed(v >= 100 ? 0 : 1)} µs`);
export const mb = (kb: number) => (!Number.isFinite(kb) ? "-" : `${(kb / 1024).toFixed(0)} MB`);
export const ratio = (r: number) => (!Number.isFinite(r) ? "-" : `${r.toFixed(2)}×`);
export const pct = (r: number) => (!Number.isFinite(r) ? "-" : `${(r * 100).toFixed(r < 0.1 ? 1 : 0)} %`);
export const int = (n: number) => (!Number.isFinite(n) ? "-" : Math.round(n).toLocaleString("en-US"));
