// UART receiver, 8N1, LSB first, idle high, with a 2-flop synchroniser and mid-bit sampling.
//
// A falling edge of the synchronised line starts a byte; the start bit is checked again half a bit
// later (a shorter low pulse is a glitch and ignored), then each data bit and the stop bit are
// sampled ClksPerBit cycles apart, i.e. in the middle of each bit. valid_o pulses for one cycle
// with data_o (a flop, stable until the next byte) at the middle of the stop bit, and the receiver
// looks for the next start edge from then on, so a sender up to half a bit per frame faster than
// ClksPerBit is still received. A byte whose stop bit reads 0 (framing error, or a break) is
// dropped: to the protocol above it is a byte that never came (lpu_host_bridge then reports a bad
// CRC or a timeout).
module lpu_uart_rx #(
  parameter int unsigned ClksPerBit = 33
) (
  input  logic       clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic       rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  input  logic       rx_i,      // asynchronous pin
  output logic       valid_o,
  output logic [7:0] data_o
);

  localparam int unsigned CntW = $clog2(ClksPerBit);

  logic [1:0]      sync_q;     // sync_q[1] is the synchronised line
  logic            busy_q, valid_q;
  logic [3:0]      bit_q;      // 0: start bit, 1..8: data bits, 9: stop bit
  logic [CntW-1:0] cnt_q;      // clocks until the next sample
  logic [7:0]      shift_q, data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync_q  <= 2'b11;
      busy_q  <= 1'b0;
      valid_q <= 1'b0;
      bit_q   <= '0;
      cnt_q   <= '0;
      shift_q <= '0;
      data_q  <= '0;
    end else begin
      sync_q  <= {sync_q[0], rx_i};
      valid_q <= 1'b0;
      if (!busy_q) begin
        if (!sync_q[1]) begin
          busy_q <= 1'b1;
          bit_q  <= '0;
          cnt_q  <= CntW'(ClksPerBit / 2 - 1);
        end
      end else if (cnt_q != '0) begin
        cnt_q <= cnt_q - 1'b1;
      end else begin
        cnt_q <= CntW'(ClksPerBit - 1);
        bit_q <= bit_q + 1'b1;
        if (bit_q == 4'd0) begin
          if (sync_q[1]) busy_q <= 1'b0;  // the start bit did not last: a glitch
        end else if (bit_q == 4'd9) begin
          busy_q <= 1'b0;
          if (sync_q[1]) begin
            valid_q <= 1'b1;
            data_q  <= shift_q;
          end
        end else begin
          shift_q <= {sync_q[1], shift_q[7:1]};
        end
      end
    end
  end

  assign valid_o = valid_q;
  assign data_o  = data_q;

`ifndef SYNTHESIS
  if (ClksPerBit < 4) begin : gen_rate_check
    $error("lpu_uart_rx: ClksPerBit must be at least 4");
  end
  BitIndexStaysInFrame: assert property (@(posedge clk_i) disable iff (!rst_ni)
      busy_q |-> bit_q <= 4'd9);
`endif

endmodule
