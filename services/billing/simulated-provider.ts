import type { PaymentProvider } from "../domain/ports.js";

/**
 * A stand-in for a payment provider's latency, off unless configured
 * (BILLING_PROVIDER_DELAY_MS): each new invoice waits this long, and a
 * billing process has at most `concurrency` such waits at once, as a
 * provider's connection pool would allow. It makes billing the bottleneck
 * that replicas relieve, in the lab's scale-out scenario.
 */
export class SimulatedProvider implements PaymentProvider {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly delayMs: number,
    readonly concurrency: number,
  ) {}

  async authorize(): Promise<void> {
    if (this.#active >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
