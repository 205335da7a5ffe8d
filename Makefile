# mtk - metrics toolkit.  One non-recursive GNU Makefile.
#
# Targets:
#   all        build every binary into build/bin (default)
#   check      build, then run all tests (unit and end-to-end) with prove;
#              this replays every fuzz corpus too (tests/fuzz/, no clang needed)
#   fuzz       build the libFuzzer targets of tests/fuzz/ with clang (ASan and
#              UBSan) into build/libfuzzer/, then run each for FUZZ_TIME seconds
#   check-fresh  'make demo' and 'make check' in a fresh Debian 12 root
#              (debootstrap; as root, with network; scripts/check-fresh.sh)
#   lint       mandoc -Tlint over the man pages
#   bench      build optimised, run the benchmarks in bench/ (slow)
#   demo       build, then run the main pipeline on the default store
#   deps       install missing Debian build/test packages (scripts/deps.sh)
#   install    install binaries, man pages and completions
#   clean      remove build/
#
# Knobs (make VAR=value):
#   CC         compiler (gcc or clang)                     default: cc
#   CFLAGS     optimisation/debug flags                    default: -O2 -g
#   SAN=1      build with -fsanitize=address,undefined into build/san/
#   VALGRIND=1 run the end-to-end tests' binaries under valgrind (check only)
#   V=1        show full compiler command lines
#   PREFIX     install prefix                              default: /usr/local
#   DESTDIR    staging root for install                    default: empty
#   PROVE      TAP harness                                 default: prove
#   PROTOC_C   protobuf-c's compiler (lib/*/*.proto)       default: protoc-c
#   JOBS       parallel test jobs                          default: nproc
#   FUZZ_TIME  seconds each fuzz target runs (fuzz only)   default: 60
#   FUZZ_TARGETS  which targets to run (fuzz only)         default: all

VERSION  := 0.1.0
CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share
PROVE    ?= prove
PROTOC_C ?= protoc-c
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_TIME ?= 60

ifeq ($(FUZZ),1)
# The libFuzzer build ('make fuzz'): the library instrumented for
# coverage, each target linked with libFuzzer's main instead of replay.c.
BUILD    := build/libfuzzer
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
FUZZ_MAIN :=
FUZZ_LINK := -fsanitize=fuzzer
else ifeq ($(SAN),1)
BUILD    := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    := build
SANFLAGS :=
endif
ifneq ($(FUZZ),1)
FUZZ_MAIN := $(BUILD)/fuzz/obj/replay.o
FUZZ_LINK :=
endif

# libarchive is loaded with dlopen(3) when an archive is first read or
# written (lib/store/tar.h), libcurl at the first HTTP request
# (lib/net/http.c), libmicrohttpd when a server is opened
# (lib/net/httpd.c), libsnappy when a remote_write encoder is made
# (lib/send/encode.c; it brings libstdc++): their headers are needed,
# not their link.  libprotobuf-c packs remote_write bodies.
PKGS     := jansson libxxhash libzstd libpcre2-8 yaml-0.1 zlib libprotobuf-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libarchive libcurl libmicrohttpd snappy 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson)
# These small libraries are linked statically (from their Debian -dev
# packages' .a files) unless STATIC_DEPS=0: each shared library loaded
# costs a program's start some mappings and page faults, about 1 ms in
# all on a virtual machine, and mpush runs once per event in scripts.
# libc, libm and what dlopen(3) loads stay shared.
STATIC_DEPS ?= 1
ifeq ($(STATIC_DEPS),1)
PKG_LIBS   := -Wl,-Bstatic $(PKG_LIBS) -Wl,-Bdynamic
endif

WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2
# gcc only: its guesses about path lengths flood every snprintf into a
# PATH_MAX buffer; the code checks lengths where it matters.
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN     += -Wno-format-truncation
endif
ALL_CFLAGS  = $(WARN) $(CFLAGS) $(SANFLAGS) -pthread -D_GNU_SOURCE -DMTK_VERSION='"$(VERSION)"' \
              -Ilib -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -pthread
LIBS        = $(PKG_LIBS) -lm -ldl

ifneq ($(V),1)
Q_CC = @echo '   CC' $@;
Q_AR = @echo '   AR' $@;
Q_LD = @echo '   LD' $@;
Q_GEN = @echo '  GEN' $@;
endif

