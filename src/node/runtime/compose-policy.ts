// What a provider node lets a source's compose file do: an allow-list, checked on the interpolated document before
// anything runs. The stack gets its own project network, one port published on 127.0.0.1, an optional bind mount of
// the node's fresh scratch folder, and the GPU of its environment; nothing else that reaches the host.
import { posix } from "node:path";
import { parseCompose, renderCompose, type ComposeVariables, type JsonValue } from "./compose-document.ts";
import type { Environment } from "./types.ts";

export type ComposePolicyOptions = {
  environment: Environment;
  /**
   * A locally built tag (no registry digest) is allowed only on the local development chain; on a public network an
   * image must be pinned by digest (`name@sha256:…`), so the compose file's sha256 commits to the code that runs.
   */
  allowLocalImages: boolean;
  variables: ComposeVariables;
};

export type ComposeVerdict = { ok: true; rendered: string; services: string[] } | { ok: false; reasons: string[] };

type Json = JsonValue;
type Obj = { [key: string]: Json };
type Check = (value: Json, where: string, reasons: string[], ctx: Ctx) => void;
type Ctx = ComposePolicyOptions & { namedVolumes: Set<string> };

const isObj = (value: Json | undefined): value is Obj => value !== null && typeof value === "object" && !Array.isArray(value);
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const DIGEST_IMAGE = /^[a-z0-9][a-z0-9._/:-]*@sha256:[a-f0-9]{64}$/;
const LOCAL_IMAGE = /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
const AMD_DEVICES = /^\/dev\/(kfd|dri|dri\/(card|renderD)\d+)$/;
const NVIDIA_CAPABILITIES = new Set(["gpu", "compute", "utility", "graphics", "video", "display"]);

const str: Check = (value, where, reasons) => {
  if (typeof value !== "string") reasons.push(`${where}: must be a string`);
};
const bool: Check = (value, where, reasons) => {
  if (typeof value !== "boolean") reasons.push(`${where}: must be true or false`);
};
const scalar: Check = (value, where, reasons) => {
  if (!["string", "number"].includes(typeof value)) reasons.push(`${where}: must be a string or a number`);
};
const strOrList: Check = (value, where, reasons) => {
  if (typeof value === "string") return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) reasons.push(`${where}: must be a string or a list of strings`);
};
const oneOf =
  (...allowed: Json[]): Check =>
  (value, where, reasons) => {
    if (!allowed.includes(value)) reasons.push(`${where}: ${JSON.stringify(value)} is not allowed (allowed: ${allowed.map((a) => JSON.stringify(a)).join(", ")})`);
  };
const refused =
  (why: string): Check =>
  (_value, where, reasons) => {
    reasons.push(`${where}: refused (${why})`);
  };
const fields =
  (table: Record<string, Check>): Check =>
  (value, where, reasons, ctx) => {
    if (!isObj(value)) return void reasons.push(`${where}: must be a mapping`);
    for (const [key, item] of Object.entries(value)) {
      const check = table[key];
      if (check) check(item, `${where}.${key}`, reasons, ctx);
      else reasons.push(`${where}.${key}: unknown key, refused (the policy is an allow-list)`);
    }
  };

const image: Check = (value, where, reasons, ctx) => {
  if (typeof value !== "string") return void reasons.push(`${where}: must be a string`);
  if (DIGEST_IMAGE.test(value)) return;
  if (ctx.allowLocalImages && LOCAL_IMAGE.test(value)) return;
  reasons.push(
    ctx.allowLocalImages
      ? `${where}: ${JSON.stringify(value)} is not an image reference`
      : `${where}: ${JSON.stringify(value)} is not pinned by digest (name@sha256:…); a tag is allowed only on the local development chain`,
  );
};

const environment: Check = (value, where, reasons) => {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item !== "string" || !/^[A-Za-z_][A-Za-z0-9_.]*(=|$)/.test(item)) reasons.push(`${where}: ${JSON.stringify(item)} is not NAME=value`);
    return;
  }
  if (!isObj(value)) return void reasons.push(`${where}: must be a mapping or a list`);
  for (const [key, item] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) reasons.push(`${where}.${key}: not a variable name`);
    if (item !== null && typeof item === "object") reasons.push(`${where}.${key}: must be a string, number, boolean or null`);
  }
};

const containerPath = (value: Json, where: string, reasons: string[]): void => {
  if (typeof value !== "string" || !posix.isAbsolute(value)) reasons.push(`${where}: ${JSON.stringify(value)} must be an absolute path inside the container`);
};

