#include "sw/llm/quantize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lpu::llm {

namespace {

std::int8_t quantizeValue(double w, double scale) {
  if (scale == 0.0) return 0;
  return static_cast<std::int8_t>(std::clamp(std::round(w / scale), -127.0, 127.0));
}

}  // namespace

QuantMatrix quantizeRows(std::span<const float> w, int rows, int cols, std::span<const float> column_gain) {
  const auto r_n = static_cast<std::size_t>(rows), c_n = static_cast<std::size_t>(cols);
  if (rows <= 0 || cols <= 0 || w.size() < r_n * c_n || (!column_gain.empty() && column_gain.size() != c_n)) {
    throw std::invalid_argument(fmt::format("quantizeRows: {} values for a ({}, {}) matrix, {} gains", w.size(), rows,
                                            cols, column_gain.size()));
  }
  QuantMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.q.resize(r_n * c_n);
  m.scale.resize(r_n);
  std::vector<double> row(c_n);
  for (std::size_t r = 0; r < r_n; ++r) {
    double amax = 0.0;
    for (std::size_t c = 0; c < c_n; ++c) {
      row[c] = static_cast<double>(w[r * c_n + c]) * (column_gain.empty() ? 1.0 : static_cast<double>(column_gain[c]));
      amax = std::max(amax, std::abs(row[c]));
    }
    const auto scale = static_cast<float>(amax / 127.0);
    m.scale[r] = scale;
    for (std::size_t c = 0; c < c_n; ++c) m.q[r * c_n + c] = quantizeValue(row[c], scale);
  }
  return m;
}

double quantizationError(std::span<const float> w, int rows, int cols, int group) {
  if (group <= 0 || cols % group != 0) {
    throw std::invalid_argument(fmt::format("quantizationError: group {} does not divide {} columns", group, cols));
  }
  double err = 0.0, ref = 0.0;
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  for (std::size_t g = 0; g < n; g += static_cast<std::size_t>(group)) {
    double amax = 0.0;
    for (std::size_t i = g; i < g + static_cast<std::size_t>(group); ++i) amax = std::max(amax, std::abs(double{w[i]}));
    const auto scale = static_cast<double>(static_cast<float>(amax / 127.0));
    for (std::size_t i = g; i < g + static_cast<std::size_t>(group); ++i) {
      const double d = double{w[i]} - quantizeValue(w[i], scale) * scale;
      err += d * d;
      ref += double{w[i]} * double{w[i]};
    }
  }
  return ref == 0.0 ? 0.0 : std::sqrt(err / ref);
}

Requant makeRequant(std::span<const double> factors) {
  double fmax = 0.0;
  for (double f : factors) {
    if (!std::isfinite(f) || f < 0.0) throw std::invalid_argument(fmt::format("makeRequant: factor {}", f));
    fmax = std::max(fmax, f);
  }
  unsigned shift = 40;
  while (shift > 0 && std::round(fmax * std::ldexp(1.0, static_cast<int>(shift))) > 32767.0) --shift;
  if (std::round(fmax * std::ldexp(1.0, static_cast<int>(shift))) > 32767.0) {
    throw std::invalid_argument(fmt::format("makeRequant: factor {} does not fit an i16 multiplier", fmax));
  }
  Requant r;
  r.shift = shift;
  r.multiplier.reserve(factors.size());
  for (double f : factors) {
    r.multiplier.push_back(static_cast<std::int16_t>(std::round(f * std::ldexp(1.0, static_cast<int>(shift)))));
  }
  return r;
}

Requant makeRequant(double factor) { return makeRequant(std::span<const double>(&factor, 1)); }

double rowNormRms(const QuantMatrix& m) {
  double sum = 0.0;
  for (int r = 0; r < m.rows; ++r) {
    const double s = m.scale[static_cast<std::size_t>(r)];
    for (std::int8_t v : m.row(r)) sum += (v * s) * (v * s);
  }
  return std::sqrt(sum / m.rows);
}

}  // namespace lpu::llm
