/**
 * Compute pipelines, compiled once per kernel family, entry point and specialization (the WGSL
 * prelude that fixes element types, and pipeline-overridable constants such as the op code).
 *
 * @module
 */
import { sources } from "../../../kernels/sources.wgsl.ts";

/** What selects one compiled pipeline. */
export interface KernelSpec {
  /** The kernel family: a file `kernels/<kernel>.wgsl`. */
  readonly kernel: string;
  /** The entry point (default `main`). */
  readonly entry?: string;
  /** Shared WGSL files (`kernels/<name>.wgsl`) placed before the prelude. */
  readonly includes?: readonly string[];
  /** WGSL prepended to the family's source (type aliases, small adapter functions). */
  readonly prelude?: string;
  /** Values of the family's `override` constants. */
  readonly constants?: Readonly<Record<string, number>>;
  /** Whether the kernel reports faults to binding 7 (`kernels/faults.wgsl`). */
  readonly faults?: boolean;
}

/** The full WGSL text of a specialization. */
export function shaderText(spec: KernelSpec): string {
  const body = sources[spec.kernel];
  if (body === undefined) throw new Error(`webgpu: no kernel family "${spec.kernel}"`);
  const shared = (spec.includes ?? []).map((name) => {
    const text = sources[name];
    if (text === undefined) throw new Error(`webgpu: no shared WGSL file "${name}"`);
    return text;
  });
  return [sources.common, spec.faults ? sources.faults : "", ...shared, spec.prelude ?? "", body]
    .join("\n");
}

/** A per-device cache of compiled pipelines. */
export class PipelineCache {
  readonly #device: GPUDevice;
  readonly #cache = new Map<string, GPUComputePipeline>();
  readonly #modules = new Map<string, GPUShaderModule>();

  /** A cache compiling on `device`. */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** The number of pipelines compiled so far. */
  get size(): number {
    return this.#cache.size;
  }

  /** The pipeline for `spec`, compiled on first use. */
  get(spec: KernelSpec): GPUComputePipeline {
    const key = `${spec.kernel}|${spec.entry ?? "main"}|${spec.faults ? 1 : 0}|${
      spec.includes ?? ""
    }|${spec.prelude ?? ""}|${JSON.stringify(spec.constants ?? {})}`;
    let p = this.#cache.get(key);
    if (p === undefined) {
      const text = shaderText(spec);
      let module = this.#modules.get(text);
      if (module === undefined) {
        module = this.#device.createShaderModule({ code: text, label: spec.kernel });
        this.#modules.set(text, module);
      }
      p = this.#device.createComputePipeline({
        layout: "auto",
        label: `${spec.kernel}:${spec.entry ?? "main"}`,
        compute: {
          module,
          entryPoint: spec.entry ?? "main",
          constants: spec.constants as Record<string, number> | undefined,
        },
      });
      this.#cache.set(key, p);
    }
    return p;
  }
}
