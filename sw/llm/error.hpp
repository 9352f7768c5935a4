// The one exception type of sw/llm for files that cannot be used: it names the file, the field (header field,
// tensor or token) and what was expected, so the message alone tells the user what is wrong and where.
#pragma once

#include <stdexcept>
#include <string>

namespace lpu::llm {

class FormatError : public std::runtime_error {
 public:
  FormatError(std::string file, std::string field, std::string problem)
      : std::runtime_error(file + ": " + field + ": " + problem),
        file_(std::move(file)),
        field_(std::move(field)),
        problem_(std::move(problem)) {}

  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string field_;
  std::string problem_;
};

}  // namespace lpu::llm
