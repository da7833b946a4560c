import type { ServiceName } from "../../../services/common/config.js";
import type { ProcessStack } from "../../lib/stack/process-stack.js";

/** Takes a service away at `fromMs` of the load's clock and starts it again `forMs` later. */
export class Outage {
  downAt = 0;
  upAt = 0;
  #stopped?: Promise<void>;
  #restarted?: Promise<void>;

  constructor(
    private readonly stack: ProcessStack,
    private readonly service: ServiceName,
    private readonly signal: NodeJS.Signals,
    private readonly fromMs: number,
    private readonly forMs: number,
    private readonly t0: number,
  ) {}

  /** Called with the load's elapsed time at every send tick. */
  tick(t: number): void {
    if (!this.#stopped && t >= this.fromMs) {
      this.downAt = t;
      this.#stopped = this.stack.signal(this.service, this.signal);
    }
    if (this.#stopped && !this.#restarted && t >= this.fromMs + this.forMs) {
      this.#restarted = this.#stopped.then(() => {
        this.upAt = performance.now() - this.t0;
        return this.stack.startService(this.service);
      });
    }
  }

  async finished(): Promise<void> {
    await this.#restarted;
  }

  marks(down: string, up: string): Array<{ t: number; label: string }> {
    return [
      { t: this.downAt, label: down },
      { t: this.upAt, label: up },
    ];
  }
}
