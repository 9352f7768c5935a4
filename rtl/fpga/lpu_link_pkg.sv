// Host link protocol constants (docs/fpga.md, "The host protocol byte by byte"). The host side's
// copy is sw/link/link.hpp; tb/fpga drives the verilated bridge with frames that library encodes,
// so the two cannot drift apart without a failing test.
package lpu_link_pkg;

  /* verilator lint_off UNUSEDPARAM */

  localparam logic [7:0] PROTOCOL_VERSION = 8'h01;
  localparam logic [7:0] SYNC_REQUEST     = 8'hA5;  // first byte of every host -> board frame
  localparam logic [7:0] SYNC_REPLY       = 8'h5A;  // first byte of every board -> host reply
  localparam logic [15:0] IDENT_MAGIC     = 16'h4C50;  // "LP": ping reply word 0, 31:16

  // Commands (request byte 1).
  localparam logic [7:0] CMD_PING      = 8'h01;  // reply: identity word, CONFIG
  localparam logic [7:0] CMD_WRITE     = 8'h02;  // N words to one register (IMEM_DATA)
  localparam logic [7:0] CMD_WRITE_SEQ = 8'h03;  // N words to ADDR, ADDR+4, ... (SRAM_DATA[i])
  localparam logic [7:0] CMD_READ      = 8'h04;  // N reads of one register
  localparam logic [7:0] CMD_READ_SEQ  = 8'h05;  // N reads of ADDR, ADDR+4, ...

  // Reply status (reply byte 1).
  localparam logic [7:0] ST_OK       = 8'h00;
  localparam logic [7:0] ST_BAD_CRC  = 8'h01;  // CRC over CMD..payload did not match
  localparam logic [7:0] ST_BAD_CMD  = 8'h02;  // unknown command byte
  localparam logic [7:0] ST_BAD_LEN  = 8'h03;  // N = 0 or N > MaxWords (or N != 0 for ping)
  localparam logic [7:0] ST_BAD_ADDR = 8'h04;  // address not word aligned or >= 0x1000
  localparam logic [7:0] ST_TIMEOUT  = 8'h05;  // the frame stopped arriving (inter-byte timeout)

  /* verilator lint_on UNUSEDPARAM */
endpackage
