# benchtop - a plain Makefile. `make run` and `make test` install missing
# Debian packages themselves (via `make deps`) before building.

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/benchtop
CC         ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
SANITIZE   ?=
WERROR     ?=

# Warnings in one place; CI builds with WERROR=1.
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wpointer-arith -Wcast-qual -Wvla -Wundef -Wwrite-strings
ifneq ($(WERROR),)
WARNINGS += -Werror
endif

PKGS      = ncursesw hwloc libcjson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CRIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
CRIT_LIBS   := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifneq ($(SANITIZE),)
BUILD    ?= build/san
SANFLAGS  = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build
SANFLAGS  =
endif

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DBENCHTOP_VERSION=\"$(VERSION)\" \
	     -DBENCHTOP_DATADIR=\"$(DATADIR)\" -Isrc $(WARNINGS) $(CFLAGS) \
	     $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS = $(PKG_LIBS) -lrt -lm

SRCS  := $(wildcard src/*.c src/workloads/*.c)
OBJS  := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIBOBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
BIN   := $(BUILD)/benchtop

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_OBJS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tobj/%.o)
TEST_BIN  := $(BUILD)/unit_tests

# Debian packages: to build, and to test (tmux drives the dashboard tests).
DEB_BUILD = build-essential pkg-config libncurses-dev libhwloc-dev libcjson-dev
DEB_TEST  = libcriterion-dev tmux hwloc python3 clang
DEB_SHOTS = aha imagemagick

.PHONY: all run test unit e2e bench clean install uninstall deps deps-build \
	deps-test screenshots

all: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tobj/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CRIT_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(TEST_BIN): $(TEST_OBJS) $(LIBOBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJS) $(LIBOBJS) $(LIBS) $(CRIT_LIBS)

-include $(OBJS:.o=.d) $(TEST_OBJS:.o=.d)

# Install missing Debian packages (as root), or print the command to do so.
deps:
	@PKGS="$(DEB_BUILD) $(DEB_TEST) $(EXTRA_DEBS)" sh tests/deps.sh

deps-build:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || \
		PKGS="$(DEB_BUILD)" sh tests/deps.sh

deps-test:
	@{ $(PKG_CONFIG) --exists $(PKGS) criterion && command -v tmux >/dev/null; } \
		2>/dev/null || PKGS="$(DEB_BUILD) $(DEB_TEST)" sh tests/deps.sh

run: deps-build
	@$(MAKE) --no-print-directory all
	./$(BIN) $(ARGS)

test: deps-test
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@BENCHTOP=$(abspath $(BIN)) UNIT_TESTS=$(abspath $(TEST_BIN)) sh tests/run.sh

unit: $(TEST_BIN)
	./$(TEST_BIN)

e2e: $(BIN)
	BENCHTOP=$(abspath $(BIN)) sh tests/run.sh e2e

bench: deps-build
	@$(MAKE) --no-print-directory all
	./$(BIN) bench

screenshots: deps-test
	@PKGS="$(DEB_SHOTS)" sh tests/deps.sh
	@$(MAKE) --no-print-directory all
	BENCHTOP=$(abspath $(BIN)) sh tests/screenshots.sh

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/profiles
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/benchtop
	install -m 644 profiles/*.json $(DESTDIR)$(DATADIR)/profiles/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/benchtop
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build
