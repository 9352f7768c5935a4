// ULX3S board top (Lattice LFE5U-85F, CABGA381): PLL, reset, the openlpu core in the ulx3s
// configuration, and the UART host bridge on the FT231X serial port.
//
//   clk_25mhz --> EHXPLLL (ClkHz) --> clk ---------------------------------------------+
//                   | LOCK                                                              |
//   btn[0] (PWRn) --&--> lpu_reset_sync --> rst_n ---------------------------------------+
//                                                                                       v
//   ftdi_txd --> lpu_uart_rx --> lpu_host_bridge --> host port --> lpu_top (CFG_ULX3S_*)
//   ftdi_rxd <-- lpu_uart_tx <------'     | status_o (STATUS polled while idle)
//                                         v
//   led[0] heartbeat, led[1] RUNNING, led[2] DONE, led[3] ERROR, led[4] PLL locked
//
// Clocking: one clock domain. The PLL multiplies the 25 MHz oscillator to ClkHz (a multiple of 5
// MHz; default 100 MHz: CLKI_DIV 1, CLKFB_DIV 4, CLKOP_DIV 6, VCO 600 MHz). In simulation
// tb/fpga/EHXPLLL.sv stands in for the primitive (Verilator cannot model the analog PLL): CLKOP =
// CLKI, so the testbench's clk_25mhz *is* the ClkHz core clock there, and LOCK rises a few cycles
// after the start.
//
// Pin names are those of constraints/ulx3s.lpf. ftdi_rxd is the FPGA's output (the FTDI's RXD);
// ftdi_txd the FPGA's input.
module lpu_fpga_top #(
  parameter int unsigned ClkHz         = 100_000_000,
  parameter int unsigned Baud          = 3_000_000,
  parameter int unsigned TimeoutClks   = ClkHz / 100,  // 10 ms: longer than a USB frame's gap
  parameter int unsigned MaxWords      = 16,
  parameter int unsigned HeartbeatLog2 = 26             // led[0]: period 2^26 clocks (0.67 s)
) (
  input  logic       clk_25mhz,
  input  logic [6:0] btn,         // btn[0]: PWR button, active low (reset); others unused
  input  logic       ftdi_txd,    // host -> FPGA
  output logic       ftdi_rxd,    // FPGA -> host
  output logic [7:0] led,
  output logic       wifi_gpio0   // held high: the ESP32's boot strapping pin (normal boot)
);

  // ----------------------------------------------------------------------------------------------
  // PLL dividers (Lattice TN1263: Fout = Fin * CLKFB_DIV / CLKI_DIV with CLKOP as feedback,
  // Fvco = Fout * CLKOP_DIV in 400..800 MHz, PFD = Fin / CLKI_DIV >= 3.125 MHz). CLKI_DIV is the
  // smallest divider making the ratio integral; CLKOP_DIV puts the VCO nearest 600 MHz.
  localparam int unsigned InHz = 25_000_000;

  function automatic int unsigned pll_clki_div(input int unsigned hz);
    pll_clki_div = 0;
    for (int unsigned d = 8; d >= 1; d--) begin
      if ((hz / 1000) * d % (InHz / 1000) == 0) pll_clki_div = d;
    end
  endfunction
  // The VCO nearest 600 MHz, the middle of its range.
  function automatic int unsigned pll_clkop_div(input int unsigned hz);
    int unsigned best_err;
    pll_clkop_div = 0;
    best_err = 32'hFFFF_FFFF;
    for (int unsigned d = 1; d <= 128; d++) begin
      if (hz / 1000 * d >= 400_000 && hz / 1000 * d <= 800_000) begin
        if (((hz / 1000 * d > 600_000) ? hz / 1000 * d - 600_000 : 600_000 - hz / 1000 * d)
            < best_err) begin
          best_err      = (hz / 1000 * d > 600_000) ? hz / 1000 * d - 600_000
                                                    : 600_000 - hz / 1000 * d;
          pll_clkop_div = d;
        end
      end
    end
  endfunction

  localparam int unsigned ClkiDiv  = pll_clki_div(ClkHz);
  localparam int unsigned ClkfbDiv = (ClkiDiv == 0) ? 1 : (ClkHz / 1000) * ClkiDiv / (InHz / 1000);
  localparam int unsigned ClkopDiv = pll_clkop_div(ClkHz);
  localparam int unsigned VcoKhz   = ClkHz / 1000 * ClkopDiv;

  // UART: ClkHz / Baud rounded; at 100 MHz and 3 Mbaud 33 clocks per bit for 33.33, a bit 1.0 %
  // short (3.030 Mbaud): 0.095 bit of drift at the stop bit's sample, far inside the 8N1 margin.
  localparam int unsigned ClksPerBit = (ClkHz + Baud / 2) / Baud;

  logic       clk, pll_lock;
  logic [5:0] pll_unused;  // secondary outputs, not used

  (* FREQUENCY_PIN_CLKI = "25" *)
  EHXPLLL #(
    .PLLRST_ENA     ("DISABLED"),
    .INTFB_WAKE     ("DISABLED"),
    .STDBY_ENABLE   ("DISABLED"),
    .DPHASE_SOURCE  ("DISABLED"),
    .OUTDIVIDER_MUXA("DIVA"),
    .OUTDIVIDER_MUXB("DIVB"),
    .OUTDIVIDER_MUXC("DIVC"),
    .OUTDIVIDER_MUXD("DIVD"),
    .CLKI_DIV       (ClkiDiv),
    .CLKOP_ENABLE   ("ENABLED"),
    .CLKOP_DIV      (ClkopDiv),
    .CLKOP_CPHASE   (ClkopDiv - 1),  // zero phase shift of CLKOP
    .CLKOP_FPHASE   (0),
    .FEEDBK_PATH    ("CLKOP"),
    .CLKFB_DIV      (ClkfbDiv)
  ) u_pll (
    .CLKI        (clk_25mhz),
    .CLKFB       (clk),
    .PHASESEL1   (1'b0),
    .PHASESEL0   (1'b0),
    .PHASEDIR    (1'b0),
    .PHASESTEP   (1'b0),
    .PHASELOADREG(1'b0),
    .STDBY       (1'b0),
    .PLLWAKESYNC (1'b0),
    .RST         (1'b0),
    .ENCLKOP     (1'b0),
    .ENCLKOS     (1'b0),
    .ENCLKOS2    (1'b0),
    .ENCLKOS3    (1'b0),
    .CLKOP       (clk),
    .CLKOS       (pll_unused[0]),
    .CLKOS2      (pll_unused[1]),
    .CLKOS3      (pll_unused[2]),
    .LOCK        (pll_lock),
    .INTLOCK     (pll_unused[3]),
    .REFCLK      (pll_unused[4]),
    .CLKINTFB    (pll_unused[5])
  );

  // ----------------------------------------------------------------------------------------------
  // Reset: held while the PLL is unlocked or the PWR button is pressed; released synchronously.
  logic rst_n;
  lpu_reset_sync u_reset_sync (
    .clk_i  (clk),
    .arst_ni(pll_lock && btn[0]),
    .rst_no (rst_n)
  );

  // ----------------------------------------------------------------------------------------------
  // UART and bridge
  logic        rx_valid, tx_valid, tx_ready;
  logic [7:0]  rx_data, tx_data;
  logic        host_req, host_we;
  logic [11:0] host_addr;
  logic [31:0] host_wdata, host_rdata;
  logic [2:0]  status;

  lpu_uart_rx #(.ClksPerBit(ClksPerBit)) u_uart_rx (
    .clk_i  (clk),
    .rst_ni (rst_n),
    .rx_i   (ftdi_txd),
    .valid_o(rx_valid),
    .data_o (rx_data)
  );

  lpu_uart_tx #(.ClksPerBit(ClksPerBit)) u_uart_tx (
    .clk_i  (clk),
    .rst_ni (rst_n),
    .valid_i(tx_valid),
    .data_i (tx_data),
    .ready_o(tx_ready),
    .tx_o   (ftdi_rxd)
  );

  lpu_host_bridge #(
    .TimeoutClks(TimeoutClks),
    .MaxWords   (MaxWords)
  ) u_bridge (
    .clk_i       (clk),
    .rst_ni      (rst_n),
    .rx_valid_i  (rx_valid),
    .rx_data_i   (rx_data),
    .tx_valid_o  (tx_valid),
    .tx_data_o   (tx_data),
    .tx_ready_i  (tx_ready),
    .host_req_o  (host_req),
    .host_we_o   (host_we),
    .host_addr_o (host_addr),
    .host_wdata_o(host_wdata),
    .host_rdata_i(host_rdata),
    .status_o    (status)
  );

  // ----------------------------------------------------------------------------------------------
  // The core in the ulx3s configuration (sw/isa/arch.toml, generated into lpu_arch_pkg).
  lpu_top #(
    .Lanes          (lpu_arch_pkg::CFG_ULX3S_LANES),
    .SuperlaneLanes (lpu_arch_pkg::CFG_ULX3S_SUPERLANE_LANES),
    .StreamsPerDir  (lpu_arch_pkg::CFG_ULX3S_STREAMS_PER_DIR),
    .MemSlicesPerHem(lpu_arch_pkg::CFG_ULX3S_MEM_SLICES_PER_HEM),
    .BanksPerSlice  (lpu_arch_pkg::CFG_ULX3S_BANKS_PER_SLICE),
    .WordsPerBank   (lpu_arch_pkg::CFG_ULX3S_WORDS_PER_BANK),
    .QueueDepth     (lpu_arch_pkg::CFG_ULX3S_QUEUE_DEPTH),
    .MxmAccSlots    (lpu_arch_pkg::CFG_ULX3S_MXM_ACC_SLOTS),
    .MxmAbcInterval (lpu_arch_pkg::CFG_ULX3S_MXM_ABC_INTERVAL),
    .TransposeN     (lpu_arch_pkg::CFG_ULX3S_TRANSPOSE_N)
  ) u_core (
    .clk_i       (clk),
    .rst_ni      (rst_n),
    .host_req_i  (host_req),
    .host_we_i   (host_we),
    .host_addr_i (host_addr),
    .host_wdata_i(host_wdata),
    .host_rdata_o(host_rdata)
  );

  // ----------------------------------------------------------------------------------------------
  // LEDs
  logic [HeartbeatLog2-1:0] beat_q;
  logic [2:0]               status_q;  // one more flop before the pins
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      beat_q   <= '0;
      status_q <= '0;
    end else begin
      beat_q   <= beat_q + 1'b1;
      status_q <= status;
    end
  end

  assign led        = {3'b000, pll_lock, status_q[2], status_q[1], status_q[0],
                       beat_q[HeartbeatLog2-1]};
  assign wifi_gpio0 = 1'b1;

  logic unused_btn;
  assign unused_btn = ^{btn[6:1], pll_unused};

  // ----------------------------------------------------------------------------------------------
  // Elaboration checks
`ifndef SYNTHESIS
  initial $display("lpu_fpga_top: CLKI_DIV %0d CLKFB_DIV %0d CLKOP_DIV %0d VCO %0d kHz, %0d/bit",
                   ClkiDiv, ClkfbDiv, ClkopDiv, VcoKhz, ClksPerBit);
  if (ClkiDiv == 0 || ClkfbDiv > 80 || ClkopDiv == 0 || VcoKhz > 800_000) begin : gen_pll_check
    $error("lpu_fpga_top: ClkHz has no EHXPLLL setting from 25 MHz (use a multiple of 5 MHz)");
  end
  if (ClksPerBit < 4) begin : gen_baud_check
    $error("lpu_fpga_top: fewer than 4 clocks per UART bit");
  end
`endif

endmodule
