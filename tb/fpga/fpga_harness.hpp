// Board-level driver of the verilated ULX3S top (rtl/fpga/lpu_fpga_top.sv, PLL replaced by
// tb/fpga/EHXPLLL.sv).
//
// The harness is the host at the far end of the FTDI cable: it serialises bytes onto ftdi_txd as
// 8N1 UART frames at the host's exact baud rate (a fractional number of FPGA clocks per bit at the
// real 100 MHz / 3 Mbaud), and deserialises ftdi_rxd by sampling the middle of each bit at the same
// rate. Everything the core sees arrives through lpu_host_bridge; there is no back door.
//
// Example:
//   FpgaHarness b(makeFastBoardModel(seed));
//   link::Reply r = b.transact(link::Request::ping());       // r.words[1] == CONFIG
//   b.writeReg(kRegCtrl, kCtrlStart);                        // one frame, one OK reply
//   std::uint8_t leds = b.leds();                            // led[7:0]
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/assert_log.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"
#include "sw/link/link.hpp"

namespace lpu::tb {

// What the harness needs from a verilated lpu_fpga_top, whatever its parameters. The models live in
// separate libraries (tb/fpga/CMakeLists.txt) so that each test binary compiles only the one it
// runs.
class BoardModel {
 public:
  virtual ~BoardModel() = default;
  virtual void cycle(bool txd, bool btn0) = 0;  // one clock of clk_25mhz with these inputs
  virtual bool rxd() const = 0;
  virtual std::uint8_t led() const = 0;
  virtual bool gpio0() const = 0;
  virtual std::uint64_t clocks() const = 0;
  virtual bool gotError() const = 0;
  virtual const sim::AssertLog& assertLog() const = 0;  // which assertions failed, by name
  virtual double clocksPerBit() const = 0;              // the host's ClkHz / Baud, exact
  virtual std::uint64_t timeout() const = 0;            // the bridge's TimeoutClks
};

// Both start from random state (+verilator+rand+reset+2) with this seed.
// Fast: ClkHz 100 MHz, 12.5 Mbaud: 8 clocks per bit, TimeoutClks 2000, heartbeat period 2^8 clocks.
std::unique_ptr<BoardModel> makeFastBoardModel(std::uint32_t seed);  // tb/fpga/board_model_fast.cpp
// Real: the board's parameters: 100 MHz, 3 Mbaud (33.33 clocks per bit, the FPGA uses 33), 10 ms
// timeout.
std::unique_ptr<BoardModel> makeRealBoardModel(std::uint32_t seed);  // tb/fpga/board_model_real.cpp

class FpgaHarness {
 public:
  // Holds btn[0] released and waits until the PLL stand-in has locked and the reset synchroniser
  // has let go.
  explicit FpgaHarness(std::unique_ptr<BoardModel> model);
  ~FpgaHarness();
  FpgaHarness(const FpgaHarness&) = delete;
  FpgaHarness& operator=(const FpgaHarness&) = delete;

  // The values the variant was verilated with (tb/fpga/CMakeLists.txt).
  double hostClocksPerBit() const;  // ClkHz / Baud, exact
  std::uint64_t timeoutClocks() const;
  unsigned maxWords() const { return link::kDefaultMaxWords; }

  // ---- Line level.
  // Queues bytes for the host's transmitter (sent back to back, or gap_bits idle bit times before
  // each byte).
  void send(std::span<const std::uint8_t> bytes, double gap_bits = 0);
  // Runs n clocks.
  void step(std::uint64_t n = 1);
  // Runs until the transmitter has sent everything queued.
  void drainTx();
  // Bytes the host's receiver has collected (and forgets them). A byte with a bad stop bit counts
  // in framingErrors() instead.
  std::vector<std::uint8_t> takeReceived();
  unsigned framingErrors() const;

  // ---- Frame level.
  // Sends the frame's bytes and runs until one reply has arrived (kFrame) or max_clocks passed
  // (nullopt). A reply with a bad CRC throws link::LinkError.
  std::optional<link::Reply> waitReply(std::uint64_t max_clocks);
  link::Reply transact(const link::Request& request);  // throws std::runtime_error without a good OK-or-error reply
  link::Reply transactRaw(std::span<const std::uint8_t> bytes);

  // ---- Register level (each is one frame; throws std::runtime_error unless the reply says OK).
  void writeReg(std::uint32_t addr, std::uint32_t value);
  std::uint32_t readReg(std::uint32_t addr);
  std::vector<std::uint32_t> readRegs(std::uint32_t addr, unsigned count);  // READ_SEQ

  // ---- Device level, through the register map (docs/architecture.md section 7).
  void loadProgram(const isa::Program& program, const isa::ArchConfig& cfg);
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word);
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address, unsigned lanes);
  // START, then poll STATUS (one READ frame each) until RUNNING drops; returns STATUS. Throws after
  // max_polls.
  std::uint32_t runToCompletion(unsigned max_polls);
  std::uint64_t cycleCount();  // CYCLE_HI:CYCLE_LO (READ_SEQ of both)

  // ---- Board outputs.
  std::uint8_t leds() const;
  bool wifiGpio0() const;
  void pressResetButton(bool pressed);  // btn[0] is active low on the board
  std::uint64_t clocks() const;
  bool assertionFailed() const;
  // Which ones, by name (sim/assert_log.hpp): the distinct keys (module.label) in first-failure order, and
  // whether one matching `name` (module.label or a bare label) fired.
  const sim::AssertLog& assertions() const;
  std::vector<std::string> firedAssertions() const;
  bool fired(std::string_view name) const;

 private:
  void clockOnce();
  std::unique_ptr<BoardModel> model_;
  // Host transmitter: queued bytes with their start times (in clocks, fractional).
  struct TxByte {
    std::uint8_t value;
    double gap_bits;
  };
  std::vector<TxByte> tx_queue_;
  std::size_t tx_next_ = 0;
  bool tx_busy_ = false;
  double tx_start_ = 0;  // clock at which the current byte's start bit began
  std::uint8_t tx_byte_ = 0;
  double tx_free_at_ = 0;      // earliest start of the next byte
  double tx_head_start_ = -1;  // start of the next queued byte once decided
  bool reset_pressed_ = false;
  // Host receiver.
  bool rx_busy_ = false;
  double rx_start_ = 0;
  unsigned rx_bit_ = 0;
  std::uint8_t rx_shift_ = 0;
  std::vector<std::uint8_t> rx_bytes_;
  std::vector<std::uint8_t> rx_pending_;  // bytes not yet parsed into a reply
  unsigned framing_errors_ = 0;
};

}  // namespace lpu::tb
