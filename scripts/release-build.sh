#!/usr/bin/env bash
# Builds the release binary, .build/release/audio-fleet: the one `make build` and `make bench`
# measure and the container image runs (the Dockerfile calls this script), so native and compose
# run the same binary. Extra arguments go to `swift build` (SWIFT_BUILD_FLAGS: --traits OTLPGRPC).
# `--print-flags` prints the build options and exits.
#
# The options, and why (docs/performance.md, Memory):
#   -c release --static-swift-stdlib   the Swift runtime and Foundation linked in: the runtime image
#                                      needs no Swift, and each process maps less than with the
#                                      shared libraries;
#   -function-sections (Swift and C)   every function in its own section, which the linker can move;
#   lld --symbol-ordering-file         the functions the services run once started
#                                      (config/build/hot-functions.order) placed together at the
#                                      front of the code, so a service's running code shares a few
#                                      of the 64 KiB windows the kernel maps code in, instead of
#                                      keeping hundreds of windows for one function each;
#   --script anonymous-functions.ld    the same for the functions that have no symbol to name.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
order="config/build/hot-functions.order"
anonymous="config/build/anonymous-functions.ld"

compile_flags=(-c release --static-swift-stdlib
               -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections)
link_flags=(-Xswiftc -use-ld=lld
            -Xlinker "--symbol-ordering-file=$root/$order" -Xlinker --no-warn-symbol-ordering
            -Xlinker "--script=$root/$anonymous")
flags=("${compile_flags[@]}" "${link_flags[@]}")

if [ "${1:-}" = "--print-flags" ]; then
  echo "${flags[*]}"
  exit 0
fi

swift="${SWIFT:-swift}"
# swift-driver does not recompile a module when only its -Xfrontend options change, and the link is
# not redone when only the order or the script changes (they are no declared inputs): a stamp says
# what the build folder was made with, and what is stale goes first.
release_dir="$("$swift" build "${flags[@]}" "$@" --show-bin-path)"
stamp="$root/.build/release-build.stamp"
compile_signature="${compile_flags[*]} $*"
link_signature="$(cat "$order" "$anonymous" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then
  { IFS= read -r built_with; IFS= read -r linked_with; } < "$stamp" || true
  if [ "${built_with:-}" != "$compile_signature" ]; then
    echo "release-build: build options changed since the last release build: rebuilding every module"
    rm -rf "$release_dir"
  elif [ "${linked_with:-}" != "$link_signature" ]; then
    echo "release-build: $order or $anonymous changed: relinking"
    rm -f "$release_dir/audio-fleet"
  fi
elif [ -d "$release_dir" ]; then
  echo "release-build: a release folder from before these options: rebuilding every module"
  rm -rf "$release_dir"
fi

"$swift" build "${flags[@]}" "$@" --product audio-fleet
mkdir -p "$(dirname "$stamp")"
printf '%s\n%s\n' "$compile_signature" "$link_signature" > "$stamp"
