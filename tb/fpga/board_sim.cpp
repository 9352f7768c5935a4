// lpu-board-sim: the verilated ULX3S top (the fast build of tb/fpga, Vlpu_fpga_fast: 12.5 Mbaud, 2,000-clock bridge
// timeout) behind a pseudo-terminal, so that the host driver's serial backend can be tested without a board:
//
//   $ build/bin/lpu-board-sim &          # first line of stdout: the pty slave, e.g. /dev/pts/3
//   $ lpu run --backend serial --port /dev/pts/3 examples/hello.s
//
// Bytes from the pty are serialised onto the top's ftdi_txd pin bit by bit (8N1 at the build's baud rate) and its
// ftdi_rxd pin is deserialised back into bytes for the pty (tb/fpga/fpga_harness.hpp): every byte goes through
// lpu_host_bridge, as on the board.
//
// Time: the simulation runs while there is something to do (host bytes to send, a reply that may still come:
// twice the bridge timeout plus the longest reply) and then sleeps until the host writes again. A host that stays
// silent for at least 20 ms of wall clock is given one bridge timeout of board time first, so a frame the host
// abandoned gets its TIMEOUT reply as on the board; gaps shorter than that inside a frame count as no gap.
//
// Exits 0 when the host closes the pty (after having written to it; with --persist it waits for the next host
// instead, as a board would), on SIGTERM or SIGINT, or after --idle-timeout seconds without host bytes; 3 when an RTL
// assertion failed (named on stderr); 1 on a usage or system error. Fault injection for the host's error paths:
// --mute-after N stops passing board bytes to the host after N of them;
// --corrupt-byte N flips bit 0 of the board's byte number N (0-based).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "tb/fpga/fpga_harness.hpp"

namespace {

using lpu::tb::FpgaHarness;

struct Options {
  std::uint32_t seed = 1;
  double idle_timeout_s = 300;
  long long mute_after = -1;
  long long corrupt_byte = -1;
  bool persist = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(
      stderr,
      "lpu-board-sim: %s\n"
      "usage: lpu-board-sim [--seed N] [--idle-timeout SECONDS] [--persist] [--mute-after N] [--corrupt-byte N]\n",
      why);
  std::exit(1);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    try {
      if (a == "--seed") {
        o.seed = static_cast<std::uint32_t>(std::stoul(value(), nullptr, 0));
      } else if (a == "--idle-timeout") {
        o.idle_timeout_s = std::stod(value());
      } else if (a == "--mute-after") {
        o.mute_after = std::stoll(value());
      } else if (a == "--corrupt-byte") {
        o.corrupt_byte = std::stoll(value());
      } else if (a == "--persist") {
        o.persist = true;
      } else if (a == "-h" || a == "--help") {
        usage("the verilated ULX3S top behind a pty");
      } else {
        usage(("unknown option " + a).c_str());
      }
    } catch (const std::logic_error&) {
      usage((a + ": not a number").c_str());
    }
  }
  return o;
}

std::runtime_error sysError(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

void makeRaw(int fd, const std::string& what) {
  termios t{};
  if (::tcgetattr(fd, &t) != 0) throw sysError(what + ": tcgetattr");
  ::cfmakeraw(&t);
  if (::tcsetattr(fd, TCSANOW, &t) != 0) throw sysError(what + ": tcsetattr");
}

void writeAll(int fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (w < 0) throw sysError("write to the pty");
    done += static_cast<std::size_t>(w);
  }
}

