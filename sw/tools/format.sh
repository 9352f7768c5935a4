#!/usr/bin/env bash
# C++ formatting against .clang-format with the one clang-format version deps.sh pins (another version lays the
# same code out differently, so the check would flap between machines).
#   sw/tools/format.sh           check: list every file that drifts, with its first differing lines; exit 1 if any
#   sw/tools/format.sh --fix     rewrite the drifting files in place
# Files: every tracked *.cpp / *.hpp except the generated sw/isa/*_gen.hpp, whose layout is gen_isa.py's (a test
# checks them against the generator instead).
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=check
case "${1:-}" in
  "") ;;
  --fix) mode=fix ;;
  *) echo "format: unknown argument '$1' (expected: nothing or --fix)" >&2; exit 2 ;;
esac

want="$(sed -nE 's/^CLANG_FORMAT_VERSION=([0-9.]+)$/\1/p' sw/tools/deps.sh)"
cf="$(python3 - "$want" <<'PY' 2>/dev/null
import importlib.metadata as m, os, sys
import clang_format
assert m.version("clang-format") == sys.argv[1]
print(os.path.join(os.path.dirname(clang_format.__file__), "data", "bin", "clang-format"))
PY
)" || true
if [[ -z "$cf" || ! -x "$cf" ]]; then
  echo "format: clang-format $want from PyPI is not installed (run: make deps)" >&2
  exit 2
fi

mapfile -t files < <(git ls-files '*.cpp' '*.hpp' | grep -v '^sw/isa/.*_gen\.hpp$')
if [[ $mode == fix ]]; then
  "$cf" -i --style=file "${files[@]}"
  echo "format: clang-format $want applied to ${#files[@]} files"
  exit 0
fi
drift=0
for f in "${files[@]}"; do
  if ! out="$("$cf" --style=file "$f" | diff -u --label "$f" --label "$f (clang-format $want)" "$f" - )"; then
    drift=$((drift + 1))
    printf '%s\n' "$out" | head -n 12
  fi
done
if ((drift)); then
  echo "format: $drift of ${#files[@]} files differ from clang-format $want (fix: sw/tools/format.sh --fix)" >&2
  exit 1
fi
echo "format: ${#files[@]} files match clang-format $want"
