// Simulation stand-in for the Lattice ECP5 EHXPLLL primitive (the real one is in Yosys's ECP5 cell
// library and has no behavioural model Verilator could run: it is an analog PLL).
//
// CLKOP = CLKI: the testbench's clk_25mhz is the core clock in simulation. LOCK rises LockClks CLKI
// cycles after RST is low, as the real PLL's does some microseconds after its input clock runs, so
// the testbench sees the board's reset held until lock. Every other output is 0. Do not use it
// outside simulation; the parameters exist so that lpu_fpga_top elaborates unchanged.
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off UNUSEDSIGNAL */
module EHXPLLL #(
  parameter string CLKI_DIV_S      = "",
  parameter int    CLKI_DIV        = 1,
  parameter int    CLKFB_DIV       = 1,
  parameter int    CLKOP_DIV       = 8,
  parameter int    CLKOS_DIV       = 8,
  parameter int    CLKOS2_DIV      = 8,
  parameter int    CLKOS3_DIV      = 8,
  parameter string CLKOP_ENABLE    = "ENABLED",
  parameter string CLKOS_ENABLE    = "DISABLED",
  parameter string CLKOS2_ENABLE   = "DISABLED",
  parameter string CLKOS3_ENABLE   = "DISABLED",
  parameter int    CLKOP_CPHASE    = 0,
  parameter int    CLKOS_CPHASE    = 0,
  parameter int    CLKOS2_CPHASE   = 0,
  parameter int    CLKOS3_CPHASE   = 0,
  parameter int    CLKOP_FPHASE    = 0,
  parameter int    CLKOS_FPHASE    = 0,
  parameter int    CLKOS2_FPHASE   = 0,
  parameter int    CLKOS3_FPHASE   = 0,
  parameter string FEEDBK_PATH     = "CLKOP",
  parameter string PLLRST_ENA      = "DISABLED",
  parameter string INTFB_WAKE      = "DISABLED",
  parameter string STDBY_ENABLE    = "DISABLED",
  parameter string DPHASE_SOURCE   = "DISABLED",
  parameter string OUTDIVIDER_MUXA = "DIVA",
  parameter string OUTDIVIDER_MUXB = "DIVB",
  parameter string OUTDIVIDER_MUXC = "DIVC",
  parameter string OUTDIVIDER_MUXD = "DIVD",
  parameter int    LockClks        = 8
) (
  input  logic CLKI,
  input  logic CLKFB,
  input  logic PHASESEL1,
  input  logic PHASESEL0,
  input  logic PHASEDIR,
  input  logic PHASESTEP,
  input  logic PHASELOADREG,
  input  logic STDBY,
  input  logic PLLWAKESYNC,
  input  logic RST,
  input  logic ENCLKOP,
  input  logic ENCLKOS,
  input  logic ENCLKOS2,
  input  logic ENCLKOS3,
  output logic CLKOP,
  output logic CLKOS,
  output logic CLKOS2,
  output logic CLKOS3,
  output logic LOCK,
  output logic INTLOCK,
  output logic REFCLK,
  output logic CLKINTFB
);
  // Counts from the random initial state's value to LockClks; +verilator+rand+reset makes it
  // random, so start from 0 explicitly.
  int unsigned count_q = 0;
  always_ff @(posedge CLKI) begin
    if (RST) count_q <= 0;
    else if (count_q < LockClks) count_q <= count_q + 1;
  end
  assign LOCK     = !RST && (count_q >= LockClks);
  assign CLKOP    = CLKI;
  assign CLKOS    = 1'b0;
  assign CLKOS2   = 1'b0;
  assign CLKOS3   = 1'b0;
  assign INTLOCK  = LOCK;
  assign REFCLK   = CLKI;
  assign CLKINTFB = 1'b0;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
