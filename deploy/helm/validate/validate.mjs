// Checks a rendered metrics-cluster chart (deploy/helm/test.sh runs it; docs/kubernetes.md, "Chart checks").
//
//   node validate.mjs schema RENDERED.yaml [--external-secret NAME]...
//       every object against the Kubernetes OpenAPI schema of its kind (kubernetes-models, or the
//       prometheus-operator models for ServiceMonitor), no field the schema does not know (kubectl's strict field
//       validation; core kinds only), and the chart's own rules (see chartRules)
//   node validate.mjs storage-class RENDERED.yaml SENTINEL
//       every PersistentVolumeClaim and volumeClaimTemplate asks for storage class SENTINEL (the render set every
//       storageClass value to it, so each claim has an option for its class)
//   node validate.mjs args RENDERED.yaml BINARY [--skip-component NAME]...
//       every metrics-cluster container: each flag and each key of its config file is one the binary lists in
//       --help, and the binary, started with the container's args, env and mounted files (ports and volumes moved
//       to this machine), gets past configuration loading and validation to "starting metrics-cluster"
//   node validate.mjs test-script RENDERED.yaml
//       prints the helm test pod's script (test.sh runs it against a local metrics-cluster)
//   node validate.mjs storage-class-paths VALUES.yaml
//       prints the path of every storageClass key of the values file (test.sh sets them all for storage-class)
//
// Prints one line per check and a count line; exits 1 on any failure.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = path.join(here, "node_modules");
let failures = 0;
const fail = (msg) => { failures++; console.log(`FAIL ${msg}`); };

