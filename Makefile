# batchrun: build, install and uninstall.
#
#   make                      the release binary, linked statically with the Swift runtime and
#                             libyaml: it runs where neither a Swift toolchain nor libyaml is
#   make install PREFIX=DIR   that binary, shell completions (bash, zsh, fish) and the man page
#   make uninstall PREFIX=DIR
#   make man                  regenerate docs/batchrun.1 from the argument parser
#
# The build has a scratch directory of its own (SCRATCH, default .build-static), so it
# leaves `swift build`'s .build alone. CONFIGURATION=debug installs a debug build instead;
# BINARY=PATH installs that binary without building. Building needs libyaml-dev
# (scripts/run installs it).

PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= release
SWIFT ?= swift
SCRATCH ?= .build-static
PKG_CONFIG ?= pkg-config

root := $(DESTDIR)$(PREFIX)
BINARY ?=
binary = $(or $(BINARY),$(SCRATCH)/$(CONFIGURATION)/batchrun)

BIN_FILE := $(root)/bin/batchrun
BASH_FILE := $(root)/share/bash-completion/completions/batchrun
ZSH_FILE := $(root)/share/zsh/site-functions/_batchrun
FISH_FILE := $(root)/share/fish/vendor_completions.d/batchrun.fish
MAN_FILE := $(root)/share/man/man1/batchrun.1

# libyaml, linked statically: a yaml-0.1.pc of our own, found first through
# PKG_CONFIG_PATH, points the linker at a directory holding only libyaml.a.
STATIC_YAML := $(abspath $(SCRATCH))/static-libyaml

.PHONY: all build static-libyaml install uninstall man

all: build

build: static-libyaml
	PKG_CONFIG_PATH=$(STATIC_YAML) $(SWIFT) build -c $(CONFIGURATION) --static-swift-stdlib \
	  --scratch-path $(SCRATCH) --product batchrun

static-libyaml:
	@libdir="$$($(PKG_CONFIG) --variable=libdir yaml-0.1)" && test -f "$$libdir/libyaml.a" \
	  || { echo "make: no libyaml.a through pkg-config's yaml-0.1: install pkg-config and libyaml-dev" \
	    "(scripts/run does)" >&2; exit 1; }
	@mkdir -p $(STATIC_YAML)
	@ln -sf "$$($(PKG_CONFIG) --variable=libdir yaml-0.1)/libyaml.a" $(STATIC_YAML)/libyaml.a
	@printf '%s\n' 'Name: LibYAML' 'Description: libyaml.a only, for a static batchrun' \
	  "Version: $$($(PKG_CONFIG) --modversion yaml-0.1)" "Cflags: $$($(PKG_CONFIG) --cflags yaml-0.1)" \
	  'Libs: -L$(STATIC_YAML) -lyaml' > $(STATIC_YAML)/yaml-0.1.pc

install: $(if $(BINARY),,build)
	install -d $(dir $(BIN_FILE)) $(dir $(BASH_FILE)) $(dir $(ZSH_FILE)) $(dir $(FISH_FILE)) $(dir $(MAN_FILE))
	install -m 755 $(binary) $(BIN_FILE)
	$(BIN_FILE) --generate-completion-script bash > $(BASH_FILE)
	$(BIN_FILE) --generate-completion-script zsh > $(ZSH_FILE)
	$(BIN_FILE) --generate-completion-script fish > $(FISH_FILE)
	install -m 644 docs/batchrun.1 $(MAN_FILE)

uninstall:
	rm -f $(BIN_FILE) $(BASH_FILE) $(ZSH_FILE) $(FISH_FILE) $(MAN_FILE)

man:
	$(SWIFT) package --allow-writing-to-package-directory generate-manual --configuration debug \
	  --authors "batchrun maintainers"
	cp .build/plugins/GenerateManual/outputs/batchrun/batchrun.1 docs/batchrun.1
