/**
 * The time a run may spend on rounds past a comparison's usual cap, shared among the scenarios
 * that may take them (capacity and the priced features). A run knows its scenarios in advance, so each one's
 * share is what is left when it starts, divided among it and those still to come: what one
 * scenario does not use passes on to the next, and none can take another's share.
 */
export class RoundBudget {
  #leftMs: number;
  readonly #pending: string[];

  constructor(totalMs: number, claimants: readonly string[]) {
    if (!Number.isFinite(totalMs) || totalMs < 0) throw new Error(`round budget: ${totalMs} ms is not a duration`);
    this.#leftMs = totalMs;
    this.#pending = [...claimants];
  }

  /** The share of the scenario starting now; a scenario that is not a claimant gets none. */
  shareOf(id: string): RoundShare {
    const at = this.#pending.indexOf(id);
    if (at < 0) return NO_SHARE;
    this.#pending.splice(0, at + 1);
    return new RoundShare(this.#leftMs / (this.#pending.length + 1), (ms) => {
      this.#leftMs = Math.max(0, this.#leftMs - ms);
    });
  }
}

/** One scenario's part of a RoundBudget. */
export class RoundShare {
  #spentMs = 0;

  constructor(
    readonly ms: number,
    private readonly charge: (ms: number) => void,
  ) {}

  /** Whether a round expected to take `ms` still fits in the share. */
  allows(ms: number): boolean {
    return this.#spentMs + ms <= this.ms;
  }

  /** Records a round taken from the share. */
  spend(ms: number): void {
    this.#spentMs += ms;
    this.charge(ms);
  }

  get spentMs(): number {
    return this.#spentMs;
  }
}

/** A share of nothing: rounds past the cap are never taken. */
export const NO_SHARE = new RoundShare(0, () => undefined);

/**
 * A scenario's rounds against its cap and its share: a round up to the cap always starts; one past
 * it starts only when its expected length (the mean turn of each system it measures, so far) fits
 * in what is left of the share, and what it took is charged to the share.
 */
export class RoundsPastCap {
  readonly #turnMs: number[][];

  constructor(
    systems: number,
    private readonly cap: number,
    private readonly share: RoundShare,
  ) {
    this.#turnMs = Array.from({ length: systems }, () => []);
  }

  /** Whether the round may start, measuring the `open` systems; when not, why (for the log). */
  refusal(round: number, open: readonly number[]): string | undefined {
    if (round <= this.cap) return undefined;
    const expectedMs = open.reduce((sum, i) => sum + mean(this.#turnMs[i]!), 0);
    return this.share.allows(expectedMs)
      ? undefined
      : `round ${round} would take about ${Math.round(expectedMs / 1000)} s, more than is left of this scenario's round budget (${Math.round((this.share.ms - this.share.spentMs) / 1000)} s of ${Math.round(this.share.ms / 1000)} s)`;
  }

  /** One system's turn in a round took `ms`. */
  turn(system: number, ms: number): void {
    this.#turnMs[system]!.push(ms);
  }

  /** A round ended after `ms`. */
  ended(round: number, ms: number): void {
    if (round > this.cap) this.share.spend(ms);
  }
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
