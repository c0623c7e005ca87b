/**
 * TensorFlow.js in the same process, for side-by-side benchmarks: its CPU (pure JS), WASM and
 * WebGPU backends, each initialised once; a backend that cannot start is reported with its
 * error instead of being measured.
 */
import "./quiet.ts";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import "./loud.ts";

export { tf };

/** The TF.js backends the benchmarks try. */
export const TF_BACKENDS = ["cpu", "wasm", "webgpu"] as const;
/** One of them. */
export type TfBackendName = typeof TF_BACKENDS[number];

setWasmPaths(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url).href);

/** Makes `name` TF.js's active backend; returns the error message if it cannot run here. */
export async function useTf(name: TfBackendName): Promise<string | undefined> {
  // TF.js greets Node users on stdout when its CPU backend starts; keep benchmark output clean.
  const log = console.log;
  console.log = () => {};
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (!ok || tf.getBackend() !== name) return `tf.setBackend("${name}") failed`;
    return undefined;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  } finally {
    console.log = log;
  }
}