// The only host path a stack may see is the scratch folder the node recreates empty for each start: exactly it, not
// a path below it, since a previous run could have left a symlink there that the daemon would follow on the host.
function bindSource(source: string, where: string, reasons: string[], ctx: Ctx): void {
  const scratch = ctx.variables.SCRATCH_DIR.replace(/\/+$/, "");
  if (source.replace(/\/+$/, "") === scratch) return;
  reasons.push(`${where}: bind mount of host path ${JSON.stringify(source)} refused (only \${SCRATCH_DIR} itself may be mounted)`);
}

const volumeShort = (value: string, where: string, reasons: string[], ctx: Ctx): void => {
  const parts = value.split(":");
  if (parts.length === 1) return containerPath(value, where, reasons); // anonymous volume
  const [source = "", target = "", mode, ...rest] = parts;
  if (rest.length > 0 || (mode !== undefined && !["ro", "rw"].includes(mode))) return void reasons.push(`${where}: ${JSON.stringify(value)}: only "ro" or "rw" may follow the target`);
  containerPath(target, where, reasons);
  if (VOLUME_NAME.test(source)) {
    if (!ctx.namedVolumes.has(source)) reasons.push(`${where}: volume ${JSON.stringify(source)} is not declared under the top-level volumes`);
    return;
  }
  bindSource(source, where, reasons, ctx);
};

const volumeLong: Check = (value, where, reasons, ctx) => {
  if (!isObj(value)) return void reasons.push(`${where}: must be a string or a mapping`);
  const type = value.type;
  fields({
    type: oneOf("bind", "volume", "tmpfs"),
    source: str,
    target: containerPath,
    read_only: bool,
    consistency: str,
    volume: fields({ nocopy: bool }),
    tmpfs: fields({ size: scalar, mode: scalar }),
    bind: refused("bind options: propagation and create_host_path reach the host's mount table"),
  })(value, where, reasons, ctx);
  const source = typeof value.source === "string" ? value.source : undefined;
  if (type === "bind") return void bindSource(source ?? "", `${where}.source`, reasons, ctx);
  if (type === "volume" && source !== undefined && !ctx.namedVolumes.has(source)) {
    reasons.push(`${where}.source: volume ${JSON.stringify(source)} is not declared under the top-level volumes`);
  }
  if (type === "tmpfs" && source !== undefined) reasons.push(`${where}.source: a tmpfs has no source`);
};

const volumes: Check = (value, where, reasons, ctx) => {
  if (!Array.isArray(value)) return void reasons.push(`${where}: must be a list`);
  value.forEach((item, index) => (typeof item === "string" ? volumeShort(item, `${where}[${index}]`, reasons, ctx) : volumeLong(item, `${where}[${index}]`, reasons, ctx)));
};

// The handler is reached on 127.0.0.1:${PORT} and nowhere else: not on the LAN, not on another port.
const ports: Check = (value, where, reasons, ctx) => {
  if (!Array.isArray(value)) return void reasons.push(`${where}: must be a list`);
  const port = ctx.variables.PORT;
  value.forEach((item, index) => {
    const at = `${where}[${index}]`;
    if (typeof item === "string") {
      const match = /^127\.0\.0\.1:(\d+):(\d+)(\/tcp)?$/.exec(item);
      if (!match || match[1] !== port) reasons.push(`${at}: ${JSON.stringify(item)} refused: publish exactly "127.0.0.1:\${PORT}:<container port>"`);
      return;
    }
    if (!isObj(item)) return void reasons.push(`${at}: must be a string or a mapping`);
    fields({ target: scalar, published: scalar, host_ip: oneOf("127.0.0.1"), protocol: oneOf("tcp"), mode: oneOf("ingress", "host") })(item, at, reasons, ctx);
    if (item.host_ip !== "127.0.0.1") reasons.push(`${at}.host_ip: must be "127.0.0.1"`);
    if (String(item.published) !== port) reasons.push(`${at}.published: must be \${PORT}`);
  });
};

const devices: Check = (value, where, reasons, ctx) => {
  if (!Array.isArray(value)) return void reasons.push(`${where}: must be a list`);
  value.forEach((item, index) => {
    const at = `${where}[${index}]`;
    let source: Json | undefined;
    let target: Json | undefined;
    if (typeof item === "string") {
      const [s, t, perms, ...rest] = item.split(":");
      source = s;
      target = t ?? s;
      if (rest.length > 0 || (perms !== undefined && !/^[rwm]{1,3}$/.test(perms))) reasons.push(`${at}: malformed device ${JSON.stringify(item)}`);
    } else if (isObj(item)) {
      fields({ source: str, target: str, permissions: str })(item, at, reasons, ctx);
      source = item.source;
      target = item.target ?? item.source;
    } else return void reasons.push(`${at}: must be a string or a mapping`);
    const allowed = ctx.environment === "amd" && typeof source === "string" && AMD_DEVICES.test(source) && target === source;
    if (!allowed) {
      reasons.push(`${at}: device ${JSON.stringify(source)} refused (${ctx.environment === "amd" ? "only /dev/kfd and /dev/dri, at the same path" : `the ${ctx.environment} environment gets no devices`})`);
    }
  });
};

