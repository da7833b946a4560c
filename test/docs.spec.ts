import { expect } from "chai";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { MODES } from "../services/common/config.js";
import { PROJECT_ROOT } from "../testbed/process-group.js";

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), "utf8");

/** Every .ts file under a folder of the project, recursively. */
function sources(dir: string): string[] {
  return readdirSync(join(PROJECT_ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(PROJECT_ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const pages = [
  "README.md",
  ...readdirSync(join(PROJECT_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("the README and docs/", () => {
  it("the README routes: at most about 300 lines, the two commands at its top, and links to at least four docs pages", () => {
    const readme = read("README.md");
    expect(readme.split("\n").length).to.be.at.most(300);
    const top = readme.split("\n").slice(0, 5).join("\n");
    expect(top).to.include("npm ci && npm start").and.include("npm ci && npm test");
    const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#]+\.md)/g)].map((m) => m[1]));
    expect(linked.size).to.be.at.least(4);
  });

  it("has no broken relative link in the README or any docs page", () => {
    const broken: string[] = [];
    for (const page of pages)
      for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith("#")) continue;
        const path = resolve(PROJECT_ROOT, dirname(page), target!.split("#")[0]!);
        if (!existsSync(path)) broken.push(`${page}: ${target} (${relative(PROJECT_ROOT, path)})`);
      }
    expect(broken).to.deep.equal([]);
  });

  it("documents every environment variable the services read in docs/configuration.md", () => {
    const read_ = new Set<string>();
    for (const file of sources("services")) {
      const text = read(file);
      for (const [, name] of text.matchAll(/\benv(?:\.|\[")([A-Z][A-Z0-9_]+)/g)) read_.add(name!);
      // Settings read through a helper name their variable as a string: pick("tls-ca", "TLS_CA_FILE").
      for (const [, name] of text.matchAll(/pick\("[a-z-]+", "([A-Z][A-Z0-9_]+)"\)/g)) read_.add(name!);
    }
    expect(read_.size, "variables found in services/").to.be.greaterThan(20);
    const docs = read("docs/configuration.md");
    expect([...read_].filter((v) => !docs.includes(`\`${v}\``)).sort()).to.deep.equal([]);
  });

  it("lists every finding id the lab's scenarios make in docs/lab.md", () => {
    const ids = new Set<string>();
    for (const file of sources("lab/scenarios")) {
      const text = read(file);
      for (const [, id] of text.matchAll(/\bid: "([a-z-]+\.[a-z0-9.-]+)"/g)) ids.add(id!);
      // Per mode: id: `cost.tracing.${mode}`.
      for (const [, before, after] of text.matchAll(/\bid: `([a-z.-]*)\$\{[a-z.]+\}([a-z.-]*)`/g)) for (const m of MODES) ids.add(`${before}${m}${after}`);
      // Ids a module exports as constants: FINDINGS = { cpu: "broker-versions.cpu.nats", … }.
      for (const [, block] of text.matchAll(/FINDINGS = \{([^}]*)\}/g)) for (const [, id] of block!.matchAll(/"([a-z-]+\.[a-z0-9.-]+)"/g)) ids.add(id!);
    }
    expect(ids.size, "finding ids found in lab/scenarios/").to.be.greaterThan(10);
    const lab = read("docs/lab.md");
    expect([...ids].filter((id) => !lab.includes(`\`${id}\``)).sort()).to.deep.equal([]);
  });
});
