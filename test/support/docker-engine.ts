import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../testbed/process-group.js";
import { eventually } from "./eventually.js";

const run = promisify(execFile);

async function succeeds(command: string, args: string[], timeoutMs = 20_000): Promise<boolean> {
  try {
    await run(command, args, { timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** What stands between this machine and a Docker engine, or undefined when one answers (started here if need be). */
export async function dockerEngine(): Promise<{ missing?: string; stop?: () => Promise<void> }> {
  if (!(await succeeds("docker-compose", ["version"]))) return { missing: "docker-compose is not installed (apt-get install docker-compose)" };
  if (await succeeds("docker", ["info"])) return {};
  if (process.getuid?.() !== 0) return { missing: "no Docker engine answers, and starting one needs root" };
  if (!(await succeeds("sh", ["-c", "command -v dockerd"]))) return { missing: "no Docker engine: dockerd is not installed (apt-get install docker.io)" };
  // CI's machine has the engine installed but not running: start it for this run, logging beside the temp files.
  const log = join(tmpdir(), "gvn-dockerd.log");
  const daemon = spawn("dockerd", [], { detached: true, stdio: ["ignore", openSync(log, "a"), openSync(log, "a")] });
  daemon.unref();
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  // The engine this run started goes with it (its containers are gone by then); one that was running stays.
  const stop = async () => {
    daemon.kill("SIGTERM");
    await exited;
  };
  try {
    await eventually("dockerd to answer", () => succeeds("docker", ["info"]).then((ok) => ok || undefined), 60_000, 500);
  } catch {
    await stop();
    return { missing: `dockerd did not start; see ${log}` };
  }
  return { stop };
}

/** The images docker-compose.yml and the Dockerfile name (as the stand-ins script reads them). */
async function namedImages(): Promise<string[]> {
  const { stdout } = await run(
    "sh",
    [
      "-c",
      "(grep -hoE '^[[:space:]]*image:[[:space:]]*[^[:space:]#]+' docker-compose.yml | awk '{print $2}'; grep -hoiE '^FROM[[:space:]]+[^[:space:]]+' Dockerfile | awk '{print $2}') | tr -d '\"' | sort -u",
    ],
    { cwd: PROJECT_ROOT },
  );
  return stdout.split("\n").filter((i) => i && i !== "grpc-vs-nats:dev");
}

/** Where the workplace keeps the script that makes local stand-ins for public images (or STAND_INS_SCRIPT). */
function standInsScript(): string | undefined {
  const candidates = [process.env.STAND_INS_SCRIPT, resolve(PROJECT_ROOT, "../shared/tools/docker-stand-ins.sh"), "/work/shared/tools/docker-stand-ins.sh"];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/**
 * Makes every image the compose file names present: pulled when a registry answers, otherwise a
 * local stand-in (the real image's version and behaviour are then not what runs). Returns the lines
 * that say which images are stand-ins, or throws naming what is missing.
 */
export async function ensureImages(natsServerBinary: string): Promise<string[]> {
  const notes: string[] = [];
  const missing: string[] = [];
  for (const image of await namedImages()) {
    if (await succeeds("docker", ["image", "inspect", image])) continue;
    if (!(await succeeds("docker", ["pull", "-q", image], 60_000))) missing.push(image);
  }
  if (missing.length > 0) {
    const script = standInsScript();
    if (!script) throw new Error(`no registry gives ${missing.join(", ")}, and no stand-ins script is here (set STAND_INS_SCRIPT)`);
    const cache = join(tmpdir(), "gvn-stand-ins");
    mkdirSync(cache, { recursive: true });
    await run("bash", [script, "docker-compose.yml", "Dockerfile"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NATS_SERVER_BIN: natsServerBinary },
      maxBuffer: 1 << 24,
    });
  }
  for (const image of await namedImages()) {
    const { stdout } = await run("docker", ["image", "inspect", "-f", "{{json .RepoDigests}}", image]);
    // A pulled image has a registry digest; an imported stand-in has none.
    if (stdout.includes("[]")) notes.push(`${image} is a local stand-in, not the published image`);
  }
  return notes;
}

/** docker-compose for one project, profile and environment. */
export function compose(project: string, profile: string, env: Record<string, string>) {
  return (args: string[], timeoutMs = 300_000) =>
    run("docker-compose", ["-p", project, "--profile", profile, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      maxBuffer: 1 << 24,
    });
}

/** What Docker still holds of a compose project: container, network and volume ids, by kind. */
async function leftovers(project: string): Promise<Record<"containers" | "networks" | "volumes", string[]>> {
  const label = `label=com.docker.compose.project=${project}`;
  const ids = async (args: string[]) => (await run("docker", [...args, "-q", "--filter", label])).stdout.split("\n").filter(Boolean);
  return { containers: await ids(["ps", "-a"]), networks: await ids(["network", "ls"]), volumes: await ids(["volume", "ls"]) };
}

/**
 * Takes a compose project down, volumes and all, and throws unless nothing of it is left. The engine
 * can refuse to remove a network for a moment after its last container went ("has active endpoints"
 * although none is listed; moby #42119, docker/compose #12770): `down` is then repeated, and an
 * endpoint still attached is disconnected by force, before anything counts as left behind.
 */
export async function composeDown(project: string, dc: ReturnType<typeof compose>): Promise<void> {
  const down = () => dc(["down", "-v", "--remove-orphans", "-t", "20"]);
  try {
    await down();
  } catch (err) {
    if (!/has active endpoints/.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
    await eventually("the project's network to go", () => down().then(() => true), 30_000, 1_000).catch(async () => {
      for (const network of (await leftovers(project)).networks) {
        const { stdout } = await run("docker", ["network", "inspect", "-f", "{{range $id, $c := .Containers}}{{$c.Name}} {{end}}", network]);
        for (const endpoint of stdout.split(" ").filter(Boolean)) await run("docker", ["network", "disconnect", "-f", network, endpoint]);
      }
      await down();
    });
  }
  const left = await leftovers(project);
  const named = Object.entries(left).filter(([, ids]) => ids.length > 0);
  if (named.length > 0) throw new Error(`docker-compose down left ${named.map(([kind, ids]) => `${kind} ${ids.join(", ")}`).join("; ")} of ${project}`);
}

/** Copies a path out of the one container of `service` (running or exited) into `to`. */
export async function copyFromService(project: string, service: string, path: string, to: string): Promise<void> {
  const { stdout } = await run("docker", [
    "ps",
    "-a",
    "-q",
    "--filter",
    `label=com.docker.compose.project=${project}`,
    "--filter",
    `label=com.docker.compose.service=${service}`,
  ]);
  const id = stdout.trim().split("\n")[0];
  if (!id) throw new Error(`no container of ${service} in ${project}`);
  await run("docker", ["cp", `${id}:${path}`, to]);
}

export async function buildImage(): Promise<void> {
  await run("docker", ["build", "-q", "-t", "grpc-vs-nats:dev", "."], { cwd: PROJECT_ROOT, timeout: 900_000, maxBuffer: 1 << 24 });
}