const gpuReservation: Check = (value, where, reasons, ctx) => {
  if (ctx.environment !== "nvidia") return void reasons.push(`${where}: GPU reservations belong to the nvidia environment only`);
  if (!Array.isArray(value)) return void reasons.push(`${where}: must be a list`);
  value.forEach((item, index) => {
    const at = `${where}[${index}]`;
    fields({
      driver: oneOf("nvidia"),
      count: (count, w, r) => {
        if (count !== "all" && !(typeof count === "number" && Number.isInteger(count) && count > 0)) r.push(`${w}: must be "all" or a positive integer`);
      },
      device_ids: (ids, w, r) => {
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) r.push(`${w}: must be a list of strings`);
      },
      capabilities: (caps, w, r) => {
        if (!Array.isArray(caps) || caps.some((cap) => typeof cap !== "string" || !NVIDIA_CAPABILITIES.has(cap))) r.push(`${w}: only ${[...NVIDIA_CAPABILITIES].join(", ")}`);
      },
    })(item, at, reasons, ctx);
  });
};

const resources = fields({ cpus: scalar, memory: scalar, pids: scalar });
const deploy = fields({
  resources: fields({ limits: resources, reservations: fields({ cpus: scalar, memory: scalar, devices: gpuReservation }) }),
});

const labels: Check = (value, where, reasons) => {
  const keys = Array.isArray(value) ? value.map((item) => String(item).split("=")[0] ?? "") : isObj(value) ? Object.keys(value) : undefined;
  if (keys === undefined) return void reasons.push(`${where}: must be a mapping or a list`);
  // The node finds and removes its stacks by compose's labels: a container must not claim another project's.
  for (const key of keys) if (/^com\.docker\./.test(key)) reasons.push(`${where}: label ${key} refused (com.docker.* labels are the node's and compose's)`);
};

const securityOpt: Check = (value, where, reasons) => {
  if (!Array.isArray(value)) return void reasons.push(`${where}: must be a list`);
  for (const item of value) {
    // Only tightening is allowed; seccomp/apparmor/label/systempaths options loosen the confinement.
    if (typeof item !== "string" || !/^no-new-privileges([:=]true)?$/.test(item)) reasons.push(`${where}: ${JSON.stringify(item)} refused (only no-new-privileges)`);
  }
};

const HOST_NAMESPACE = "shares a host or another container's namespace";
const SERVICE_KEYS: Record<string, Check> = {
  image,
  pull_policy: oneOf("never", "missing", "if_not_present", "always"),
  init: bool,
  command: strOrList,
  entrypoint: strOrList,
  environment,
  working_dir: containerPath,
  user: scalar,
  group_add: (value, where, reasons) => {
    if (!Array.isArray(value) || value.some((item) => !["string", "number"].includes(typeof item))) reasons.push(`${where}: must be a list of group names or ids`);
  },
  read_only: bool,
  tmpfs: (value, where, reasons) => {
    for (const item of typeof value === "string" ? [value] : Array.isArray(value) ? value : [null]) containerPath(typeof item === "string" ? (item.split(":")[0] ?? "") : item, where, reasons);
  },
  volumes,
  ports,
  expose: (value, where, reasons) => {
    if (!Array.isArray(value) || value.some((item) => !["string", "number"].includes(typeof item))) reasons.push(`${where}: must be a list of ports`);
  },
  cap_drop: (value, where, reasons) => {
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) reasons.push(`${where}: must be a list`);
  },
  security_opt: securityOpt,
  devices,
  deploy,
  healthcheck: fields({ test: strOrList, interval: str, timeout: str, retries: scalar, start_period: str, start_interval: str, disable: bool }),
  depends_on: (value, where, reasons) => {
    if (!Array.isArray(value) && !isObj(value)) reasons.push(`${where}: must be a list or a mapping`);
  },
  labels,
  restart: oneOf("no", "on-failure"),
  stop_signal: str,
  stop_grace_period: str,
  hostname: str,
  mem_limit: scalar,
  mem_reservation: scalar,
  memswap_limit: scalar,
  cpus: scalar,
  cpu_shares: scalar,
  pids_limit: scalar,
  shm_size: scalar,
  stdin_open: bool,
  tty: bool,
  platform: str,
  privileged: oneOf(false),
  // Spelled out so the refusal says why; any key not listed here is refused anyway.
  cap_add: refused("adds kernel capabilities"),
  network_mode: refused("the node puts the stack on its own project network"),
  networks: refused("the node puts the stack on its own project network"),
  pid: refused(HOST_NAMESPACE),
  ipc: refused(HOST_NAMESPACE),
  uts: refused(HOST_NAMESPACE),
  userns_mode: refused(HOST_NAMESPACE),
  cgroup: refused(HOST_NAMESPACE),
  cgroup_parent: refused("places the container in a host cgroup"),
  volumes_from: refused("takes another container's mounts"),
  build: refused("a provider runs the published image, it builds nothing"),
  env_file: refused("reads a file of the provider's machine"),
  extends: refused("reads another file"),
  configs: refused("reads files of the provider's machine"),
  secrets: refused("reads files of the provider's machine"),
  sysctls: refused("kernel parameters"),
  ulimits: refused("raises resource limits beyond the provider's defaults"),
  runtime: refused("selects another container runtime"),
  device_cgroup_rules: refused("grants device access"),
  extra_hosts: refused("not needed on the project network"),
  external_links: refused("links containers outside the project"),
  links: refused("not needed on the project network"),
  container_name: refused("global names collide across stacks"),
  logging: refused("log drivers can ship logs off the machine; the node reads json-file logs"),
  oom_kill_disable: refused("lets the container starve the host"),
  oom_score_adj: refused("lets the container starve the host"),
  storage_opt: refused("daemon storage options"),
  isolation: refused("isolation technology"),
  profiles: refused("a service that does not start is not checked by running it"),
};