BINS      := $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
LIB_SRC   := $(wildcard lib/*/*.c)
# Code generated from lib/<layer>/<name>.proto into $(BUILD)/gen/<layer>/,
# included as "<layer>/<name>.pb-c.h"; never committed.
GEN_SRC   := $(patsubst lib/%.proto,$(BUILD)/gen/%.pb-c.c,$(wildcard lib/*/*.proto))
GEN_HDR   := $(GEN_SRC:.c=.h)
LIB_OBJ   := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC)) $(GEN_SRC:.c=.o)
CMD_OBJ   := $(patsubst cmd/%.c,$(BUILD)/cmd/%.o,$(wildcard cmd/*.c))
UNIT_SRC  := $(wildcard tests/unit/t_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_OBJ  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/obj/%.o,$(wildcard tests/fuzz/*.c))
FUZZ_BIN  := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
LIBMTK    := $(BUILD)/libmtk.a
MANPAGES  := $(wildcard man/man*/*.[1-9])

.PHONY: all check check-fresh lint bench demo deps install clean tools fuzz fuzz-build
all: $(addprefix $(BUILD)/bin/,$(BINS))
tools: $(UNIT_BIN) $(BENCH_BIN) $(FUZZ_BIN) $(BUILD)/fuzz/seeds

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
# One protoc-c run writes both files: a pattern rule with two targets
# makes them together.  Any object may include a generated header, so
# all wait for them (after the first build, -MMD names the real users).
.SECONDARY: $(GEN_SRC) $(GEN_HDR)
$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: lib/%.proto
	@mkdir -p $(BUILD)/gen
	$(Q_GEN)$(PROTOC_C) --proto_path=lib --c_out=$(BUILD)/gen $<
$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(LIB_OBJ) $(CMD_OBJ) $(FUZZ_OBJ): | $(GEN_HDR)
$(BUILD)/cmd/%.o: cmd/%.c | $(BUILD)/cmd
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(LIBMTK): $(LIB_OBJ)
	$(Q_AR)rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(LIBMTK) | $(BUILD)/bin
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBMTK) $(LIBS)
# Only mshell edits lines: readline is its alone.
$(BUILD)/bin/mshell: LIBS += -lreadline
$(BUILD)/tests/t_%: tests/unit/t_%.c tests/unit/tap.h $(LIBMTK) | $(BUILD)/tests
	$(Q_LD)$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIBMTK) $(LIBS)
$(BUILD)/bench/%: bench/%.c bench/load.h $(LIBMTK) | $(BUILD)/bench
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBMTK) $(LIBS)
.SECONDARY: $(FUZZ_OBJ)
$(BUILD)/fuzz/obj/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(ALL_CFLAGS) -Itests/fuzz -c -o $@ $<
# Each target: with libFuzzer's main under FUZZ=1, else with replay.c.
$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/fuzz_%.o $(BUILD)/fuzz/obj/fuzz.o $(FUZZ_MAIN) $(LIBMTK)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) $(FUZZ_LINK) -o $@ $^ $(LIBS)
$(BUILD)/fuzz/seeds: $(BUILD)/fuzz/obj/seeds.o $(LIBMTK)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/cmd $(BUILD)/bin $(BUILD)/tests $(BUILD)/bench:
	@mkdir -p $@

deps:
	@sh scripts/deps.sh

# The dependency check runs first, on its own, so that pkg-config answers
# for the build that follows on a fresh machine.
check:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory all tools
	MTK_BUILD=$(BUILD) VALGRIND=$(VALGRIND) SAN=$(SAN) $(PROVE) --timer -j$(JOBS) --exec "sh tests/run.sh" tests/t[0-9]*.sh $(UNIT_BIN)

# README's promise, tested where it is made: a minimal Debian 12 made
# with debootstrap runs the README's two commands on a clone of HEAD.
check-fresh:
	@sh scripts/deps.sh fresh
	sh scripts/check-fresh.sh

lint:
	@sh scripts/deps.sh test
	mandoc -Tlint -W warning $(MANPAGES)

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all tools CFLAGS='-O2 -g -DNDEBUG'
	sh bench/run.sh $(BUILD)

# CI runs this briefly; a longer run (FUZZ_TIME=1800) before a release.
# The corpora grow in build/libfuzzer/corpus/, findings go to
# build/libfuzzer/crashes/ (scripts/fuzz.sh).
fuzz:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 CC=clang fuzz-build
	sh scripts/fuzz.sh build/libfuzzer $(FUZZ_TIME) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BIN) $(BUILD)/fuzz/seeds

demo:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)/bin

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 755 $(addprefix $(BUILD)/bin/,$(BINS)) $(DESTDIR)$(BINDIR)
	for m in $(MANPAGES); do install -m 644 $$m $(DESTDIR)$(MANDIR)/$$(basename $$(dirname $$m)); done
	for b in $(BINS); do \
		install -m 644 completions/mtk.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/$$b; \
		install -m 644 completions/mtk.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$b.fish; \
	done
	install -m 644 completions/_mtk $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_mtk

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
