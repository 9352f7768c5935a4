// RTL-only constants of openlpu that are not generated from sw/isa/*.toml: slice kinds of the
// position map, the host register map of docs/architecture.md section 7 and the ERR_WHERE
// layout.
// Opcodes, fields, latencies and error codes come only from lpu_isa_pkg; sizes from lpu_arch_pkg.
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

  // Host register offsets (byte addresses of 32-bit registers).
  localparam logic [11:0] REG_CTRL      = 12'h000;
  localparam logic [11:0] REG_STATUS    = 12'h004;
  localparam logic [11:0] REG_ERR_CODE  = 12'h008;
  localparam logic [11:0] REG_ERR_CYCLE = 12'h00C;
  localparam logic [11:0] REG_ERR_WHERE = 12'h010;
  localparam logic [11:0] REG_CYCLE_LO  = 12'h014;
  localparam logic [11:0] REG_CYCLE_HI  = 12'h018;
  localparam logic [11:0] REG_CONFIG    = 12'h01C;
  localparam logic [11:0] REG_IMEM_ADDR = 12'h020;
  localparam logic [11:0] REG_IMEM_DATA = 12'h024;
  localparam logic [11:0] REG_SRAM_ADDR = 12'h030;
  localparam logic [11:0] REG_SRAM_CMD  = 12'h034;
  localparam logic [11:0] REG_SRAM_DATA = 12'h100;  // SRAM_DATA[i] at REG_SRAM_DATA + 4i

  // CTRL bits, STATUS bits, SRAM_CMD values.
  localparam int unsigned CTRL_START_BIT     = 0;
  localparam int unsigned CTRL_CLEAR_BIT     = 1;
  localparam int unsigned STATUS_RUNNING_BIT = 0;
  localparam int unsigned STATUS_DONE_BIT    = 1;
  localparam int unsigned STATUS_ERROR_BIT   = 2;
  localparam logic [31:0] SRAM_CMD_WRITE     = 32'd1;
  localparam logic [31:0] SRAM_CMD_READ      = 32'd2;

  // ERR_WHERE: bits 7:0 position, 15:8 stream index, 16 direction (1 west), 31:17 address.
  localparam int unsigned WHERE_POS_LSB    = 0;
  localparam int unsigned WHERE_STREAM_LSB = 8;
  localparam int unsigned WHERE_DIR_BIT    = 16;
  localparam int unsigned WHERE_ADDR_LSB   = 17;

  /* verilator lint_on UNUSEDPARAM */
endpackage