function loadRendered(file) {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  const objects = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${file}: YAML error: ${d.errors[0].message}`);
    const o = d.toJS();
    if (o != null) objects.push(o);
  }
  return objects;
}

const id = (o) => `${o.kind}/${o.metadata?.name}`;

// ---- Schemas --------------------------------------------------------------------------------------------------

function modelModule(apiVersion) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

async function schemaCheck(o) {
  let mod;
  try {
    mod = await import(modelModule(o.apiVersion));
  } catch {
    fail(`${id(o)}: no schema for apiVersion ${o.apiVersion}`);
    return false;
  }
  const Model = mod[o.kind];
  if (!Model) {
    fail(`${id(o)}: ${o.apiVersion} has no kind ${o.kind}`);
    return false;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    fail(`${id(o)}: schema: ${e.message}`);
    return false;
  }
  return true;
}

// The compiled validators accept fields they do not know, as the API server does unless asked to be strict, which
// kubectl is by default. A misspelt field (podManagmentPolicy) would be dropped silently, so every field is also
// looked up in the models' TypeScript declarations, which list each type's properties.
const dtsCache = new Map();
function readDts(file) {
  if (!dtsCache.has(file)) dtsCache.set(file, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null);
  return dtsCache.get(file);
}

function resolveImport(fromFile, spec) {
  let p = spec.startsWith(".") ? path.resolve(path.dirname(fromFile), spec) : path.join(nodeModules, spec);
  p = p.replace(/\.js$/, "");
  return `${p}.d.ts`;
}

// Splits an interface body into "name" -> type text, at brace depth 0.
function properties(body) {
  const props = new Map();
  const text = body.replace(/\/\*\*[\s\S]*?\*\//g, "");
  let i = 0;
  const re = /"([^"]+)"\??:\s*/y;
  while (i < text.length) {
    if (/\s/.test(text[i])) { i++; continue; }
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) { i = text.indexOf("\n", i) + 1 || text.length; continue; }
    let j = re.lastIndex, depth = 0;
    for (; j < text.length; j++) {
      const c = text[j];
      if (c === "{" || c === "<" || c === "(") depth++;
      else if (c === "}" || c === ">" || c === ")") depth--;
      else if (c === ";" && depth === 0) break;
    }
    props.set(m[1], text.slice(re.lastIndex, j).trim());
    i = j + 1;
  }
  return props;
}

// A named type in a declaration file: { file, props } for an interface, null for a leaf (alias of primitives).
function namedType(file, name) {
  const src = readDts(file);
  if (src == null) return undefined;
  const alias = new RegExp(`export type \\{ (\\w+) as ${name}\\b`).exec(src);
  const local = alias ? alias[1] : name;
  const start = new RegExp(`export interface ${local}\\b[^{]*\\{`).exec(src);
  if (!start) return null;
  let depth = 1, j = start.index + start[0].length;
  for (; j < src.length && depth > 0; j++) {
    if (src[j] === "{") depth++;
    else if (src[j] === "}") depth--;
  }
  const props = properties(src.slice(start.index + start[0].length, j - 1));
  if (/extends TypeMeta/.test(start[0])) { props.set("apiVersion", "string"); props.set("kind", "string"); }
  return { file, props };
}

function typeOf(file, typeText) {
  const src = readDts(file);
  const t = typeText.trim();
  let m;
  if ((m = /^Array<([\s\S]+)>$/.exec(t))) return { array: typeOf(file, m[1]) };
  if ((m = /^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/.exec(t))) return { map: typeOf(file, m[1]) };
  if (t.startsWith("{")) return { inline: { file, props: properties(t.slice(1, -1)) } };
  if ((m = /^(\w+)$/.exec(t))) {
    const name = m[1];
    const imp = new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\} from "([^"]+)"`).exec(src);
    if (imp) return { named: namedType(resolveImport(file, imp[1]), name) };
    const own = namedType(file, name);
    if (own !== undefined) return { named: own };
  }
  return { leaf: true };
}

function strictCheck(value, type, where, errors) {
  if (value == null || type == null) return;
  if (type.array) { if (Array.isArray(value)) value.forEach((v, i) => strictCheck(v, type.array, `${where}[${i}]`, errors)); return; }
  if (type.map) { if (typeof value === "object") for (const [k, v] of Object.entries(value)) strictCheck(v, type.map, `${where}.${k}`, errors); return; }
  const iface = type.inline ?? type.named;
  if (!iface || typeof value !== "object" || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (!iface.props.has(k)) { errors.push(`${where}.${k}`); continue; }
    strictCheck(v, typeOf(iface.file, iface.props.get(k)), `${where}.${k}`, errors);
  }
}

function strictFields(o) {
  if (o.apiVersion.includes(".coreos.com")) return "skipped (CRD models do not list their fields)";
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
  const file = path.join(nodeModules, "kubernetes-models", ...(group ? [group, version] : [version]), `${o.kind}.d.ts`);
  const root = namedType(file, `I${o.kind}`);
  if (!root) { fail(`${id(o)}: no type declarations at ${file}`); return "failed"; }
  const errors = [];
  strictCheck(o, { named: root }, "", errors);
  for (const e of errors) fail(`${id(o)}: unknown field ${e.slice(1)}`);
  return errors.length ? "failed" : "ok";
}

// ---- The chart's own rules -----------------------------------------------------------------------------------

const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
function podTemplates(objects) {
  const pods = [];
  for (const o of objects) {
    if (workloadKinds.has(o.kind)) pods.push({ owner: o, ns: o.metadata.namespace, labels: o.spec.template.metadata?.labels ?? {}, spec: o.spec.template.spec });
    if (o.kind === "Pod") pods.push({ owner: o, ns: o.metadata.namespace, labels: o.metadata.labels ?? {}, spec: o.spec });
  }
  return pods;
}

const matches = (selector, labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function chartRules(objects, externalSecrets) {
  const pods = podTemplates(objects);
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const names = (k) => new Set(byKind(k).map((o) => o.metadata.name));
  let checks = 0;
  const rule = (ok, msg) => { checks++; if (!ok) fail(msg); };

  // Every Service selects at least one pod, and every port it targets is a port of each pod it selects.
  for (const s of byKind("Service")) {
    const sel = s.spec.selector ?? {};
    const selected = pods.filter((p) => p.ns === s.metadata.namespace && !p.owner.metadata.annotations?.["helm.sh/hook"] && matches(sel, p.labels));
    rule(Object.keys(sel).length > 0 && selected.length > 0, `${id(s)}: selects no pod (selector ${JSON.stringify(sel)})`);
    for (const port of s.spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const p of selected) {
        const ports = p.spec.containers.flatMap((c) => c.ports ?? []);
        rule(ports.some((cp) => cp.name === target || cp.containerPort === target),
          `${id(s)}: port ${port.name} targets ${target}, which ${id(p.owner)} does not expose`);
      }
    }
  }
  // A workload's selector matches its own pod template (the API server refuses it otherwise); PDBs select pods.
  for (const o of objects.filter((x) => workloadKinds.has(x.kind))) {
    rule(matches(o.spec.selector.matchLabels ?? {}, o.spec.template.metadata?.labels ?? {}), `${id(o)}: selector does not match its pod template`);
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    const sel = pdb.spec.selector?.matchLabels ?? {};
    rule(pods.some((p) => matches(sel, p.labels) && p.owner.kind !== "Pod"), `${id(pdb)}: selects no pod`);
  }
  // Selectors of different workloads never overlap (two StatefulSets owning each other's pods).
  const workloads = objects.filter((x) => workloadKinds.has(x.kind));
  for (const a of workloads) for (const b of workloads) {
    if (a !== b && matches(a.spec.selector.matchLabels ?? {}, b.spec.template.metadata?.labels ?? {})) {
      rule(false, `${id(a)}'s selector also selects the pods of ${id(b)}`);
    }
  }
  // A StatefulSet's serviceName is a rendered headless Service.
  const headless = new Set(byKind("Service").filter((s) => s.spec.clusterIP === "None").map((s) => s.metadata.name));
  for (const s of byKind("StatefulSet")) rule(headless.has(s.spec.serviceName), `${id(s)}: serviceName ${s.spec.serviceName} is not a rendered headless Service`);
  // Every ConfigMap, Secret and claim a pod uses is rendered (or named as an existing Secret).
  const cms = names("ConfigMap"), secrets = names("Secret"), pvcs = names("PersistentVolumeClaim");
  for (const p of pods) {
    for (const v of p.spec.volumes ?? []) {
      if (v.configMap) rule(cms.has(v.configMap.name), `${id(p.owner)}: volume ${v.name} uses ConfigMap ${v.configMap.name}, not rendered`);
      if (v.secret) rule(secrets.has(v.secret.secretName) || externalSecrets.has(v.secret.secretName), `${id(p.owner)}: volume ${v.name} uses Secret ${v.secret.secretName}, not rendered`);
      if (v.persistentVolumeClaim) rule(pvcs.has(v.persistentVolumeClaim.claimName), `${id(p.owner)}: volume ${v.name} uses claim ${v.persistentVolumeClaim.claimName}, not rendered`);
    }
    const claimTemplates = new Set((p.owner.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name));
    const volumes = new Set([...(p.spec.volumes ?? []).map((v) => v.name), ...claimTemplates]);
    for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
      for (const m of c.volumeMounts ?? []) rule(volumes.has(m.name), `${id(p.owner)}: container ${c.name} mounts ${m.name}, which is no volume of the pod`);
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) rule(secrets.has(ref.name) || externalSecrets.has(ref.name), `${id(p.owner)}: env ${e.name} reads Secret ${ref.name}, not rendered`);
      }
      // Every $(VAR) in args is an env var of the container (Kubernetes leaves unknown ones as they are).
      const envNames = new Set((c.env ?? []).map((e) => e.name));
      for (const a of [...(c.args ?? []), ...(c.command ?? [])]) {
        for (const m of a.matchAll(/\$\((\w+)\)/g)) rule(envNames.has(m[1]), `${id(p.owner)}: container ${c.name} uses $(${m[1]}), which is not in its env`);
      }
    }
    // Components of the cluster: readiness on /ready, resources set.
    for (const c of p.spec.containers.filter(isClusterContainer)) {
      rule(c.readinessProbe?.httpGet?.path === "/ready", `${id(p.owner)}: container ${c.name} has no readiness probe on /ready`);
      rule(c.resources?.requests?.memory && c.resources?.limits?.memory, `${id(p.owner)}: container ${c.name} has no memory request and limit`);
    }
  }
  // Ingesters: parallel start, a grace period long enough to flush and ship, a budget of one.
  for (const s of byKind("StatefulSet").filter((x) => x.metadata.labels?.["app.kubernetes.io/component"] === "ingester")) {
    rule(s.spec.podManagementPolicy === "Parallel", `${id(s)}: podManagementPolicy is not Parallel`);
    rule((s.spec.template.spec.terminationGracePeriodSeconds ?? 30) >= 300, `${id(s)}: terminationGracePeriodSeconds below 300 s leaves no time to flush and ship`);
  }
  for (const pdb of byKind("PodDisruptionBudget").filter((x) => x.metadata.labels?.["app.kubernetes.io/component"] === "ingester")) {
    rule(pdb.spec.maxUnavailable === 1, `${id(pdb)}: ingesters' maxUnavailable is not 1`);
  }
  return checks;
}

