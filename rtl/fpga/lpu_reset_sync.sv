// Reset synchroniser: asserts asynchronously, deasserts synchronously to clk_i.
//
// rst_no goes low as soon as arst_ni goes low (no clock needed: the PLL's LOCK is low while its
// output clock is not yet running) and goes high Stages rising edges of clk_i after arst_ni rose,
// so every flop of the clock domain leaves reset in the same cycle. Do not use it for a reset that
// must be glitch free: a glitch on arst_ni resets the domain (for the reset button and PLL lock
// that is what we want).
module lpu_reset_sync #(
  parameter int unsigned Stages = 3
) (
  input  logic clk_i,
  input  logic arst_ni,   // asynchronous, active low
  output logic rst_no     // synchronous deassertion
);

  // Power-up value 0, as the ECP5's flops come out of configuration (GSR) at their reset value: the
  // domain starts in reset even before arst_ni has had an edge (in simulation too, where the flops
  // start random and LOCK starts low, so the asynchronous reset never sees a falling edge).
  logic [Stages-1:0] sync_q = '0;

  always_ff @(posedge clk_i or negedge arst_ni) begin
    if (!arst_ni) sync_q <= '0;
    else          sync_q <= {sync_q[Stages-2:0], 1'b1};
  end

  assign rst_no = sync_q[Stages-1];

`ifndef SYNTHESIS
  // Two stages at least: one flop alone may go metastable on the deasserting edge.
  if (Stages < 2) begin : gen_stages_check
    $error("lpu_reset_sync: Stages must be at least 2");
  end
`endif

endmodule
