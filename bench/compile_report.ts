/**
 * The eager-against-compiled table for BENCHMARKS.md: runs bench/compile_bench.ts (alone on the
 * machine) and, for each step, backend and mode, bench/compile_probe.ts in a fresh process (peak
 * memory, WebGPU dispatches per step, ops before and after fusion); prints Markdown.
 *
 *   deno run -A bench/compile_report.ts
 */
import { STEPS } from "./compile_steps.ts";

const dec = new TextDecoder();
async function deno(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) throw new Error(`deno ${args.join(" ")} failed:\n${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

console.error("running deno bench bench/compile_bench.ts (minutes; keep the machine idle)");
const bench = await deno([
  "bench",
  "--json",
  "--allow-read",
  "--allow-env",
  "bench/compile_bench.ts",
]);
const json = JSON.parse(bench.slice(bench.indexOf("{")));
const seconds = new Map<string, number>();
for (const b of json.benches) {
  const ok = b.results?.[0]?.ok;
  if (ok) seconds.set(String(b.name), ok.avg / 1e9);
}

interface Probe {
  peakRssBytes: number;
  stepPeakBytes: number;
  dispatchesPerStep: number;
  ops?: number;
  kernels?: number;
}
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const rows = [
  "| step | backend | eager (samples/s) | compiled (samples/s) | compiled / eager | kernels per step (eager → compiled) | peak tensor memory in a step (eager → compiled) | peak RSS (eager → compiled) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const workload of STEPS) {
  const batch = Number(/batch (\d+)/.exec(workload)![1]);
  for (const backend of ["cpu", "webgpu"]) {
    const group = `${workload} · ${backend}`;
    const e = seconds.get(`${group} · eager`), c = seconds.get(`${group} · compiled`);
    if (e === undefined || c === undefined) {
      rows.push(`| ${workload} | ${backend} | not run | | | | | |`);
      continue;
    }
    const probe = async (mode: string): Promise<Probe> =>
      JSON.parse(
        await deno([
          "run",
          "-A", // reading /proc/self/status (peak RSS) needs all permissions
          "bench/compile_probe.ts",
          workload,
          backend,
          mode,
        ]),
      );
    const pe = await probe("eager"), pc = await probe("compiled");
    const kernels = backend === "webgpu"
      ? `${pe.dispatchesPerStep} → ${pc.dispatchesPerStep} dispatches`
      : `${pc.ops} → ${pc.kernels}`;
    rows.push(
      `| ${workload} | ${backend} | ${(batch / e).toFixed(0)} | ${(batch / c).toFixed(0)} | ` +
        `**${(e / c).toFixed(2)}x** | ${kernels} | ${mib(pe.stepPeakBytes)} → ${
          mib(pc.stepPeakBytes)
        } | ${mib(pe.peakRssBytes)} → ${mib(pc.peakRssBytes)} |`,
    );
  }
}
console.log(`${json.cpu}, ${navigator.hardwareConcurrency} cores; ${json.runtime}\n`);
console.log(rows.join("\n"));
