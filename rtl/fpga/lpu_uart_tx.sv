// UART transmitter, 8N1, LSB first, idle high.
//
// ClksPerBit clock cycles per bit (the caller rounds ClkHz / Baud; lpu_fpga_top states the error).
// Handshake: a byte is taken in the cycle where valid_i && ready_o; ready_o is low from the next
// cycle until the stop bit has been on the line for ClksPerBit cycles. tx_o is a flop (no glitches
// on the pin).
module lpu_uart_tx #(
  parameter int unsigned ClksPerBit = 33
) (
  input  logic       clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic       rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  input  logic       valid_i,
  input  logic [7:0] data_i,
  output logic       ready_o,
  output logic       tx_o
);

  localparam int unsigned CntW = $clog2(ClksPerBit);

  logic [8:0]      shift_q;    // data bits, then the stop bit; bit 0 goes out next
  logic [3:0]      bits_q;     // bits still to send after the current one
  logic [CntW-1:0] cnt_q;      // clocks left in the current bit
  logic            busy_q, tx_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      shift_q <= '1;
      bits_q  <= '0;
      cnt_q   <= '0;
      busy_q  <= 1'b0;
      tx_q    <= 1'b1;
    end else if (!busy_q) begin
      if (valid_i) begin
        shift_q <= {1'b1, data_i};
        bits_q  <= 4'd9;
        cnt_q   <= CntW'(ClksPerBit - 1);
        busy_q  <= 1'b1;
        tx_q    <= 1'b0;  // start bit
      end
    end else if (cnt_q != '0) begin
      cnt_q <= cnt_q - 1'b1;
    end else if (bits_q != '0) begin
      tx_q    <= shift_q[0];
      shift_q <= {1'b1, shift_q[8:1]};
      bits_q  <= bits_q - 1'b1;
      cnt_q   <= CntW'(ClksPerBit - 1);
    end else begin
      busy_q <= 1'b0;  // the stop bit has lasted ClksPerBit cycles
    end
  end

  assign ready_o = !busy_q;
  assign tx_o    = tx_q;

`ifndef SYNTHESIS
  if (ClksPerBit < 4) begin : gen_rate_check
    $error("lpu_uart_tx: ClksPerBit must be at least 4");
  end
  LineIdlesHighWhenNotBusy: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !busy_q |-> tx_q);
`endif

endmodule
