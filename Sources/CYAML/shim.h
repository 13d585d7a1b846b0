// The system's libyaml (Debian: libyaml-dev), found with pkg-config as yaml-0.1.
#include <yaml.h>
