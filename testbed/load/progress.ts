/** A one-line progress bar on stderr when it is a terminal; silent otherwise (CI logs stay readable). */
export class ProgressBar {
  readonly #tty = Boolean(process.stderr.isTTY);
  #last = 0;

  constructor(private readonly label: string) {}

  update(done: number, total: number, detail: string): void {
    if (!this.#tty) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    process.stderr.write(`\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${detail}\x1b[K`);
  }

  done(): void {
    if (this.#tty) process.stderr.write("\n");
  }
}
