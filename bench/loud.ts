/** Restores the `console.log` that `bench/quiet.ts` silenced while TensorFlow.js loaded. */
const g = globalThis as { __fluxionLog?: typeof console.log };
if (g.__fluxionLog) console.log = g.__fluxionLog;
