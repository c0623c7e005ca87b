/**
 * `deno task bench:report`: runs the comparison benchmarks (bench/ops_bench.ts and
 * bench/train_bench.ts) and the memory probes, reads PyTorch's figures from
 * bench/results/torch.json (written by bench/torch_reference.py), and prints one Markdown table:
 * each workload's throughput per library and backend, with its ratio to fluxion's best backend,
 * then peak memory of the training steps, and the machine and adapter it ran on.
 *
 *   deno task bench:report             # run everything (alone on the machine), then print
 *   deno task bench:report --reuse     # print from the last run's saved results
 *   deno task bench:report --reuse --memory   # rerun only the missing memory probes
 *   deno task bench:report --only "matmul 256"  # rerun one workload into the last run
 */
import { backendInfo, init } from "../mod.ts";
import { LIBRARIES, type Library, slowAllowed, WORKLOADS } from "./workloads.ts";

const HERE = new URL(".", import.meta.url);
const LAST = new URL("results/last_run.json", HERE);
const TORCH = new URL("results/torch.json", HERE);

interface Run {
  date: string;
  runtime: string;
  cpu: string;
  adapter: string;
  /** Seconds per iteration, by workload then library. */
  seconds: Record<string, Partial<Record<string, number>>>;
  /** Why a library did not run a workload. */
  skipped: Record<string, Partial<Record<string, string>>>;
  /** Peak RSS and GPU bytes of training steps, by workload then library. */
  memory: Record<string, Partial<Record<string, { peakRssBytes: number; peakGpuBytes: number }>>>;
}

