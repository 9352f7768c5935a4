// Host bridge: framed, CRC-checked requests from a byte stream (the UART) onto lpu_top's host
// register port, and replies back. The protocol is documented byte by byte in docs/fpga.md;
// constants are in lpu_link_pkg.
//
//   request  A5 | CMD | ADDR lo | ADDR hi | N | payload (4N bytes, writes only) | CRC hi | CRC lo
//   reply    5A | STATUS | CMD | N | payload (4N bytes) | CRC hi | CRC lo
//   CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected) over CMD..payload of each frame.
//
// Robustness. Bytes before a sync byte are skipped. A request is checked as it arrives (command at
// its byte, address and length at theirs, CRC at the end); a write's payload is held in a LUT-RAM
// buffer (MaxWords x 32 bits) and reaches the register port only after the CRC matched, so a
// rejected frame writes nothing. After an error the bridge drains: it ignores bytes until the line
// has been quiet for TimeoutClks, then sends the error reply and hunts for the next sync byte (so
// the tail of a rejected frame, whose payload may contain A5, is not taken for a new frame). A
// frame that stops arriving for TimeoutClks gets a TIMEOUT reply at once. Bytes that arrive while a
// reply is being sent are ignored: the host waits for each reply.
//
// Register port timing (lpu_top, docs/isa.md "Host registers"): host_*_o are flops; one access
// per cycle; the read data of a request presented in cycle c is on host_rdata_i in cycle c+1.
//
// STATUS for the board LEDs: lpu_top has no status output, so while the bridge is hunting for a
// sync byte it reads STATUS every cycle (reads have no side effects) and status_o holds the last
// value's RUNNING/DONE/ERROR bits (it lags by at most one frame while the host is talking).
module lpu_host_bridge #(
  parameter int unsigned TimeoutClks = 1_000_000,  // inter-byte timeout (10 ms at 100 MHz)
  parameter int unsigned MaxWords    = 16          // payload words per frame (the buffer's depth)
) (
  input  logic        clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic        rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  // Received bytes (lpu_uart_rx): one byte per rx_valid_i pulse.
  input  logic        rx_valid_i,
  input  logic [7:0]  rx_data_i,
  // Bytes to send (lpu_uart_tx): taken in a cycle with tx_valid_o && tx_ready_i.
  output logic        tx_valid_o,
  output logic [7:0]  tx_data_o,
  input  logic        tx_ready_i,
  // lpu_top host register port.
  output logic        host_req_o,
  output logic        host_we_o,
  output logic [11:0] host_addr_o,
  output logic [31:0] host_wdata_o,
  input  logic [31:0] host_rdata_i,
  // {ERROR, DONE, RUNNING} of STATUS as last polled.
  output logic [2:0]  status_o
);

  localparam int unsigned IdxW  = $clog2(MaxWords);
  localparam int unsigned TimW  = $clog2(TimeoutClks + 1);
  localparam int unsigned PcntW = IdxW + 2;  // payload byte counter

  typedef enum logic [4:0] {
    StHunt, StCmd, StAddrLo, StAddrHi, StLen, StPayload, StCrcHi, StCrcLo, StCheck, StDrain, StExec,
    StRSync, StRStatus, StRCmd, StRLen, StRWordReq, StRWordWait, StRWordCap, StRByte, StRCrcHi,
    StRCrcLo
  } state_e;

  state_e            state_q, state_d;
  logic [7:0]        cmd_q, cmd_d;
  logic [11:0]       addr_q, addr_d;
  logic [7:0]        len_q, len_d;          // N of the request; the reply's N in reply states
  logic [7:0]        rstatus_q, rstatus_d;
  logic [PcntW-1:0]  pcnt_q, pcnt_d;        // payload byte index
  logic [IdxW-1:0]   idx_q, idx_d;          // word index (execute, reply)
  logic [1:0]        bidx_q, bidx_d;        // byte of the reply word being sent
  logic [TimW-1:0]   timer_q, timer_d;
  logic [15:0]       crc_q, crc_d;
  logic [31:0]       word_q, word_d;        // reply word being sent, LSB first
  logic [7:0]        tx_byte_q, tx_byte_d;
  logic              tx_valid_q, tx_valid_d, tx_crc_q, tx_crc_d;
  logic              req_q, req_d, we_q, we_d, poll_q, poll_d, poll_cap_q;
  logic [11:0]       haddr_q, haddr_d;
  logic [31:0]       hwdata_q, hwdata_d;
  logic [2:0]        status_q;

  // Payload buffer: LUT RAM (no reset, asynchronous read), one 8-bit memory per byte lane so that
  // each has one plain write port (one memory with byte-lane writes became four write ports and
  // four copies of the RAM in Yosys). Written only while a frame's payload arrives; read only after
  // that frame's CRC matched.
  logic              buf_we;
  logic [31:0]       buf_rdata;

  // ----------------------------------------------------------------------------------------------
  // CRC-16/CCITT-FALSE, one byte per update, MSB first. Requests update it with each received byte
  // (rx_data_i is a flop of lpu_uart_rx), replies with each byte as the UART takes it (tx_byte_q).
  function automatic logic [15:0] crc16_byte(input logic [15:0] crc, input logic [7:0] data);
    logic [15:0] c;
    c = crc ^ {data, 8'h00};
    for (int i = 0; i < 8; i++) c = c[15] ? ((c << 1) ^ 16'h1021) : (c << 1);
    crc16_byte = c;
  endfunction

  logic cmd_write, cmd_seq, cmd_ping, len_ok, timeout, tx_take, in_request, crc_byte;
  assign cmd_write = (cmd_q == lpu_link_pkg::CMD_WRITE) || (cmd_q == lpu_link_pkg::CMD_WRITE_SEQ);
  assign cmd_seq   = (cmd_q == lpu_link_pkg::CMD_WRITE_SEQ)
                     || (cmd_q == lpu_link_pkg::CMD_READ_SEQ);
  assign cmd_ping  = (cmd_q == lpu_link_pkg::CMD_PING);
  // Checked at the length byte (rx_data_i), cmd_q already known there.
  assign len_ok    = cmd_ping ? (rx_data_i == 8'd0)
                              : (rx_data_i != 8'd0 && 32'(rx_data_i) <= MaxWords);
  assign timeout   = (32'(timer_q) == TimeoutClks - 1);
  assign tx_take   = tx_valid_q && tx_ready_i;
  // States that receive the bytes after a request's sync byte.
  assign in_request = (state_q == StCmd) || (state_q == StAddrLo) || (state_q == StAddrHi)
                      || (state_q == StLen) || (state_q == StPayload) || (state_q == StCrcHi)
                      || (state_q == StCrcLo);
  // Reply bytes that enter the CRC: all but the sync byte and the CRC itself.
  assign crc_byte   = (state_q != StRSync) && (state_q != StRCrcHi) && (state_q != StRCrcLo);

  always_comb begin
    state_d   = state_q;
    cmd_d     = cmd_q;
    addr_d    = addr_q;
    len_d     = len_q;
    rstatus_d = rstatus_q;
    pcnt_d    = pcnt_q;
    idx_d     = idx_q;
    bidx_d    = bidx_q;
    timer_d   = timeout ? timer_q : timer_q + 1'b1;
    crc_d     = crc_q;
    word_d    = word_q;
    tx_byte_d = tx_byte_q;
    tx_valid_d = tx_valid_q;
    tx_crc_d  = tx_crc_q;
    req_d     = 1'b0;
    we_d      = 1'b0;
    poll_d    = 1'b0;
    // The port's address and data flops load every cycle (they matter only with req): no hold
    // muxes.
    haddr_d   = (state_q == StHunt) ? lpu_isa_pkg::REG_STATUS
              : (cmd_ping ? lpu_isa_pkg::REG_CONFIG : addr_q);
    hwdata_d  = buf_rdata;
    buf_we    = 1'b0;

    if (rx_valid_i) timer_d = '0;
    // Request bytes after the sync byte all enter the CRC, the two CRC bytes included: a frame
    // whose CRC matches leaves the register at 0 (the CRC's residue, big-endian CRC bytes).
    if (rx_valid_i && in_request) begin
      crc_d = crc16_byte(crc_q, rx_data_i);
    end
    // A reply byte enters the CRC when the UART takes it (not the sync byte nor the CRC bytes).
    if (tx_take) begin
      tx_valid_d = 1'b0;
      if (tx_crc_q) crc_d = crc16_byte(crc_q, tx_byte_q);
    end

    unique case (state_q)
      // ---- Request
      StHunt: begin
        // Poll STATUS for the LEDs while nothing else uses the port.
        req_d   = 1'b1;
        poll_d  = 1'b1;
        if (rx_valid_i && rx_data_i == lpu_link_pkg::SYNC_REQUEST) begin
          state_d = StCmd;
          crc_d   = 16'hFFFF;
          cmd_d   = 8'h00;
        end
      end
      StCmd, StAddrLo, StAddrHi, StLen, StPayload, StCrcHi, StCrcLo: begin
        if (timeout) begin
          rstatus_d = lpu_link_pkg::ST_TIMEOUT;
          state_d   = StRSync;
        end else if (rx_valid_i) begin
          unique case (state_q)
            StCmd: begin
              cmd_d   = rx_data_i;
              state_d = StAddrLo;
              if (rx_data_i < lpu_link_pkg::CMD_PING
                  || rx_data_i > lpu_link_pkg::CMD_READ_SEQ) begin
                rstatus_d = lpu_link_pkg::ST_BAD_CMD;
                state_d   = StDrain;
              end
            end
            StAddrLo: begin
              addr_d[7:0] = rx_data_i;
              state_d     = StAddrHi;
            end
            StAddrHi: begin
              addr_d[11:8] = rx_data_i[3:0];
              state_d      = StLen;
              if (rx_data_i[7:4] != 4'd0 || addr_q[1:0] != 2'd0) begin
                rstatus_d = lpu_link_pkg::ST_BAD_ADDR;
                state_d   = StDrain;
              end
            end
            StLen: begin
              len_d   = rx_data_i;
              pcnt_d  = '0;
              state_d = cmd_write ? StPayload : StCrcHi;
              if (!len_ok) begin
                rstatus_d = lpu_link_pkg::ST_BAD_LEN;
                state_d   = StDrain;
              end
            end
            StPayload: begin
              buf_we = 1'b1;
              pcnt_d = pcnt_q + 1'b1;
              if (32'(pcnt_q) == 4 * 32'(len_q) - 1) state_d = StCrcHi;
            end
            StCrcHi: state_d = StCrcLo;
            default: state_d = StCheck;  // StCrcLo
          endcase
        end
      end
      StCheck: begin
        idx_d = '0;
        if (crc_q != 16'h0000) begin
          rstatus_d = lpu_link_pkg::ST_BAD_CRC;
          state_d   = StDrain;
        end else begin
          rstatus_d = lpu_link_pkg::ST_OK;
          state_d   = cmd_write ? StExec : StRSync;
          if (cmd_ping) len_d = 8'd2;
        end
      end
      StDrain: begin
        if (timeout) state_d = StRSync;
      end
      StExec: begin
        // One buffered word per cycle onto the port.
        req_d    = 1'b1;
        we_d     = 1'b1;
        idx_d    = idx_q + 1'b1;
        if (cmd_seq) addr_d = addr_q + 12'd4;
        if (32'(idx_q) == 32'(len_q) - 1) begin
          len_d   = 8'd0;
          state_d = StRSync;
        end
      end

      // ---- Reply: each byte state loads tx_byte_q once, then waits for the UART to take it.
      StRSync, StRStatus, StRCmd, StRLen, StRByte, StRCrcHi, StRCrcLo: begin
        if (!tx_valid_q) begin
          tx_valid_d = 1'b1;
          tx_crc_d   = crc_byte;
          unique case (state_q)
            StRSync:   tx_byte_d = lpu_link_pkg::SYNC_REPLY;
            StRStatus: tx_byte_d = rstatus_q;
            StRCmd:    tx_byte_d = cmd_q;
            StRLen:    tx_byte_d = (rstatus_q == lpu_link_pkg::ST_OK) ? len_q : 8'd0;
            StRByte:   tx_byte_d = word_q[7:0];
            StRCrcHi:  tx_byte_d = crc_q[15:8];
            default:   tx_byte_d = crc_q[7:0];  // StRCrcLo
          endcase
          if (state_q == StRSync) crc_d = 16'hFFFF;
        end else if (tx_ready_i) begin
          unique case (state_q)
            StRSync:   state_d = StRStatus;
            StRStatus: state_d = StRCmd;
            StRCmd:    state_d = StRLen;
            StRLen: begin
              idx_d   = '0;
              state_d = (rstatus_q == lpu_link_pkg::ST_OK && len_q != 8'd0) ? StRWordReq : StRCrcHi;
            end
            StRByte: begin
              word_d = {8'h00, word_q[31:8]};
              bidx_d = bidx_q + 1'b1;
              if (bidx_q == 2'd3) begin
                idx_d   = idx_q + 1'b1;
                if (cmd_seq) addr_d = addr_q + 12'd4;
                state_d = (32'(idx_q) == 32'(len_q) - 1) ? StRCrcHi : StRWordReq;
              end
            end
            StRCrcHi:  state_d = StRCrcLo;
            default:   state_d = StHunt;  // StRCrcLo
          endcase
        end
      end
      StRWordReq: begin
        bidx_d = '0;
        if (cmd_ping && idx_q == '0) begin
          word_d  = {lpu_link_pkg::IDENT_MAGIC, 8'(MaxWords), lpu_link_pkg::PROTOCOL_VERSION};
          state_d = StRByte;
        end else begin
          req_d   = 1'b1;
          state_d = StRWordWait;
        end
      end
      StRWordWait: state_d = StRWordCap;  // the request is on the port this cycle
      StRWordCap: begin
        word_d  = host_rdata_i;
        state_d = StRByte;
      end
      default: state_d = StHunt;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StHunt;
      cmd_q      <= '0;
      addr_q     <= '0;
      len_q      <= '0;
      rstatus_q  <= '0;
      pcnt_q     <= '0;
      idx_q      <= '0;
      bidx_q     <= '0;
      timer_q    <= '0;
      crc_q      <= '0;
      word_q     <= '0;
      tx_byte_q  <= '0;
      tx_valid_q <= 1'b0;
      tx_crc_q   <= 1'b0;
      req_q      <= 1'b0;
      we_q       <= 1'b0;
      poll_q     <= 1'b0;
      poll_cap_q <= 1'b0;
      haddr_q    <= '0;
      hwdata_q   <= '0;
      status_q   <= '0;
    end else begin
      state_q    <= state_d;
      cmd_q      <= cmd_d;
      addr_q     <= addr_d;
      len_q      <= len_d;
      rstatus_q  <= rstatus_d;
      pcnt_q     <= pcnt_d;
      idx_q      <= idx_d;
      bidx_q     <= bidx_d;
      timer_q    <= timer_d;
      crc_q      <= crc_d;
      word_q     <= word_d;
      tx_byte_q  <= tx_byte_d;
      tx_valid_q <= tx_valid_d;
      tx_crc_q   <= tx_crc_d;
      req_q      <= req_d;
      we_q       <= we_d;
      poll_q     <= poll_d;
      poll_cap_q <= req_q && poll_q;
      haddr_q    <= haddr_d;
      hwdata_q   <= hwdata_d;
      if (poll_cap_q) begin
        status_q <= {host_rdata_i[lpu_isa_pkg::STATUS_ERROR_BIT],
                     host_rdata_i[lpu_isa_pkg::STATUS_DONE_BIT],
                     host_rdata_i[lpu_isa_pkg::STATUS_RUNNING_BIT]};
      end
    end
  end

  for (genvar k = 0; k < 4; k++) begin : gen_buf_lane
    logic [7:0] mem_q [MaxWords];
    always_ff @(posedge clk_i) begin
      if (buf_we && pcnt_q[1:0] == 2'(k)) mem_q[pcnt_q[PcntW-1:2]] <= rx_data_i;
    end
    assign buf_rdata[8 * k +: 8] = mem_q[idx_q];
  end

  assign tx_valid_o   = tx_valid_q;
  assign tx_data_o    = tx_byte_q;
  assign host_req_o   = req_q;
  assign host_we_o    = we_q;
  assign host_addr_o  = haddr_q;
  assign host_wdata_o = hwdata_q;
  assign status_o     = status_q;

  // ----------------------------------------------------------------------------------------------
  // Assertions
`ifndef SYNTHESIS
  if (MaxWords < 2 || MaxWords > 255) begin : gen_words_check
    $error("lpu_host_bridge: MaxWords must be in 2..255 (N is one byte)");
  end
  RegisterWritesOnlyAfterAGoodCrc: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (req_q && we_q) |-> $past(state_q == StExec));
  TxByteHeldUntilTaken: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (tx_valid_q && !tx_ready_i) |=> (tx_valid_q && $stable(tx_byte_q)));
  PayloadStaysInBuffer: assert property (@(posedge clk_i) disable iff (!rst_ni)
      buf_we |-> 32'(pcnt_q) < 4 * MaxWords);
`endif

endmodule
