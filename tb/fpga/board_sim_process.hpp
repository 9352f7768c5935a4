// lpu-board-sim (tb/fpga/board_sim.cpp) as a child process for tests and benchmarks: started with extra arguments,
// its pty path read from the first line of its stdout, SIGTERM and reaped on destruction.
//
// Example:
//   BoardSim sim(LPU_BIN_DIR, {"--mute-after", "0"});
//   auto dev = driver::makeDevice("serial", cfg, driver::SerialOptions{.port = sim.port()});
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace lpu::tb {

// One lpu-board-sim process: started with extra arguments, its pty path read from its first line of stdout.
class BoardSim {
 public:
  explicit BoardSim(const std::string& bin_dir, std::vector<std::string> args = {}) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    const std::string exe = bin_dir + "/lpu-board-sim";
    args.insert(args.begin(), {exe, "--idle-timeout", "60"});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + exe);
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    if (line.rfind("/dev/", 0) != 0) throw std::runtime_error(exe + ": first line '" + line + "' is not a pty path");
    port_ = line;
  }
  ~BoardSim() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  BoardSim(const BoardSim&) = delete;
  BoardSim& operator=(const BoardSim&) = delete;

  const std::string& port() const { return port_; }
  void kill() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Waits for the process to end by itself; returns its exit status (or -1 when it is still running after `wait`).
  int waitExit(std::chrono::milliseconds wait) {
    const auto end = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < end) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      ::usleep(10'000);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  std::string port_;
};

}  // namespace lpu::tb
