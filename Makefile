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
DEB_SHOTS = aha imagemagick wkhtmltopdf fonts-dejavu-core

.PHONY: all run test unit e2e bench clean install uninstall deps deps-build \
	deps-test screenshots fuzz

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

# libFuzzer harnesses (tests/fuzz/) against the src objects rebuilt with
# clang and sanitizers in build/fuzz; each runs FUZZ_SECONDS with the seed
# corpus of tests/fuzz/corpus/NAME (new inputs go to build/fuzz/corpus/NAME,
# crashes to build/fuzz/crash-NAME-*). Fails on any crash, leak or timeout.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD    = build/fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -DBENCHTOP_VERSION=\"$(VERSION)\" \
		-DBENCHTOP_DATADIR=\"$(DATADIR)\" -Isrc -O1 -g $(FUZZ_SAN) $(PKG_CFLAGS)
FUZZ_NAMES    = profile cli shm
FUZZ_OBJS    := $(LIBOBJS:$(BUILD)/obj/%.o=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS) -lrt -lm

$(FUZZ_BUILD)/cycles: tests/fuzz/cycles.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS) -lrt -lm

-include $(FUZZ_OBJS:.o=.d)

fuzz: $(FUZZ_BINS) $(FUZZ_BUILD)/cycles
	@set -e; for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "fuzz_$$n: $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=4096 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$n- \
			$(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n \
			>$(FUZZ_BUILD)/fuzz_$$n.log 2>&1 || { tail -n 60 $(FUZZ_BUILD)/fuzz_$$n.log; \
			echo "fuzz_$$n: FAILED (input in $(FUZZ_BUILD)/crash-$$n-*)"; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)' $(FUZZ_BUILD)/fuzz_$$n.log \
			| sed "s/^/  fuzz_$$n /"; \
		echo "  fuzz_$$n crashes: 0"; \
	done
	$(FUZZ_BUILD)/cycles 1000

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/profiles
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/benchtop
	install -m 644 profiles/*.json $(DESTDIR)$(DATADIR)/profiles/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/benchtop
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build
