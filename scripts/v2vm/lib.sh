# shellcheck shell=bash
# Shared by the host-side v2vm scripts (sourced, not run). Bash.

v2vm_die() {
  printf 'v2vm: %s\n' "$*" >&2
  exit 125
}

v2vm_note() {
  printf 'v2vm: %s\n' "$*" >&2
}

# v2vm_need COMMAND DEBIAN_PACKAGE
v2vm_need() {
  command -v "$1" >/dev/null 2>&1 ||
    v2vm_die "'$1' not found: install the Debian package $2 (apt-get install $2)"
}

# The initramfs needs a busybox that runs with no libraries: the guest has none before the
# host's root is mounted. Debian's plain `busybox` package is dynamically linked.
v2vm_static_busybox() {
  local bb
  bb=$(command -v busybox 2>/dev/null) || v2vm_die "'busybox' not found: install the Debian package busybox-static"
  bb=$(readlink -f "$bb")
  if LC_ALL=C ldd "$bb" 2>&1 | grep -q '=>'; then
    v2vm_die "$bb is dynamically linked: install the Debian package busybox-static (it replaces busybox)"
  fi
  printf '%s' "$bb"
}

v2vm_checkout() {
  local here
  here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
  (cd "$here/../.." && pwd -P)
}

# The kernel and initramfs cache lives outside the repository: it is large (about 400 MB) and
# shared by every checkout on the machine.
v2vm_cache_root() {
  local root
  if [[ -n ${V2VM_CACHE_DIR:-} ]]; then
    root=$V2VM_CACHE_DIR
  elif [[ -n ${XDG_CACHE_HOME:-} ]]; then
    root=$XDG_CACHE_HOME/cgdash/v2vm
  elif [[ -n ${HOME:-} ]]; then
    root=$HOME/.cache/cgdash/v2vm
  else
    v2vm_die "no cache directory: set HOME, XDG_CACHE_HOME or V2VM_CACHE_DIR"
  fi
  mkdir -p "$root" || v2vm_die "cannot create the cache directory $root"
  root=$(cd "$root" && pwd -P)
  local checkout
  checkout=$(v2vm_checkout)
  case "$root/" in
    "$checkout"/*) v2vm_die "the cache directory $root is inside the repository $checkout: set V2VM_CACHE_DIR elsewhere" ;;
  esac
  printf '%s' "$root"
}
