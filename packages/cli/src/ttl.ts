/** `--ttl`: `90s`, `15m`, `2h`, `1d` or plain seconds, to milliseconds. */
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseTtl(text: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!m) throw new Error(`bad duration ${JSON.stringify(text)}: use 90s, 15m, 2h or plain seconds`);
  const ms = Number(m[1]) * UNITS[m[2] || 's']!;
  if (ms <= 0 || !Number.isSafeInteger(ms)) throw new Error(`bad duration ${JSON.stringify(text)}: must be positive`);
  return ms;
}
