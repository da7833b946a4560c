/** One thing that happened on a timeline: when (ms on the load's clock), and what. */
export interface Mark {
  t: number;
  label: string;
}

/** A fault (or any change) held for a while: applied at `atMs`, undone `forMs` after it was applied. */
export interface WindowEvent {
  atMs: number;
  forMs: number;
  label: string;
  /** The mark drawn where it is undone. */
  endLabel: string;
  apply(): unknown;
  undo(): unknown;
}

interface Entry {
  atMs: number;
  label: string;
  action: () => unknown;
  /** When it was applied (ms on the clock), once it was. */
  appliedAt?: number;
  done?: Promise<void>;
  /** For a window: its undo, due `forMs` after it was applied, once the apply has finished. */
  end?: { forMs: number; label: string; action: () => unknown; appliedAt?: number; done?: Promise<void> };
}

/**
 * The one way the lab and the drills time what they do to a running system: events at a time, and
 * windows (applied at a time, undone after a hold), driven by the load's clock (`tick`, from the
 * load generator's onElapsed) and recorded as marks the report draws. An action's failure is kept
 * and rethrown by `finish`, never lost.
 */
export class Timeline {
  readonly #entries: Entry[] = [];
  #failure: unknown;

  /** The clock's zero: what `tick`'s elapsed times count from (the load's start). */
  constructor(readonly t0 = performance.now()) {}

  /** Records that something happened now (e.g. what an action saw while it ran), as a mark the report draws. */
  mark(label: string): number {
    const t = performance.now() - this.t0;
    this.#entries.push({ atMs: t, label, action: () => undefined, appliedAt: t, done: Promise.resolve() });
    return t;
  }

  /** One action at `atMs`. */
  at(atMs: number, label: string, action: () => unknown): this {
    this.#entries.push({ atMs, label, action });
    return this;
  }

  /** An action at `atMs`, undone `forMs` after it was applied (and not before it finished). */
  window(e: WindowEvent): this {
    this.#entries.push({ atMs: e.atMs, label: e.label, action: () => e.apply(), end: { forMs: e.forMs, label: e.endLabel, action: () => e.undo() } });
    return this;
  }

  #run(action: () => unknown): Promise<void> {
    return Promise.resolve()
      .then(action)
      .then(
        () => undefined,
        (err: unknown) => {
          this.#failure ??= err;
        },
      );
  }

  /** Applies what is due at `t` (ms since t0). */
  tick(t: number): void {
    for (const e of this.#entries) {
      if (e.done === undefined && t >= e.atMs) {
        e.appliedAt = t;
        e.done = this.#run(e.action);
      }
      const end = e.end;
      if (end && e.done && end.done === undefined && t >= e.appliedAt! + end.forMs) {
        end.done = e.done.then(() => {
          end.appliedAt = performance.now() - this.t0;
          return this.#run(end.action);
        });
      }
    }
  }

  /** Ticks by the wall clock every `everyMs` until stop() (for a timeline with no load driving it). */
  drive(everyMs = 20): { stop(): void } {
    const timer = setInterval(() => this.tick(performance.now() - this.t0), everyMs);
    return { stop: () => clearInterval(timer) };
  }

  /**
   * Undoes every window still open (whatever its hold), waits for every action begun, and throws
   * the first action's failure. Events not yet due are left out.
   */
  async finish(): Promise<void> {
    for (const e of this.#entries)
      if (e.end && e.done && e.end.done === undefined) {
        const end = e.end;
        end.done = e.done.then(() => {
          end.appliedAt = performance.now() - this.t0;
          return this.#run(end.action);
        });
      }
    await Promise.all(this.#entries.flatMap((e) => [e.done, e.end?.done]).filter((p): p is Promise<void> => p !== undefined));
    if (this.#failure !== undefined)
      throw this.#failure instanceof Error ? this.#failure : new Error(`a timeline action failed: ${JSON.stringify(this.#failure)}`);
  }

  /** When the event or window labelled so was applied (ms on the clock); undefined while it was not. */
  appliedAt(label: string): number | undefined {
    return this.#entries.find((e) => e.label === label)?.appliedAt;
  }

  /** When the window labelled so was undone; undefined while it was not. */
  undoneAt(label: string): number | undefined {
    return this.#entries.find((e) => e.label === label)?.end?.appliedAt;
  }

  /** Everything applied so far, in time order, as the report draws it. */
  marks(): Mark[] {
    const marks: Mark[] = [];
    for (const e of this.#entries) {
      if (e.appliedAt !== undefined) marks.push({ t: e.appliedAt, label: e.label });
      if (e.end?.appliedAt !== undefined) marks.push({ t: e.end.appliedAt, label: e.end.label });
    }
    return marks.sort((a, b) => a.t - b.t);
  }
}