int run(const Options& o) {
  // The host's end is the pty slave: it must be raw too, or its line discipline echoes and rewrites bytes before
  // the serial backend (which sets raw mode itself) has opened it.
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (master < 0) throw sysError("posix_openpt");
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0) throw sysError("grantpt/unlockpt");
  char slave_path[128];
  if (::ptsname_r(master, slave_path, sizeof slave_path) != 0) throw sysError("ptsname_r");
  makeRaw(master, "pty master");
  {
    const int slave = ::open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) throw sysError(std::string("open ") + slave_path);
    makeRaw(slave, slave_path);
    ::close(slave);
  }

  // SIGTERM and SIGINT arrive as readable bytes on a signalfd, polled with the pty: a clean exit without a
  // handler.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  if (::sigprocmask(SIG_BLOCK, &sigs, nullptr) != 0) throw sysError("sigprocmask");
  const int sigfd = ::signalfd(-1, &sigs, SFD_CLOEXEC);
  if (sigfd < 0) throw sysError("signalfd");

  // The path is the whole of stdout: the verilated top's $display lines go to stderr, so a reader that closes the
  // pipe after the first line cannot kill us with SIGPIPE.
  std::printf("%s\n", slave_path);
  std::fflush(stdout);
  if (::dup2(2, 1) < 0) throw sysError("dup2");
  FpgaHarness board(lpu::tb::makeFastBoardModel(o.seed));

  const auto max_reply_bits = (lpu::link::kReplyHeaderBytes + 4 * board.maxWords() + lpu::link::kCrcBytes) * 10;
  const auto settle_clocks = static_cast<std::int64_t>(
      2 * board.timeoutClocks() + static_cast<std::uint64_t>(max_reply_bits * board.hostClocksPerBit()) + 1000);
  constexpr std::uint64_t kChunk = 256;
  constexpr int kQuietMs = 20;
  std::int64_t settle = 0;    // board clocks still to run without host bytes
  bool silence_given = true;  // the host's last silence has had its bridge timeout of board time
  bool host_seen = false;     // the host has written (a hang-up before that is a host not yet connected)
  std::uint64_t to_board = 0, to_host = 0;
  std::uint64_t idle_ms = 0;
  const char* why = "idle timeout";
  std::vector<std::uint8_t> buf(4096);

  auto forward = [&] {
    std::vector<std::uint8_t> out = board.takeReceived();
    std::vector<std::uint8_t> pass;
    for (std::uint8_t b : out) {
      const auto n = static_cast<long long>(to_host++);
      if (o.mute_after >= 0 && n >= o.mute_after) continue;
      pass.push_back(n == o.corrupt_byte ? static_cast<std::uint8_t>(b ^ 1) : b);
    }
    if (!pass.empty()) writeAll(master, pass);
  };

  for (;;) {
    const bool busy = settle > 0;
    pollfd p[2] = {{master, POLLIN, 0}, {sigfd, POLLIN, 0}};
    const int n = ::poll(p, 2, busy ? 0 : kQuietMs);
    if (n < 0 && errno != EINTR) throw sysError("poll");
    if (n > 0 && (p[1].revents & POLLIN)) {
      why = "signal";
      break;
    }
    bool hung_up = false;
    if (n > 0 && (p[0].revents & POLLIN)) {
      const ssize_t r = ::read(master, buf.data(), buf.size());
      if (r > 0) {
        board.send(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(r)));
        to_board += static_cast<std::uint64_t>(r);
        host_seen = true;
        silence_given = false;
        idle_ms = 0;
        settle = settle_clocks;
      } else if (r < 0 && errno == EIO) {
        hung_up = true;  // Linux: no slave open any more
      }
    } else if (n > 0 && (p[0].revents & POLLHUP)) {
      hung_up = true;
    }
    if (hung_up && host_seen && o.persist) host_seen = false;  // wait for the next host
    if (hung_up) {
      if (host_seen) {
        why = "host closed the pty";
        break;
      }
      // Nobody has opened the slave yet; POLLHUP then returns at once, so wait here instead.
      pollfd s{sigfd, POLLIN, 0};
      if (::poll(&s, 1, kQuietMs) > 0) {
        why = "signal";
        break;
      }
      idle_ms += kQuietMs;
    } else if (busy) {
      board.step(kChunk);
      board.drainTx();
      settle -= static_cast<std::int64_t>(kChunk);
      forward();
    } else if (n == 0) {
      if (!silence_given) {
        board.step(board.timeoutClocks() + 1);
        silence_given = true;
        settle = settle_clocks;
        forward();
      } else {
        idle_ms += kQuietMs;
      }
    }
    if (static_cast<double>(idle_ms) >= o.idle_timeout_s * 1000) break;
    if (board.assertionFailed()) {
      std::fprintf(stderr, "lpu-board-sim: RTL assertion failed:");
      for (const std::string& k : board.firedAssertions()) std::fprintf(stderr, " %s", k.c_str());
      std::fprintf(stderr, "\n");
      return 3;
    }
  }
  std::fprintf(stderr, "lpu-board-sim: %s; %llu bytes to the board, %llu from it, %llu clocks\n", why,
               static_cast<unsigned long long>(to_board), static_cast<unsigned long long>(to_host),
               static_cast<unsigned long long>(board.clocks()));
  ::close(sigfd);
  ::close(master);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parseArgs(argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu-board-sim: %s\n", e.what());
    return 1;
  }
}
