/** ISO 4217 codes the shop accepts, with the number of digits of the minor unit. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  RUB: 2,
  KZT: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
  KRW: 0,
};

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(MINOR_DIGITS, code);
}

export function minorDigits(code: string): number {
  return MINOR_DIGITS[code] ?? 2;
}

/** "1234" EUR -> "12.34 EUR"; exact for any int64, no floating point. */
export function formatMoney(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const abs = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits > 0 ? `.${abs.slice(abs.length - digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction} ${currency}`;
}
