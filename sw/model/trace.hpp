// Chrome trace-event JSON (viewable in Perfetto / chrome://tracing) of a Machine run.
//
// One track per slice (tid = position, named by ArchConfig::sliceName, sorted west to east), one "X" event per
// dispatched instruction with ts = dispatch cycle and 1 cycle shown as 1 µs, dur = cycles the queue is occupied:
// 1 for an ordinary instruction or a Repeat re-issue, n for `nop n`, n·d for `repeat n, d` (its re-issues nest
// inside it), the parked time for `sync` (until the queue dispatches again, or until the run ends). Errors are
// instant events on the raising slice's track.
//
// Example:
//   std::ofstream f("run.json");
//   model::TraceWriter trace(f, machine.config());
//   machine.addObserver(&trace);
//   machine.run(100000);
//   trace.finish();   // or let the destructor do it
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/model/machine.hpp"

namespace lpu::model {

class TraceWriter : public Observer {
 public:
  // Writes the JSON header and the track-name metadata to `out` (which must outlive the writer).
  TraceWriter(std::ostream& out, const isa::ArchConfig& cfg);
  ~TraceWriter() override;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void onDispatch(const Dispatch& d) override;
  void onError(const ErrorInfo& e) override;
  void onCycleEnd(std::uint64_t cycle) override;

  // Closes still-open Sync events at the end of the last cycle seen and terminates the JSON. Idempotent; no events
  // are written after it.
  void finish();

 private:
  struct OpenSync {
    std::uint64_t start;
    std::uint32_t pc;
    std::uint32_t word;
  };
  void event(const std::string& json);
  void complete(unsigned queue, std::uint64_t ts, std::uint64_t dur, std::uint32_t pc, std::uint32_t word,
                bool repeat_issue);

  std::ostream& out_;
  const isa::ArchConfig& cfg_;
  bool first_ = true;
  bool finished_ = false;
  std::uint64_t end_ = 0;                           // one past the last cycle seen
  std::vector<std::optional<OpenSync>> open_sync_;  // per queue
};

}  // namespace lpu::model
