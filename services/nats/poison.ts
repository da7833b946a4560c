/** A message no handler can ever process (bad bytes, wrong type): it goes to the dead letters at once. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoisonMessageError";
  }
}
