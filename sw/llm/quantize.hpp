// Int8 weights for the integer reference (IntModel): symmetric, no zero point, one fp32 scale per row
// (scale = max|row| / 127, q = round(w / scale)), and the requantisation multipliers that turn an int32 dot product
// back into a narrow integer with the VXM's req (an i16 multiplier per lane and one shift per instruction).
// docs/llm.md ("Integer reference") gives the formats and the measured errors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lpu::llm {

struct QuantMatrix {
  int rows = 0, cols = 0;
  std::vector<std::int8_t> q;  // (rows, cols) row-major
  std::vector<float> scale;    // (rows): w[r][c] ~= q[r][c] * scale[r]
  std::span<const std::int8_t> row(int r) const {
    return std::span<const std::int8_t>(q).subspan(static_cast<std::size_t>(r) * static_cast<std::size_t>(cols),
                                                   static_cast<std::size_t>(cols));
  }
};

// Quantises W (rows, cols) per row. `column_gain` (empty or cols values) multiplies column c first: that is how an
// RMSNorm gain is folded into the matrix that consumes the normalised vector.
QuantMatrix quantizeRows(std::span<const float> w, int rows, int cols, std::span<const float> column_gain = {});

// Relative RMS error of symmetric int8 quantisation of W (rows, cols) with one scale per `group` consecutive elements
// of a row (group = cols: per row), sqrt(sum (w - w~)^2 / sum w^2). For choosing per-row against per-group scales.
double quantizationError(std::span<const float> w, int rows, int cols, int group);

// One req per output lane: out[r] = req(acc[r], multiplier[r], shift) ~= acc[r] * factor[r].
struct Requant {
  std::vector<std::int16_t> multiplier;
  unsigned shift = 0;
};

// The largest shift (at most 40) at which every round(factor * 2^shift) still fits an i16 multiplier. Factors must be
// finite and >= 0.
Requant makeRequant(std::span<const double> factors);
Requant makeRequant(double factor);  // one multiplier for every lane

// Root mean square of the rows' L2 norms (after the gain): the standard deviation of a row's dot product with a
// vector of unit-RMS random entries, i.e. the expected RMS of W x for a normalised x.
double rowNormRms(const QuantMatrix& m);

}  // namespace lpu::llm
