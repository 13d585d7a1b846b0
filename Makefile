# batchrun: build, install and uninstall.
#
#   make                      release build
#   make install PREFIX=DIR   the binary, shell completions (bash, zsh, fish) and the man page
#   make uninstall PREFIX=DIR
#   make man                  regenerate docs/batchrun.1 from the argument parser
#
# CONFIGURATION=debug installs a debug build instead; BINARY=PATH installs that binary
# without building (the tests do, from inside `swift test`).

PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= release
SWIFT ?= swift

root := $(DESTDIR)$(PREFIX)
BINARY ?=
binary = $(or $(BINARY),$(shell $(SWIFT) build -c $(CONFIGURATION) --show-bin-path)/batchrun)

BIN_FILE := $(root)/bin/batchrun
BASH_FILE := $(root)/share/bash-completion/completions/batchrun
ZSH_FILE := $(root)/share/zsh/site-functions/_batchrun
FISH_FILE := $(root)/share/fish/vendor_completions.d/batchrun.fish
MAN_FILE := $(root)/share/man/man1/batchrun.1

.PHONY: all build install uninstall man

all: build

build:
	$(SWIFT) build -c $(CONFIGURATION) --product batchrun

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
