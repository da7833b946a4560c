import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project's top folder: the nearest ancestor holding package.json. The
 * same code runs from the sources (services/...) under tsx and compiled
 * (dist/services/...), so a fixed number of "../" would be wrong in one of them.
 */
export function projectRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "proto"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no project folder (package.json and proto/) above ${from}`);
  }
}