const isClusterContainer = (c) => (c.args ?? []).some((a) => a.startsWith("--target="));

// ---- Commands -------------------------------------------------------------------------------------------------

async function cmdSchema(file, externalSecrets) {
  const objects = loadRendered(file);
  const counts = {};
  let strictSkipped = 0;
  for (const o of objects) {
    const okSchema = await schemaCheck(o);
    const strict = strictFields(o);
    if (strict.startsWith("skipped")) strictSkipped++;
    if (okSchema && strict !== "failed") counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  }
  const rules = chartRules(objects, externalSecrets);
  const valid = Object.values(counts).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(counts).sort().map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`schema: ${valid} of ${objects.length} objects valid (${kinds})${strictSkipped ? `; unknown-field check skipped for ${strictSkipped} CRD object(s)` : ""}; chart rules: ${rules} checks`);
}

function cmdStorageClass(file, sentinel) {
  const objects = loadRendered(file);
  let claims = 0;
  const check = (spec, what) => { claims++; if (spec.storageClassName !== sentinel) fail(`${what}: storageClassName is ${JSON.stringify(spec.storageClassName)}, not ${sentinel}: no storageClass value reaches it`); };
  for (const o of objects) {
    if (o.kind === "PersistentVolumeClaim") check(o.spec, id(o));
    for (const t of o.spec?.volumeClaimTemplates ?? []) check(t.spec, `${id(o)} claim ${t.metadata.name}`);
  }
  console.log(`storage classes: ${claims} claims, each with a storageClass option`);
}

