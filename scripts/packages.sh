# Sourced by scripts/run and scripts/test: the Debian packages building batchrun needs,
# and how they install what is missing.

# Building batchrun needs libyaml's header and library (libyaml-dev), which SwiftPM finds
# through yaml-0.1.pc (pkg-config).
build_packages=()
command -v pkg-config >/dev/null || build_packages+=(pkg-config)
pkg-config --exists yaml-0.1 2>/dev/null || build_packages+=(libyaml-dev)

# install_packages SCRIPT PACKAGE...: installs the packages with apt-get as root; otherwise
# asks for them and exits. Does nothing without packages.
install_packages() {
  local script=$1
  shift
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "$script: please install: $*" >&2
    exit 1
  fi
}
