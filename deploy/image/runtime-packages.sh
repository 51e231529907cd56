#!/bin/sh
# Prints, one per line and sorted, the Debian packages that hold the shared
# libraries BINARY loads (as `ldd` resolves them on this system). The
# Dockerfile's runtime stage installs exactly these, so the image carries
# every library the binary needs and no build dependency; the deploy tests run
# it on the binary built here. Fails, naming the library, if ldd cannot find
# one or no installed package owns it.
set -eu
bin="${1:?usage: runtime-packages.sh BINARY}"
out="$(ldd "$bin")" || { echo "runtime-packages: ldd failed on $bin" >&2; exit 1; }
if printf '%s\n' "$out" | grep -q 'not found'; then
  printf '%s\n' "$out" | grep 'not found' >&2
  exit 1
fi
# Lines look like "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)"
# or "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file. (Library
# paths never contain spaces.)
libs="$(printf '%s\n' "$out" | awk '$2 == "=>" { print $3; next } $1 ~ /^\// { print $1 }')"
# dpkg knows each file by the path its package ships it at: with merged /usr
# that may be the /lib or the /usr/lib spelling, or the symlink's target. All
# spellings go to one dpkg call ("pkg[:arch][, pkg2]: /path" per known file).
spellings() { printf '%s\n' "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; }
all=""
for lib in $libs; do all="$all $(spellings "$lib")"; done
# shellcheck disable=SC2086 # one word per path
known="$(dpkg -S $all 2>/dev/null | grep -v '^diversion' || true)"
pkgs=""
for lib in $libs; do
  pkg=""
  for p in $(spellings "$lib"); do
    pkg="$(printf '%s\n' "$known" | awk -F': ' -v f="$p" '$2 == f { split($1, a, /[:,]/); print a[1]; exit }')"
    [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then
    echo "runtime-packages: no installed package owns $lib" >&2
    exit 1
  fi
  pkgs="$pkgs$pkg
"
done
printf '%s' "$pkgs" | sort -u
