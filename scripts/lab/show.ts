/** A figure as report text: numbers and words as they are, structures as JSON. */
export function show(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
    case "bigint":
    case "boolean":
    case "undefined":
      return String(v);
    default:
      return JSON.stringify(v) ?? typeof v;
  }
}
