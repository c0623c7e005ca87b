// Included by kernels that check their data (index ranges, casts): they report the first fault of
// a dispatch to binding 7, and the host turns it into an error naming the op when data is next
// read back. Word 0 holds the reporting dispatch's tag (word 2 of its uniforms), word 1 the flat
// element index, word 2 a value (its bits).

@group(0) @binding(7) var<storage, read_write> faults: array<atomic<u32>, 4>;

fn report_fault(index: u32, value: u32) {
  loop {
    let r = atomicCompareExchangeWeak(&faults[0], 0u, word(2u));
    if (r.exchanged) {
      atomicStore(&faults[1], index);
      atomicStore(&faults[2], value);
      break;
    }
    if (r.old_value != 0u) { break; }
  }
}
