import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../testbed/process-group.js";

const run = promisify(execFile);
const BUF = join(PROJECT_ROOT, "node_modules", ".bin", "buf");
// Outside the repository, so buf cannot fall back to the project's .proto files: reflection only.
const CWD = mkdtempSync(join(tmpdir(), "gvn-bufcurl-"));

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `buf curl` over plaintext HTTP/2 with gRPC reflection: a reflection client nobody here wrote. */
export async function bufCurl(args: string[]): Promise<CurlResult> {
  try {
    const { stdout, stderr } = await run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { cwd: CWD, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