async function sh(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function adapterName(): Promise<string> {
  try {
    await init({ backend: "webgpu" });
    const a = backendInfo().adapter!;
    return `${a.description}${a.isFallbackAdapter ? " (software fallback adapter)" : ""}`;
  } catch (e) {
    return `none (${(e as Error).message})`;
  } finally {
    await init({ backend: "cpu" });
  }
}

async function runAll(only?: string): Promise<Run> {
  const flags = ["--allow-read", "--allow-env", "--allow-net=127.0.0.1"];
  const files = ["bench/ops_bench.ts", "bench/train_bench.ts"];
  console.error(`running deno bench ${files.join(" ")} (minutes; keep the machine otherwise idle)`);
  const filter = only === undefined ? [] : ["--filter", only];
  const r = await sh(["bench", "--json", ...filter, ...flags, ...files]);
  if (r.code !== 0) throw new Error(`deno bench failed (exit ${r.code}):\n${r.stderr}`);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
  const run: Run = {
    date: new Date().toISOString().slice(0, 10),
    runtime: json.runtime,
    cpu: `${json.cpu}, ${navigator.hardwareConcurrency} cores`,
    adapter: await adapterName(),
    seconds: {},
    skipped: {},
    memory: {},
  };
  for (const b of json.benches) {
    const [workload, library] = String(b.name).split(" · ");
    const ok = b.results?.[0]?.ok;
    if (ok) (run.seconds[workload] ??= {})[library] = ok.avg / 1e9;
  }
  for (const line of r.stderr.split("\n")) {
    const [tag, workload, library, why] = line.split("\t");
    if (tag === "SKIP" && (only === undefined || workload === only)) {
      (run.skipped[workload] ??= {})[library] = why;
    }
  }
  if (only !== undefined) {
    // Merge this workload's figures into the last full run.
    const last: Run = JSON.parse(await Deno.readTextFile(LAST));
    // Rows of libraries this run measured replace the old ones; the others stay.
    const fresh = run.seconds[only] ?? {};
    last.seconds[only] = { ...last.seconds[only], ...fresh };
    last.skipped[only] = { ...last.skipped[only], ...run.skipped[only] };
    for (const lib of Object.keys(fresh)) {
      delete last.skipped[only]![lib];
      delete last.memory[only]?.[lib];
    }
    await probeMemory(last);
    await Deno.writeTextFile(LAST, JSON.stringify(last, null, 2) + "\n");
    return last;
  }
  await probeMemory(run);
  await Deno.mkdir(new URL("results/", HERE), { recursive: true });
  await Deno.writeTextFile(LAST, JSON.stringify(run, null, 2) + "\n");
  return run;
}

/**
 * Peak memory of each training step that ran, each in a fresh process (`-A`: Deno reads
 * `/proc/self/status`, where the peak RSS is, only with all permissions).
 */
async function probeMemory(run: Run): Promise<void> {
  for (const w of WORKLOADS.filter((w) => w.unit === "samples/s")) {
    for (const lib of LIBRARIES) {
      if (run.seconds[w.id]?.[lib] === undefined || run.memory[w.id]?.[lib]) continue;
      if (lib === "tfjs cpu" && w.id.startsWith("seed CNN") && !slowAllowed()) continue;
      console.error(`memory: ${w.id} on ${lib}`);
      const steps = w.id.startsWith("seed CNN") ? "2" : "5";
      const p = await sh(["run", "-A", "bench/memory_probe.ts", w.id, lib, steps]);
      if (p.code === 0) {
        (run.memory[w.id] ??= {})[lib] = JSON.parse(p.stdout.trim().split("\n").at(-1)!);
      }
    }
  }
}

interface Torch {
  library: string;
  config: string;
  machine: string;
  date: string;
  seconds_per_iteration: Record<string, number>;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function table(run: Run, torch: Torch | undefined): string {
  const cols: string[] = [...LIBRARIES, ...(torch ? [torch.library] : [])];
  const lines: string[] = [];
  const notes: string[] = [];
  lines.push(`| workload | unit | ${cols.join(" | ")} |`);
  lines.push(`| --- | --- | ${cols.map(() => "---").join(" | ")} |`);
  for (const w of WORKLOADS) {
    const secs: Record<string, number | undefined> = { ...run.seconds[w.id] };
    if (torch) secs[torch.library] = torch.seconds_per_iteration[w.id];
    const tput = (s: number | undefined) => (s === undefined ? undefined : w.perIter / s);
    const best = Math.max(
      ...(["fluxion cpu", "fluxion webgpu"] as Library[]).map((l) => tput(secs[l]) ?? 0),
    );
    const cells = cols.map((c) => {
      const t = tput(secs[c]);
      if (t === undefined) {
        const why = run.skipped[w.id]?.[c];
        if (!why) return "-";
        notes.push(`${w.id} on ${c}: ${why}`);
        return `n/a [${notes.length}]`;
      }
      return `${fmt(t)} (${fmt(t / best)}x)`;
    });
    lines.push(`| ${w.id} | ${w.unit} | ${cells.join(" | ")} |`);
  }
  const out = [lines.join("\n")];
  if (notes.length) out.push(notes.map((n, i) => `[${i + 1}] ${n}`).join("\n"));
  const mem: string[] = [];
  for (const [workload, libs] of Object.entries(run.memory)) {
    for (const lib of LIBRARIES) {
      const m = libs[lib];
      if (!m) continue;
      mem.push(
        `| ${workload} | ${lib} | ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB | ${
          m.peakGpuBytes ? `${(m.peakGpuBytes / 2 ** 20).toFixed(1)} MiB` : "-"
        } |`,
      );
    }
  }
  if (mem.length) {
    out.push(
      "| training step | library | peak RSS | peak GPU bytes |\n| --- | --- | --- | --- |\n" +
        mem.join("\n") +
        "\n\nPeak RSS: the process's high-water mark over setup and the steps (VmHWM), each " +
        "in a fresh process. Peak GPU bytes: for fluxion the buffer pool's high-water mark of " +
        "buffers in use; for TF.js `tf.memory().numBytes` after each step (live tensors at step " +
        "boundaries, so it misses a step's transient peak).",
    );
  }
  return out.join("\n\n");
}

const reuse = Deno.args.includes("--reuse");
const onlyAt = Deno.args.indexOf("--only");
const only = onlyAt >= 0 ? Deno.args[onlyAt + 1] : undefined;
if (only !== undefined && !WORKLOADS.some((w) => w.id === only)) {
  throw new RangeError(
    `--only: no workload "${only}"; choose one of ${WORKLOADS.map((w) => w.id).join(", ")}`,
  );
}
const run: Run = reuse ? JSON.parse(await Deno.readTextFile(LAST)) : await runAll(only);
if (reuse && Deno.args.includes("--memory")) {
  await probeMemory(run);
  await Deno.writeTextFile(LAST, JSON.stringify(run, null, 2) + "\n");
}
let torch: Torch | undefined;
try {
  torch = JSON.parse(await Deno.readTextFile(TORCH));
} catch {
  torch = undefined;
}
console.log(`Throughput per workload (higher is better); in parentheses, the ratio to fluxion's`);
console.log(`best backend on that workload.\n`);
console.log(table(run, torch));
console.log(
  `\nMachine: ${run.cpu}; ${run.runtime}; WebGPU adapter: ${run.adapter}; measured ${run.date}.`,
);
if (torch) {
  console.log(
    `PyTorch: ${torch.library} (${torch.config}), measured ${torch.date} by ` +
      "bench/torch_reference.py on the same machine kind.",
  );
} else console.log("PyTorch: no bench/results/torch.json (run bench/torch_reference.py).");
