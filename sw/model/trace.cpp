#include "sw/model/trace.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sw/isa/isa.hpp"

namespace lpu::model {

namespace {
constexpr int kPid = 1;
}  // namespace

TraceWriter::TraceWriter(std::ostream& out, const isa::ArchConfig& cfg)
    : out_(out), cfg_(cfg), open_sync_(cfg.queues()) {
  out_ << "{\"otherData\":{\"time_unit\":\"1 us = 1 cycle\"},\"traceEvents\":[\n";
  event(nlohmann::json{
      {"name", "process_name"}, {"ph", "M"}, {"pid", kPid}, {"args", {{"name", fmt::format("openlpu {}", cfg.name())}}}}
            .dump());
  for (unsigned p = 0; p < cfg.positions(); ++p) {
    event(nlohmann::json{
        {"name", "thread_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", p}, {"args", {{"name", cfg.sliceName(p)}}}}
              .dump());
    event(nlohmann::json{
        {"name", "thread_sort_index"}, {"ph", "M"}, {"pid", kPid}, {"tid", p}, {"args", {{"sort_index", p}}}}
              .dump());
  }
}

TraceWriter::~TraceWriter() { finish(); }

void TraceWriter::event(const std::string& json) {
  if (!first_) out_ << ",\n";
  first_ = false;
  out_ << json;
}

void TraceWriter::complete(unsigned queue, std::uint64_t ts, std::uint64_t dur, std::uint32_t pc, std::uint32_t word,
                           bool repeat_issue) {
  isa::DecodeResult d = isa::decode(word);
  std::string name = d.error == isa::ErrorCode::kNone ? isa::format(d.insn) : fmt::format("{:#010x}", word);
  std::string cat = d.error == isa::ErrorCode::kNone
                        ? std::string(isa::kSliceNames[static_cast<unsigned>(d.insn.desc->slice)])
                        : "illegal";
  nlohmann::json args{{"pc", pc}, {"word", fmt::format("{:#010x}", word)}};
  if (repeat_issue) args["repeat_issue"] = true;
  event(nlohmann::json{{"name", name},
                       {"cat", cat},
                       {"ph", "X"},
                       {"ts", ts},
                       {"dur", dur},
                       {"pid", kPid},
                       {"tid", queue},
                       {"args", args}}
            .dump());
}

void TraceWriter::onDispatch(const Dispatch& d) {
  if (finished_) return;
  end_ = std::max(end_, d.cycle + 1);
  if (d.queue < open_sync_.size() && open_sync_[d.queue]) {  // the queue left Sync: close its event
    const OpenSync& s = *open_sync_[d.queue];
    complete(d.queue, s.start, d.cycle - s.start, s.pc, s.word, false);
    open_sync_[d.queue].reset();
  }
  std::uint64_t dur = 1;
  if (!d.repeat_issue) {
    isa::DecodeResult dec = isa::decode(d.word);
    if (dec.error == isa::ErrorCode::kNone) {
      switch (dec.insn.opcode()) {
        case isa::Opcode::kNop:
          dur = static_cast<std::uint64_t>(std::max(1, dec.insn.get(isa::Field::kCount)));
          break;
        case isa::Opcode::kRepeat:
          dur = std::uint64_t{static_cast<std::uint32_t>(dec.insn.get(isa::Field::kRepN))} *
                static_cast<std::uint32_t>(dec.insn.get(isa::Field::kRepD));
          dur = std::max<std::uint64_t>(dur, 1);
          break;
        case isa::Opcode::kSync:
          if (d.queue < open_sync_.size()) {
            open_sync_[d.queue] = OpenSync{d.cycle, d.pc, d.word};
            return;
          }
          break;
        default:
          break;
      }
    }
  }
  complete(d.queue, d.cycle, dur, d.pc, d.word, d.repeat_issue);
}

void TraceWriter::onError(const ErrorInfo& e) {
  if (finished_) return;
  event(nlohmann::json{{"name", std::string(isa::errorName(e.code))},
                       {"cat", "error"},
                       {"ph", "i"},
                       {"s", "t"},
                       {"ts", e.cycle},
                       {"pid", kPid},
                       {"tid", e.position},
                       {"args", {{"message", e.message}}}}
            .dump());
}

void TraceWriter::onCycleEnd(std::uint64_t cycle) { end_ = std::max(end_, cycle + 1); }

void TraceWriter::finish() {
  if (finished_) return;
  for (unsigned q = 0; q < open_sync_.size(); ++q) {
    if (!open_sync_[q]) continue;
    const OpenSync& s = *open_sync_[q];
    complete(q, s.start, std::max<std::uint64_t>(end_ - s.start, 1), s.pc, s.word, false);
    open_sync_[q].reset();
  }
  out_ << "\n]}\n";
  out_.flush();
  finished_ = true;
}

}  // namespace lpu::model
