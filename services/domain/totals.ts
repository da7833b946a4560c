import type { LineItem } from "../gen/shop/v1/order.js";

/**
 * The largest total the shop accepts. It keeps every amount exact as a JS
 * number, in JSON and in SQLite, so no layer can round a price.
 */
export const MAX_AMOUNT_MINOR = BigInt(Number.MAX_SAFE_INTEGER);

export interface PricedLine {
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: bigint;
  lineTotalMinor: bigint;
}

export interface Totals {
  lines: PricedLine[];
  totalMinor: bigint;
}

/** Assumes validated items (see validation.ts), which keeps every sum below MAX_AMOUNT_MINOR. */
export function computeTotals(items: readonly LineItem[]): Totals {
  let totalMinor = 0n;
  const lines = items.map((item) => {
    const lineTotalMinor = BigInt(item.quantity) * item.unitPriceMinor;
    totalMinor += lineTotalMinor;
    return { sku: item.sku, name: item.name, quantity: item.quantity, unitPriceMinor: item.unitPriceMinor, lineTotalMinor };
  });
  return { lines, totalMinor };
}
