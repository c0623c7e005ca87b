/**
 * examples/mnist.ts end to end: a short training run on the embedded digits reaches a stated
 * accuracy and writes its checkpoint, metrics and plot; the checkpoint evaluates identically;
 * bad flags and bad files give one line and exit code 2.
 */
import assert from "node:assert/strict";
import { io, nn, random } from "../../mod.ts";
import { runExample } from "./run_example.ts";

const run = (args: string[]) => runExample("mnist", args);

Deno.test("mnist: --limit 2000 --epochs 1 trains, saves, and evaluates the checkpoint identically", async () => {
  const dir = await Deno.makeTempDir();
  const ckpt = `${dir}/net.safetensors`;
  const r = await run([
    "--limit",
    "2000",
    "--epochs",
    "1",
    "--save",
    ckpt,
    "--metrics",
    `${dir}/m.json`,
    "--plot",
    `${dir}/curves.svg`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const metrics = JSON.parse(await Deno.readTextFile(`${dir}/m.json`));
  // One epoch on 2,000 digits (63 Adam steps of 32) reaches 91.25% here; the stated floor is 85%.
  assert.ok(metrics.testAccuracy >= 0.85, `test accuracy ${metrics.testAccuracy}`);
  assert.equal(metrics.epochs, 1);
  assert.ok((await Deno.readTextFile(`${dir}/curves.svg`)).startsWith("<svg"));
  assert.match(r.stdout, /true\\pred/);
  const again = await run(["--load", ckpt, "--eval-only", "--metrics", `${dir}/e.json`]);
  assert.equal(again.code, 0, again.stderr);
  const evalMetrics = JSON.parse(await Deno.readTextFile(`${dir}/e.json`));
  assert.equal(evalMetrics.testAccuracy, metrics.testAccuracy);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mnist: bad flags and bad files print one line and exit 2", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/corrupt.safetensors`, new Uint8Array([1, 2, 3]));
  // A valid checkpoint of another network.
  const other = nn.sequential({ fc1: nn.linear(4, 2) }).init(random.key(0), [1, 4]).params;
  await io.saveSafetensors(`${dir}/other.safetensors`, other);
  const cases: [string[], RegExp][] = [
    [
      ["--epochs", "zero"],
      /^mnist: --epochs must be an integer from 1 to \d+, got "zero" \(see --help\)$/,
    ],
    [["--lr", "-1"], /^mnist: --lr needs a value; write --lr=VALUE for one starting with "-"/],
    [["--lr=-1"], /^mnist: --lr must be a positive number, got -1/],
    [
      ["--seed", "1e30"],
      /^mnist: --seed must be an integer from 0 to 9007199254740991, got "1e30"/,
    ],
    [["--plot", dir], /^mnist: --plot .*: is a directory; give a file name/],
    [["--data", ""], /^mnist: --data needs a path, got ""/],
    [
      ["--save", `${dir}/nodir/x.safetensors`],
      /^mnist: --save .*: the directory .*nodir does not exist/,
    ],
    [["--kind", "fashion"], /^mnist: --kind needs --data DIR/],
    [
      ["--load", `${dir}/other.safetensors`, "--eval-only"],
      // Shape mismatches come first, then what is missing.
      /^mnist: --load .*other\.safetensors: not a checkpoint of this network \(8 problems: fc1\.bias \(source \[2\] float32, model \[128\] float32\); fc1\.weight \(source \[2,4\] float32, model \[128,9216\] float32\); missing conv1\.bias; \.\.\.\)/,
    ],
    [["--optimizer", "lbfgs"], /^mnist: --optimizer must be one of /],
    [["--bogus"], /^mnist: Unknown option '--bogus'/],
    [["--backend", "gpu"], /^mnist: --backend must be auto, cpu or webgpu, got gpu/],
    [["--eval-only"], /^mnist: --eval-only needs --load FILE/],
    [["--data", `${dir}/nowhere`], /^mnist: /],
    [["--load", `${dir}/corrupt.safetensors`, "--eval-only"], /^mnist: .*corrupt\.safetensors/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(lines[0], re);
  }
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--data DIR/);
  await Deno.remove(dir, { recursive: true });
});

const adapter = await navigator.gpu?.requestAdapter().catch(() => null);

Deno.test({
  name: "mnist: --backend webgpu trains to the same losses as --backend cpu",
  ignore: !adapter,
  async fn() {
    const dir = await Deno.makeTempDir();
    const metricsOf = async (backend: string) => {
      const r = await run([
        "--backend",
        backend,
        "--limit",
        "64",
        "--epochs",
        "1",
        "--test-limit",
        "100",
        "--save",
        `${dir}/${backend}.safetensors`,
        "--plot",
        `${dir}/${backend}.svg`,
        "--metrics",
        `${dir}/${backend}.json`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^backend: ${backend} `, "m"));
      return JSON.parse(await Deno.readTextFile(`${dir}/${backend}.json`));
    };
    const cpu = await metricsOf("cpu");
    const gpu = await metricsOf("webgpu");
    assert.equal(gpu.backend, "webgpu");
    assert.ok(gpu.adapter, "the metrics name the adapter");
    // Same keys, same bits, float32 sums in a different order: equal to about 1e-5.
    assert.ok(Math.abs(gpu.testLoss - cpu.testLoss) < 1e-3, `${gpu.testLoss} vs ${cpu.testLoss}`);
    assert.equal(gpu.testAccuracy, cpu.testAccuracy);
    await Deno.remove(dir, { recursive: true });
  },
});
