// The provider's compose policy (src/node/runtime/compose-policy.ts): the example's files pass; every hostile form
// of the safety issue, and the allow-list's edges, are refused with a reason naming where.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { PLACEHOLDER_VARIABLES, checkCompose, type Environment } from "../../src/node/runtime/index.ts";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/matmul-source");
const example = (environment: Environment) => readFileSync(join(EXAMPLE, `compose.${environment}.yml`), "utf8");
const DIGEST = `registry.example/matmul@sha256:${"a".repeat(64)}`;
const check = (text: string, environment: Environment = "cpu", allowLocalImages = true) =>
  checkCompose(text, { environment, allowLocalImages, variables: PLACEHOLDER_VARIABLES });

/** A minimal passing service plus `extra` (YAML lines indented for the service body). */
function service(extra: string, head = ""): string {
  return `${head}services:\n  handler:\n    image: ${DIGEST}\n    ports: ["127.0.0.1:\${PORT}:5555"]\n${extra
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => `    ${line}`)
    .join("\n")}\n`;
}
const reasons = (text: string, environment: Environment = "cpu"): string => {
  const verdict = check(text, environment);
  expect(verdict.ok, `expected a refusal of:\n${text}`).toBe(false);
  return verdict.ok ? "" : verdict.reasons.join("\n");
};

describe("compose policy: what passes", () => {
  test.each(["cpu", "nvidia", "amd"] as const)("the example's %s compose file passes on the local chain", (environment) => {
    const verdict = check(example(environment), environment);
    expect(verdict.ok ? [] : verdict.reasons).toEqual([]);
    if (!verdict.ok) return;
    // The rendered document is literal: PORT filled in, no interpolation left for compose, no host networking.
    const rendered = JSON.parse(verdict.rendered) as { services: { handler: Record<string, unknown> } };
    expect(rendered.services.handler.ports).toEqual(["127.0.0.1:49152:49152"]);
    expect(rendered.services.handler.network_mode).toBeUndefined();
  });

  test("a local tag is refused off the local chain; a digest passes everywhere", () => {
    const off = checkCompose(example("cpu"), { environment: "cpu", allowLocalImages: false, variables: PLACEHOLDER_VARIABLES });
    expect(off.ok ? [] : off.reasons).toEqual([expect.stringMatching(/image: "gpunexus\/matmul-source:0.1.0" is not pinned by digest/)]);
    expect(checkCompose(service(""), { environment: "cpu", allowLocalImages: false, variables: PLACEHOLDER_VARIABLES }).ok).toBe(true);
  });

  test("the scratch folder may be bind-mounted (short and long syntax); named and anonymous volumes pass", () => {
    expect(check(service('volumes: ["${SCRATCH_DIR}:/work", "cache:/cache:ro", "/anon"]', "volumes:\n  cache:\n")).ok).toBe(true);
    expect(check(service("volumes:\n  - type: bind\n    source: ${SCRATCH_DIR}\n    target: /work\n")).ok).toBe(true);
  });

  test("x- extensions, anchors and merge keys are resolved, then checked; x- keys are dropped from what runs", () => {
    const text = `x-base: &base\n  image: ${DIGEST}\n  read_only: true\nservices:\n  handler:\n    <<: *base\n    ports: ["127.0.0.1:\${PORT}:5555"]\n`;
    const verdict = check(text);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(JSON.parse(verdict.rendered)).toEqual({ services: { handler: { image: DIGEST, read_only: true, ports: ["127.0.0.1:49152:5555"] } } });
  });

  test("a literal $ is escaped for compose, so it reaches the container unchanged", () => {
    const verdict = check(service("environment:\n  PRICE: \"$$5\"\n"));
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.rendered).toContain('"PRICE": "$$5"');
  });
});