const topLevelVolumes: Check = (value, where, reasons, ctx) => {
  if (!isObj(value)) return void reasons.push(`${where}: must be a mapping`);
  for (const [name, spec] of Object.entries(value)) {
    if (!VOLUME_NAME.test(name)) reasons.push(`${where}.${name}: not a volume name`);
    // A driver or driver_opts can make a "volume" a bind of any host path (type=none, o=bind, device=/).
    else if (spec !== null && !(isObj(spec) && Object.keys(spec).length === 0)) reasons.push(`${where}.${name}: only plain named volumes (no driver, driver_opts, external or name)`);
    else ctx.namedVolumes.add(name);
  }
};

/** Checks a compose file against the policy; on success returns the exact document the node hands to compose. */
export function checkCompose(text: string, options: ComposePolicyOptions): ComposeVerdict {
  const parsed = parseCompose(text, options.variables);
  if (!parsed.ok) return parsed;
  const reasons: string[] = [];
  const doc = parsed.value;
  if (!isObj(doc)) return { ok: false, reasons: ["the file is not a mapping"] };
  const ctx: Ctx = { ...options, namedVolumes: new Set() };
  // x- extensions are only anchors' carriers; they are dropped so that compose sees only what was checked.
  const clean: Obj = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith("x-")) continue;
    if (key === "version") str(value, "version", reasons, ctx);
    else if (key === "volumes") topLevelVolumes(value, "volumes", reasons, ctx);
    else if (key !== "services") reasons.push(`${key}: top-level key refused (allowed: services, volumes, version, x-*)`);
    clean[key] = value;
  }
  const services = doc.services;
  if (!isObj(services) || Object.keys(services).length === 0) reasons.push("services: at least one service is required");
  const names: string[] = [];
  const cleanServices: Obj = {};
  for (const [name, service] of Object.entries(isObj(services) ? services : {})) {
    const where = `services.${name}`;
    names.push(name);
    if (!SERVICE_NAME.test(name)) reasons.push(`${where}: not a service name`);
    if (!isObj(service)) {
      reasons.push(`${where}: must be a mapping`);
      continue;
    }
    const kept = Object.fromEntries(Object.entries(service).filter(([key]) => !key.startsWith("x-")));
    fields(SERVICE_KEYS)(kept, where, reasons, ctx);
    if (kept.image === undefined) reasons.push(`${where}.image: required`);
    cleanServices[name] = kept;
  }
  // Belt and braces: whatever the key, a mention of the Docker socket is a takeover attempt.
  if (/docker\.sock/.test(JSON.stringify(doc))) reasons.push("the file mentions docker.sock, refused in any form");
  if (reasons.length > 0) return { ok: false, reasons: [...new Set(reasons)] };
  return { ok: true, rendered: renderCompose({ ...clean, services: cleanServices }), services: names };
}
