/**
 * Imported just before TensorFlow.js: it greets Node users on stdout while it loads, which would
 * mix into benchmark output. `bench/loud.ts`, imported right after, restores `console.log`.
 */
const g = globalThis as { __fluxionLog?: typeof console.log };
g.__fluxionLog = console.log;
console.log = () => {};
