/** "INV-2026-000042": the issuing year and a per-billing-database sequence. */
export function formatInvoiceNumber(sequence: number, issuedAt: Date): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`invoice sequence must be a positive integer, got ${sequence}`);
  return `INV-${issuedAt.getUTCFullYear()}-${String(sequence).padStart(6, "0")}`;
}