describe("compose policy: hostile forms are refused", () => {
  test.each([
    ["privileged", "privileged: true", /privileged: true is not allowed/],
    ["bind mount of / (short)", 'volumes: ["/:/host"]', /bind mount of host path "\/" refused/],
    ["bind mount of a relative path", 'volumes: ["./:/src"]', /bind mount of host path "\.\/" refused/],
    ["bind mount of ~", 'volumes: ["~/.ssh:/keys:ro"]', /bind mount of host path "~\/.ssh" refused/],
    ["bind mount of / (long)", "volumes:\n  - type: bind\n    source: /\n    target: /host", /bind mount of host path "\/" refused/],
    ["a path below the scratch folder (symlink left by a previous run)", 'volumes: ["${SCRATCH_DIR}/link:/host"]', /bind mount of host path .*scratch\/link/],
    ["bind propagation", "volumes:\n  - type: bind\n    source: ${SCRATCH_DIR}\n    target: /w\n    bind:\n      propagation: rshared", /bind: refused/],
    ["docker.sock (short)", 'volumes: ["/var/run/docker.sock:/var/run/docker.sock"]', /docker\.sock/],
    ["docker.sock (long)", "volumes:\n  - type: bind\n    source: /run/docker.sock\n    target: /d.sock", /docker\.sock/],
    ["docker.sock via an environment value", "environment:\n  DOCKER_HOST: unix:///var/run/docker.sock", /mentions docker\.sock/],
    ["pid: host", "pid: host", /pid: refused/],
    ["ipc: host", "ipc: host", /ipc: refused/],
    ["uts: host", "uts: host", /uts: refused/],
    ["userns_mode: host", "userns_mode: host", /userns_mode: refused/],
    ["network_mode: host", "network_mode: host", /network_mode: refused/],
    ["network_mode: service:x", "network_mode: service:other", /network_mode: refused/],
    ["network_mode: container:x", "network_mode: container:gn-other", /network_mode: refused/],
    ["service networks", "networks: [outside]", /networks: refused/],
    ["cap_add", "cap_add: [SYS_ADMIN]", /cap_add: refused/],
    ["devices on cpu (short)", 'devices: ["/dev/sda:/dev/sda"]', /device "\/dev\/sda" refused/],
    ["devices on cpu (long)", "devices:\n  - source: /dev/mem\n    target: /dev/mem\n    permissions: rwm", /device "\/dev\/mem" refused/],
    ["security_opt seccomp=unconfined", 'security_opt: ["seccomp=unconfined"]', /seccomp=unconfined" refused/],
    ["security_opt apparmor=unconfined", 'security_opt: ["apparmor:unconfined"]', /apparmor:unconfined" refused/],
    ["security_opt label=disable", 'security_opt: ["label=disable"]', /label=disable" refused/],
    ["volumes_from", "volumes_from: [other]", /volumes_from: refused/],
    ["extra_hosts", 'extra_hosts: ["host.docker.internal:host-gateway"]', /extra_hosts: refused/],
    ["sysctls", "sysctls:\n  net.ipv4.ip_forward: 1", /sysctls: refused/],
    ["cgroup_parent", "cgroup_parent: /", /cgroup_parent: refused/],
    ["cgroup: host", "cgroup: host", /cgroup: refused/],
    ["ulimits", "ulimits:\n  nofile: 1048576", /ulimits: refused/],
    ["env_file", "env_file: /etc/shadow", /env_file: refused/],
    ["build context", "build: /", /build: refused/],
    ["extends", "extends:\n  file: /etc/compose.yml\n  service: x", /extends: refused/],
    ["runtime", "runtime: runc-unconfined", /runtime: refused/],
    ["device_cgroup_rules", 'device_cgroup_rules: ["a *:* rwm"]', /device_cgroup_rules: refused/],
    ["a port on every interface", 'ports: ["0.0.0.0:${PORT}:5555"]', /ports\[1\]: .* refused/],
    ["a second port", 'ports: ["127.0.0.1:2375:5555"]', /ports\[1\]: .* refused/],
    ["long-syntax port without host_ip", "ports:\n  - target: 5555\n    published: ${PORT}", /host_ip: must be "127\.0\.0\.1"/],
    ["compose's own labels", "labels:\n  com.docker.compose.project: gn-someone-else", /label com\.docker\.compose\.project refused/],
    ["restart: always", "restart: always", /restart: "always" is not allowed/],
    ["logging driver", "logging:\n  driver: syslog", /logging: refused/],
    ["container_name", "container_name: gn-other", /container_name: refused/],
    ["an unknown key", "oom_kill_disable: true\nfuture_key: 1", /future_key: unknown key, refused/],
  ])("%s", (_name, extra, pattern) => {
    // Replaces the base ports line when the case is about ports, so each case has exactly one problem.
    const text = extra.startsWith("ports") ? service(extra).replace(/ {4}ports: \["127\.0\.0\.1:\$\{PORT\}:5555"\]\n/, '    ports: ["127.0.0.1:${PORT}:5555"]\n    x-ignored: 1\n').replace(/ports: \["127.0.0.1:\$\{PORT\}:5555"\]\n    x-ignored: 1\n    ports:/, "ports:") : service(extra);
    expect(reasons(text.includes("ports: [\"0.0.0.0") || text.includes("2375") ? text.replace(/ports: (\[.*\])/, (match, list: string) => `ports: ["127.0.0.1:\${PORT}:5555", ${list.slice(1, -1)}]`) : text)).toMatch(pattern);
  });

  test("GPU reservations belong to nvidia only; devices to amd only, and only /dev/kfd and /dev/dri", () => {
    const gpu = "deploy:\n  resources:\n    reservations:\n      devices:\n        - driver: nvidia\n          count: all\n          capabilities: [gpu]";
    expect(reasons(service(gpu), "cpu")).toMatch(/GPU reservations belong to the nvidia environment only/);
    expect(check(service(gpu), "nvidia").ok).toBe(true);
    expect(reasons(service(gpu.replace("driver: nvidia", "driver: nvidia\n          options:\n            x: y")), "nvidia")).toMatch(/options: unknown key/);
    expect(reasons(service('devices: ["/dev/kfd"]'), "nvidia")).toMatch(/the nvidia environment gets no devices/);
    expect(check(service('devices: ["/dev/kfd", "/dev/dri"]'), "amd").ok).toBe(true);
    expect(reasons(service('devices: ["/dev/sda"]'), "amd")).toMatch(/only \/dev\/kfd and \/dev\/dri/);
    expect(reasons(service('devices: ["/dev/sda:/dev/kfd"]'), "amd")).toMatch(/device "\/dev\/sda" refused/);
  });

  test("top-level volumes with a driver or driver_opts (a bind mount in disguise), networks, configs, secrets", () => {
    const disguised = "volumes:\n  root:\n    driver: local\n    driver_opts:\n      type: none\n      o: bind\n      device: /\n";
    expect(reasons(service('volumes: ["root:/host"]', disguised))).toMatch(/volumes\.root: only plain named volumes/);
    expect(reasons(service("", "networks:\n  default:\n    external: true\n    name: host\n"))).toMatch(/networks: top-level key refused/);
    expect(reasons(service("", "secrets:\n  s:\n    file: /etc/shadow\n"))).toMatch(/secrets: top-level key refused/);
    expect(reasons(service("", "configs:\n  c:\n    file: /root/.ssh/id_rsa\n"))).toMatch(/configs: top-level key refused/);
    expect(reasons(service('volumes: ["undeclared:/x"]'))).toMatch(/volume "undeclared" is not declared/);
  });

  test("a merge key cannot smuggle a refused key, and x- service keys carry nothing through", () => {
    const text = `x-evil: &evil\n  privileged: true\n  pid: host\nservices:\n  handler:\n    <<: *evil\n    image: ${DIGEST}\n`;
    expect(reasons(text)).toMatch(/privileged: true is not allowed[\s\S]*pid: refused/);
  });

  test("every service is checked, not only the first", () => {
    const text = `${service("")}  sidecar:\n    image: ${DIGEST}\n    volumes: ["/:/host"]\n`;
    expect(reasons(text)).toMatch(/services\.sidecar\.volumes\[0\]: bind mount of host path "\/" refused/);
  });

  test("variables other than the node's are refused: compose would fill them from the node's environment", () => {
    expect(reasons(service('volumes: ["${HOME}:/home"]'))).toMatch(/references \$\{HOME\}/);
    expect(reasons(service('volumes: ["$HOME/.ssh:/k"]'))).toMatch(/references \$\{HOME\}/);
    expect(reasons(service("environment:\n  X: ${PORT:-${HOME}}"))).toMatch(/unsupported interpolation syntax/);
  });

  test("YAML tricks: custom tags, duplicate keys, non-mapping documents", () => {
    expect(reasons(`services:\n  handler: !override\n    image: ${DIGEST}\n`)).toMatch(/tag !override is not allowed|Unresolved tag/);
    expect(reasons(`services:\n  handler:\n    image: ${DIGEST}\n    privileged: false\n    privileged: true\n`)).toMatch(/YAML: Map keys must be unique/);
    expect(reasons("- just\n- a list\n")).toMatch(/not a mapping/);
    expect(reasons("services: {}\n")).toMatch(/at least one service/);
    expect(reasons(`services:\n  handler:\n    ports: ["127.0.0.1:\${PORT}:5555"]\n`)).toMatch(/image: required/);
  });

  test("a refusal lists every reason, not only the first", () => {
    const verdict = check(service("privileged: true\ncap_add: [ALL]\npid: host\nnetwork_mode: host"));
    expect(verdict.ok ? [] : verdict.reasons).toHaveLength(4);
  });
});