function helpOf(binary) {
  const r = spawnSync(binary, ["--help"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${binary} --help failed: ${r.stderr}`);
  const flags = new Set(), keys = new Set();
  for (const line of r.stdout.split("\n")) {
    const f = /^\s+-([a-z][\w.-]*)\s/.exec(line);
    if (f) flags.add(f[1]);
    const k = /YAML: ([\w.]+)\)\s*$/.exec(line);
    if (k) keys.add(k[1]);
  }
  return { flags, keys };
}

function flatten(obj, prefix = "") {
  return Object.entries(obj ?? {}).flatMap(([k, v]) =>
    v && typeof v === "object" && !Array.isArray(v) ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]);
}

function setPath(obj, dotted, value) {
  const parts = dotted.split(".");
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] ??= {};
  o[parts.at(-1)] = value;
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once("error", reject);
  s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
});

// Starts the binary as the container would start, on this machine; resolves with the outcome.
function startOnce(binary, args, env, cwd, timeoutMs, settleMs = 2000) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGKILL");
      resolve({ ...result, out });
    };
    // After the start line, a moment for the hosted services to begin (and create their directories).
    let settling = false;
    const onData = (d) => {
      out += d;
      if (!settling && /starting metrics-cluster/.test(out)) { settling = true; setTimeout(() => finish({ ok: true }), settleMs); }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    // Exiting after the start line is expected here (the membership store does not exist on this machine).
    child.on("exit", (code) => finish({ ok: settling, code }));
    child.on("error", (e) => { out += `${e.message}\n`; finish({ ok: false, code: e.code }); });
    const timer = setTimeout(() => finish({ ok: false, code: "timeout" }), timeoutMs);
  });
}

// Every work directory of cmdArgs, removed at exit whatever happened.
const tmpDirs = [];
process.on("exit", () => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });

async function cmdArgs(file, binaryArg, skip) {
  // Absolute: each process starts in its own work directory.
  const binary = path.resolve(binaryArg);
  const objects = loadRendered(file);
  const { flags, keys } = helpOf(binary);
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, o.data ?? {}]));
  const secrets = new Map(objects.filter((o) => o.kind === "Secret").map((o) => [o.metadata.name, o.stringData ?? {}]));
  let started = 0, skipped = 0;
  const seen = new Set();
  for (const p of podTemplates(objects)) {
    for (const c of p.spec.containers.filter(isClusterContainer)) {
      const component = p.labels["app.kubernetes.io/component"];
      const what = `${id(p.owner)} container ${c.name}`;
      if (skip.has(component)) { skipped++; console.log(`skip ${what} (--skip-component ${component})`); continue; }
      // Static: every flag is one the binary has.
      for (const a of c.args) {
        const m = /^--?([^=]+)(=|$)/.exec(a);
        if (!m || !flags.has(m[1])) fail(`${what}: ${a} is not a flag of metrics-cluster --help`);
      }
      // The files of its volumes, on this machine.
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mc-chart-args-"));
      tmpDirs.push(tmp);
      const mounts = new Map();
      for (const m of c.volumeMounts ?? []) {
        const dir = path.join(tmp, m.name);
        fs.mkdirSync(dir, { recursive: true });
        mounts.set(m.mountPath, dir);
        const vol = (p.spec.volumes ?? []).find((v) => v.name === m.name);
        if (vol?.configMap) {
          const data = configMaps.get(vol.configMap.name) ?? {};
          const items = vol.configMap.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
          for (const it of items) fs.writeFileSync(path.join(dir, it.path), data[it.key] ?? "");
        }
      }
      // A path under a mount moves to that mount's directory; any other absolute path would be on the container's
      // read-only root filesystem: it moves under rootfs/, which must stay empty.
      const rootfs = path.join(tmp, "rootfs");
      const local = (v) => {
        if (typeof v !== "string") return v;
        for (const [mp, dir] of mounts) if (v === mp || v.startsWith(`${mp}/`)) return dir + v.slice(mp.length);
        return v.startsWith("/") ? rootfs + v : v;
      };
      // Its config file: every key known; paths, ports and the listen address moved to this machine.
      const configArg = c.args.find((a) => a.startsWith("--config.file="));
      const configPath = configArg && local(configArg.slice("--config.file=".length));
      if (configPath) {
        const { stringify } = await import("yaml");
        const config = parse(fs.readFileSync(configPath, "utf8")) ?? {};
        for (const [k] of flatten(config)) if (!keys.has(k)) fail(`${what}: config key ${k} is not a YAML key of metrics-cluster --help`);
        for (const [k, v] of flatten(config)) setPath(config, k, local(v));
        setPath(config, "server.http_listen_port", await freePort());
        setPath(config, "server.rpc_listen_port", await freePort());
        setPath(config, "server.http_listen_address", "127.0.0.1");
        fs.writeFileSync(configPath, stringify(config));
      }
      // Its env, as the kubelet would give it: the pod's name and IP, Secrets (rendered ones, placeholders for
      // existing ones), plain values.
      const env = { PATH: process.env.PATH, HOME: tmp, DOTNET_CLI_TELEMETRY_OPTOUT: "1" };
      for (const e of c.env ?? []) {
        if (e.value !== undefined) env[e.name] = e.value;
        else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = `${p.owner.metadata.name}-0`;
        else if (e.valueFrom?.fieldRef?.fieldPath === "status.podIP") env[e.name] = "127.0.0.1";
        else if (e.valueFrom?.secretKeyRef) {
          const ref = e.valueFrom.secretKeyRef;
          env[e.name] = secrets.get(ref.name)?.[ref.key] ?? (e.name === "MC_RING_CONNECTION_STRING" ? placeholderConnection(c.args) : "placeholder");
        }
      }
      const args = c.args.map((a) => local(a.replace(/\$\((\w+)\)/g, (_, n) => env[n] ?? `$(${n})`)).replace(/^(--[^=]+=)(\/.*)$/, (_, f, v) => f + local(v)));
      // Zones of one StatefulSet family differ only in --ring.zone and the pod name: start one of them.
      const key = component + JSON.stringify(c.args.filter((a) => !/^--ring\.(instance-id|zone)=/.test(a)));
      if (seen.has(key)) { fs.rmSync(tmp, { recursive: true, force: true }); continue; }
      seen.add(key);
      const r = await startOnce(binary, args, env, tmp, 60000);
      started++;
      const written = fs.existsSync(rootfs) ? fs.readdirSync(rootfs, { recursive: true }) : [];
      if (written.length) fail(`${what}: wrote ${written.map((w) => "/" + w).join(", ")} outside its volumes (the root filesystem is read-only)`);
      if (r.ok) console.log(`ok ${what}: started (${c.args.filter((a) => a.startsWith("--target=")).join(" ")})`);
      else fail(`${what}: the binary did not get to "starting metrics-cluster" (exit ${r.code}):\n${r.out.split("\n").slice(0, 15).join("\n")}`);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  console.log(`args: ${started} containers started with their rendered args and config${skipped ? `, ${skipped} skipped` : ""}; ${flags.size} flags and ${keys.size} YAML keys known to the binary`);
}

function placeholderConnection(args) {
  if (args.some((a) => a.startsWith("--ring.azure."))) return "UseDevelopmentStorage=true";
  return "Host=127.0.0.1;Port=1;Username=placeholder;Password=placeholder;Database=placeholder";
}

function cmdTestScript(file) {
  const pod = loadRendered(file).find((o) => o.kind === "Pod" && o.metadata.annotations?.["helm.sh/hook"] === "test");
  if (!pod) { fail("no helm test pod rendered"); return; }
  process.stdout.write(pod.spec.containers[0].command[2]);
}

function cmdStorageClassPaths(file) {
  const walk = (o, prefix) => Object.entries(o ?? {}).flatMap(([k, v]) =>
    k === "storageClass" ? [`${prefix}${k}`] : v && typeof v === "object" && !Array.isArray(v) ? walk(v, `${prefix}${k}.`) : []);
  for (const p of walk(parse(fs.readFileSync(file, "utf8")), "")) console.log(p);
}

// ---- Main -----------------------------------------------------------------------------------------------------

const [cmd, file, ...rest] = process.argv.slice(2);
const multi = (flag) => new Set(rest.flatMap((a, i) => (a === flag ? [rest[i + 1]] : [])));
try {
  if (cmd === "schema") await cmdSchema(file, multi("--external-secret"));
  else if (cmd === "storage-class") cmdStorageClass(file, rest[0]);
  else if (cmd === "args") await cmdArgs(file, rest[0], multi("--skip-component"));
  else if (cmd === "test-script") cmdTestScript(file);
  else if (cmd === "storage-class-paths") cmdStorageClassPaths(file);
  else { console.error("usage: node validate.mjs schema|storage-class|args|test-script RENDERED.yaml ..."); process.exit(2); }
} catch (e) {
  fail(e.stack ?? String(e));
}
process.exit(failures ? 1 : 0);
