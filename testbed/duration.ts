/** "500ms", "10s" (the default unit) or "2m" as milliseconds; a flag's value that is none of these is an error naming the flag. */
export function durationMs(text: string, flag = "--duration"): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new Error(`${flag}: ${JSON.stringify(text)} is not like 500ms, 10s or 2m`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? "s"] ?? 1000);
}
