// RTL-only constants of openlpu that are not generated from sw/isa/*.toml: the slice kinds of the
// position map.
// Opcodes, fields, latencies, error codes and the host register map (sw/isa/regs.toml) come only
// from lpu_isa_pkg; sizes from lpu_arch_pkg.
package lpu_pkg;

  // Not every consumer uses every constant.
  /* verilator lint_off UNUSEDPARAM */

  // Slice kind of a position. Position p of a machine with M MEM slices per hemisphere holds
  //   MXM (0, P-1) | SXM (1, P-2) | MEM (2 .. M+1, M+3 .. 2M+2) | VXM (M+2),  P = 2(M+2)+1.
  // Each is the ISA slice class of the same name (lpu_isa_pkg::slice_e, generated; lpu_queue maps
  // one to the other by name). 32 bits wide: modules take a kind as an `int unsigned` parameter
  // (SliceKind). (A package cannot refer to another package's items in Yosys, so the values are
  // this package's own.)
  typedef enum int unsigned {
    SLICE_MXM = 0,
    SLICE_SXM = 1,
    SLICE_MEM = 2,
    SLICE_VXM = 3
  } slice_kind_e;

  /* verilator lint_on UNUSEDPARAM */
endpackage
