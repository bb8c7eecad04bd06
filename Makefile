# evconf: a conformance kit for libvirt event-loop integrations.
#
#   make                 build the reference loop (static and shared), the
#                        simulator, the runner and the built-in adapters
#   make check           build and run the kit's checks, phase by phase
#                        (scripts/check): tests, kill matrix, bench smoke,
#                        bindings, a mutation sample
#   make coverage        tests and a kill-matrix sample under gcov; lcov
#                        report in coverage/
#   make sanitize        the same under AddressSanitizer + UBSan
#   make lint            shellcheck, scripts/style-check, scripts/code-limits
#   make docs-check      the generated docs are current
#   make installcheck    the installed kit runs from elsewhere
#   make kill-matrix     the full kill matrix (30 seeds), for a longer job
#   make mutation        every mutant of the reference, for a longer job
#   make install         PREFIX=/usr/local DESTDIR= (library, header, .pc)
#   make bench           the benchmark (bench/README.md); not part of check,
#                        which runs only its few-second smoke run
#   make bench-suite     the conformance suite's own speed, -j 1 and -j 2
#   make clean
#
# Every flavour builds into its own directory (BUILD=...), so a coverage or
# sanitizer build never mixes objects with the normal one.

CC       ?= cc
PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
PCDIR    ?= $(LIBDIR)/pkgconfig
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
KITDIR   := $(LIBDIR)/evconf
BUILD    ?= build
OPT      ?= -O2
VERSION  := 0.1.0

PKG_CONFIG  ?= pkg-config
VIRT_CFLAGS := $(shell $(PKG_CONFIG) --cflags libvirt)
VIRT_LIBS   := $(shell $(PKG_CONFIG) --libs libvirt)
CHECK_LIBS  := $(shell $(PKG_CONFIG) --libs check)

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) -g -fPIC \
              -pthread $(VIRT_CFLAGS) $(EXTRA_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(EXTRA_CFLAGS) $(LDFLAGS)

# ---- reference/ ---------------------------------------------------------
REF_SRCS  := $(wildcard reference/*.c)
REF_OBJS  := $(REF_SRCS:%.c=$(BUILD)/%.o)
REF_LIB_A := $(BUILD)/libevref.a
REF_LIB_SO := $(BUILD)/libevref.so
# The conformance ABI over the reference: a shim of its own, never part of
# libevref, so that programs linking the library may define their own.
REF_SHIM   := conformance/adapters/reference.c

REF_TEST_SRCS := $(wildcard reference/tests/*.c)
REF_TEST_OBJS := $(REF_TEST_SRCS:%.c=$(BUILD)/%.o)
REF_TEST_BIN  := $(BUILD)/reference/tests/run-tests
# Allocation failures are injected by wrapping the allocator in the test
# binary only (reference/tests/support.c).
REF_TEST_WRAP := -Wl,--wrap=calloc,--wrap=realloc

# ---- sim/ ---------------------------------------------------------------
SIM_SRCS  := $(filter-out sim/interpose.c sim/alloc.c sim/timerfd-interpose.c,$(wildcard sim/*.c))
SIM_OBJS  := $(SIM_SRCS:%.c=$(BUILD)/%.o)
SIM_LIB_A := $(BUILD)/libevsim.a
# Linked into executables only, never into a library: its definitions of
# poll(), clock_gettime() etc. must be the executable's own.
SIM_INTERPOSE := $(BUILD)/sim/interpose.o $(BUILD)/sim/alloc.o \
                 $(BUILD)/sim/timerfd-interpose.o
# Executables that interpose export their symbols to dlopen()ed objects.
EXPORT_DYNAMIC := -rdynamic

SIM_TEST_SRCS := $(wildcard sim/tests/*.c)
SIM_TEST_OBJS := $(SIM_TEST_SRCS:%.c=$(BUILD)/%.o)
SIM_TEST_BIN  := $(BUILD)/sim/tests/run-tests

# Variants of the reference built to be failed: each is a patch in
# conformance/mutation/variants/ applied to a copy of reference/, so that
# reference/ itself carries no broken code.
VARIANTS    := $(patsubst conformance/mutation/variants/%.patch,%,\
                 $(wildcard conformance/mutation/variants/*.patch))
# asan-*.patch: memory errors that only a sanitizer sees, whose plain build
# passes everything; the kill matrix judges their sanitizer build instead,
# built into $(BUILD)/asan/variants/.
ASAN_VARIANTS := $(filter asan-%,$(VARIANTS))
VARIANT_SOS := $(filter-out $(ASAN_VARIANTS:%=$(BUILD)/variants/libevref-%.so),\
                 $(VARIANTS:%=$(BUILD)/variants/libevref-%.so))
ASAN_VARIANT_SOS := $(ASAN_VARIANTS:%=$(BUILD)/asan/variants/libevref-%.so)
# The flags of every sanitizer build: `make sanitize`, the reference's
# adapter for conformance-asan, the asan- variants.
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer

# ---- conformance/ -------------------------------------------------------
# The runtimes evconf-run preloads for --sanitizer (modes.c), as this
# compiler names them, their symlinks resolved: the runtime libraries
# themselves, which need no compiler to be there at run time.
runtime_lib = $(shell realpath -e "$$($(CC) -print-file-name=$(1))" 2>/dev/null)
LIBASAN := $(call runtime_lib,libasan.so)
LIBTSAN := $(call runtime_lib,libtsan.so)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
RUNTIME_DEFS = $(if $(LIBASAN),-DEVCONF_LIBASAN='"$(LIBASAN)"') \
               $(if $(LIBTSAN),-DEVCONF_LIBTSAN='"$(LIBTSAN)"') \
               $(if $(MULTIARCH),-DEVCONF_MULTIARCH='"$(MULTIARCH)"')
CONF_SRCS   := $(wildcard conformance/runner/*.c)
CONF_OBJS   := $(CONF_SRCS:%.c=$(BUILD)/%.o)
RUNNER      := $(BUILD)/evconf-run
WORDS_BIN   := $(BUILD)/evconf-words
ADAPTERS    := $(BUILD)/adapters/libevconf-reference.so \
               $(BUILD)/adapters/libevconf-libvirt-default.so \
               $(BUILD)/adapters/libevconf-libvirt-glib.so \
               $(BUILD)/adapters/libevconf-python.so \
               $(BUILD)/adapters/libevconf-perl.so \
               $(BUILD)/adapters/libevconf-ruby.so
GLIB_CFLAGS := $(shell $(PKG_CONFIG) --cflags libvirt-glib-1.0)
GLIB_LIBS   := $(shell $(PKG_CONFIG) --libs libvirt-glib-1.0)

# Broken loops: each conformance/broken/<name>.c over wrap.c, for the kill
# matrix.  wrap.c alone is "none", which must pass everything.
BROKEN_SRCS := $(filter-out conformance/broken/wrap.c,$(wildcard conformance/broken/*.c))
BROKEN_SOS  := $(BROKEN_SRCS:conformance/broken/%.c=$(BUILD)/broken/libbroken-%.so)

IMPL       ?= reference
SEED       ?= 1
GENERATE   ?= 20
SCENARIOS  ?=
REPORT_DIR ?= $(BUILD)/conformance-report

CONF_TEST_BIN := $(BUILD)/conformance/tests/run-tests
TEST_IMPLS    := $(patsubst conformance/tests/impls/%.c,$(BUILD)/conformance/tests/impls/lib%.so,\
                   $(wildcard conformance/tests/impls/*.c))

TEST_BINS := $(REF_TEST_BIN) $(SIM_TEST_BIN) $(CONF_TEST_BIN)

.PHONY: all sanitizer-twins check check-build lint installcheck docs-check docs words-doc coverage coverage-impl sanitize install clean matrix conformance conformance-realtime broken kill-matrix catalogue stress mutation mutation-sample conformance-asan stress-tsan

all: $(REF_LIB_A) $(REF_LIB_SO) $(SIM_LIB_A) $(SIM_INTERPOSE) $(RUNNER) $(WORDS_BIN) $(ADAPTERS)

$(BUILD)/reference/%.o: reference/%.c reference/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -Ireference -c $< -o $@

$(BUILD)/reference/tests/%.o: reference/tests/%.c reference/tests/*.h reference/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ireference -Ireference/tests -c $< -o $@

$(REF_LIB_A): $(REF_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# -Bsymbolic: the library calls its own functions even when the process
# already has another copy of the reference (a test that links it).
SO_LDFLAGS = -shared -Wl,--no-undefined -Wl,-Bsymbolic

$(REF_LIB_SO): $(REF_OBJS)
	$(CC) $(SO_LDFLAGS) -Wl,-soname,libevref.so.0 $(ALL_LDFLAGS) \
	    -o $@ $^ $(VIRT_LIBS)

# $(call reference_so,SRCDIR,FLAGS): the sources in SRCDIR (a copy of
# reference/, patched or not) and the conformance shim, as the shared
# object $@, with FLAGS added to compiling and linking.
define reference_so
	$(CC) $(ALL_CFLAGS) $(2) -fvisibility=hidden -I$(1) -Iconformance \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) $(2) -o $@ $(1)/*.c $(REF_SHIM) \
	    $(VIRT_LIBS)
endef

$(BUILD)/variants/libevref-%.so: conformance/mutation/variants/%.patch $(REF_SRCS) \
		reference/*.h $(REF_SHIM)
	@rm -rf $(BUILD)/variants/$*.src && mkdir -p $(BUILD)/variants/$*.src
	cp reference/*.c reference/*.h $(BUILD)/variants/$*.src/
	patch -s -p2 -d $(BUILD)/variants/$*.src < $<
	$(call reference_so,$(BUILD)/variants/$*.src,)

$(BUILD)/asan/variants/libevref-%.so: conformance/mutation/variants/%.patch $(REF_SRCS) \
		reference/*.h $(REF_SHIM)
	@rm -rf $(BUILD)/asan/variants/$*.src && mkdir -p $(BUILD)/asan/variants/$*.src
	cp reference/*.c reference/*.h $(BUILD)/asan/variants/$*.src/
	patch -s -p2 -d $(BUILD)/asan/variants/$*.src < $<
	$(call reference_so,$(BUILD)/asan/variants/$*.src,$(SAN_CFLAGS))

# The reference's adapter built with the sanitizers, for
# `make conformance-asan IMPL=reference`.
ASAN_REF := $(BUILD)/asan/adapters/libevconf-reference.so
$(ASAN_REF): $(REF_SRCS) reference/*.h $(REF_SHIM) conformance/evconf.h
	@mkdir -p $(@D)
	$(call reference_so,reference,$(SAN_CFLAGS))

$(BUILD)/sim/%.o: sim/%.c sim/*.h reference/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isim -Ireference -c $< -o $@

$(SIM_LIB_A): $(SIM_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/sim/tests/%.o: sim/tests/%.c sim/tests/*.h sim/*.h reference/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isim -Isim/tests -Ireference -c $< -o $@

$(SIM_TEST_BIN): $(SIM_TEST_OBJS) $(SIM_INTERPOSE) $(SIM_LIB_A) $(REF_LIB_A)
	$(CC) $(ALL_LDFLAGS) $(EXPORT_DYNAMIC) -o $@ $^ $(VIRT_LIBS) \
	    $(CHECK_LIBS) -ldl

$(REF_TEST_BIN): $(REF_TEST_OBJS) $(REF_LIB_A)
	$(CC) $(ALL_LDFLAGS) $(REF_TEST_WRAP) -o $@ $^ $(VIRT_LIBS) $(CHECK_LIBS)

$(BUILD)/conformance/runner/%.o: conformance/runner/%.c conformance/runner/*.h \
		conformance/evconf.h sim/sim.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance -Iconformance/runner -Isim \
	    -DEVCONF_SCENARIO_DIR='"$(CURDIR)/conformance/scenarios"' \
	    -DEVCONF_SOURCE_DIR='"$(CURDIR)"' $(RUNTIME_DEFS) -c $< -o $@

$(RUNNER): $(CONF_OBJS) $(SIM_INTERPOSE) $(SIM_LIB_A) $(REF_LIB_A)
	$(CC) $(ALL_LDFLAGS) $(EXPORT_DYNAMIC) -o $@ $^ $(VIRT_LIBS) -ldl

# The language reference's tables, from the one table of words
# (conformance/runner/words.c): `make words-doc` rewrites them in the
# scenarios' README, and a test (test_words.c) fails when they differ.
$(WORDS_BIN): conformance/tools/evconf-words.c $(BUILD)/conformance/runner/words.o
	$(CC) $(ALL_CFLAGS) -Iconformance/runner $(ALL_LDFLAGS) -o $@ $^

words-doc: $(WORDS_BIN)
	$(WORDS_BIN) --update conformance/scenarios/README.md

$(BUILD)/adapters/libevconf-reference.so: $(REF_SHIM) conformance/evconf.h reference/evref.h $(REF_LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance -Ireference $(SO_LDFLAGS) $(ALL_LDFLAGS) \
	    -o $@ $< $(REF_LIB_A) $(VIRT_LIBS)

$(BUILD)/adapters/libevconf-libvirt-default.so: conformance/adapters/libvirt-default.c conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance $(SO_LDFLAGS) $(ALL_LDFLAGS) -o $@ $< $(VIRT_LIBS)

$(BUILD)/adapters/libevconf-libvirt-glib.so: conformance/adapters/libvirt-glib.c conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(GLIB_CFLAGS) -Iconformance $(SO_LDFLAGS) $(ALL_LDFLAGS) \
	    -o $@ $< $(GLIB_LIBS) $(VIRT_LIBS)

# The interpreters' adapters' record of the calls crossing a binding's C
# glue (conformance/adapters/glue-log.h), linked into each of them.
GLUE_LOG := conformance/adapters/glue-log.c conformance/adapters/glue-log.h

# Any Python integration, in Debian's CPython (python3-embed):
# IMPL=python:FILE.py; python-libvirtaio is python:evconf_libvirtaio, from
# conformance/adapters/python/.
PY_CFLAGS := $(shell pkg-config --cflags python3-embed)
PY_LIBS   := $(shell pkg-config --libs python3-embed)
PY_LIBNAME := $(patsubst -l%,lib%.so.1.0,$(filter -lpython%,$(PY_LIBS)))
$(BUILD)/adapters/libevconf-python.so: conformance/adapters/python.c $(GLUE_LOG) conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PY_CFLAGS) -DEVCONF_LIBPYTHON='"$(PY_LIBNAME)"' \
	    -DEVCONF_PYTHON_LIB='"$(CURDIR)/conformance/adapters/python"' -Iconformance \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) -o $@ $< conformance/adapters/glue-log.c $(PY_LIBS) -ldl

# Any ruby-libvirt integration, in Debian's Ruby (IMPL=ruby:FILE.rb).
RUBY_CFLAGS  := $(shell pkg-config --cflags ruby-3.1 2>/dev/null)
RUBY_LIBS    := $(shell pkg-config --libs ruby-3.1 2>/dev/null)
RUBY_LIBNAME := $(shell ruby -rrbconfig -e 'print RbConfig::CONFIG["LIBRUBY_SONAME"]' 2>/dev/null)
$(BUILD)/adapters/libevconf-ruby.so: conformance/adapters/ruby.c $(GLUE_LOG) conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(RUBY_CFLAGS) -Wno-unused-parameter \
	    -DEVCONF_LIBRUBY='"$(RUBY_LIBNAME)"' -Iconformance \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) -o $@ $< conformance/adapters/glue-log.c $(RUBY_LIBS) -ldl

# Any Sys::Virt::Event subclass, in Debian's perl (IMPL=perl:Module::Name).
PERL_CFLAGS  := $(shell perl -MExtUtils::Embed -e ccopts 2>/dev/null)
PERL_LDFLAGS := $(shell perl -MExtUtils::Embed -e ldopts 2>/dev/null)
PERL_LIBNAME := $(shell perl -MConfig -e 'print $$Config{libperl}' 2>/dev/null)
$(BUILD)/adapters/libevconf-perl.so: conformance/adapters/perl.c $(GLUE_LOG) conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PERL_CFLAGS) -Wno-unused-parameter -DEVCONF_LIBPERL='"$(PERL_LIBNAME)"' \
	    -DEVCONF_PERL_LIB='"$(CURDIR)/conformance/adapters/perl/lib"' -Iconformance \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) -o $@ $< conformance/adapters/glue-log.c $(PERL_LDFLAGS)

# ---- integrations/core/: what the libuv and sd-event integrations share -
# The host-loop-independent core (registrations, timer heap, wake set,
# dispatch, sweep, lock); each of the two libraries and adapters below
# holds its objects, so an application links one .a alone.
CORE_SRCS := $(wildcard integrations/core/*.c)
CORE_DEPS := $(CORE_SRCS) $(wildcard integrations/core/*.h)

$(BUILD)/integrations/core/%.o: integrations/core/%.c integrations/core/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -c $< -o $@

# ---- integrations/libuv/: libvirt's event loop on libuv (issue 24) -----
# The library an application links or copies (libuv-libvirt.a), and its
# evconf adapter (IMPL=libuv); the sanitizer and TSan twins of the adapter
# for make conformance-asan IMPL=$(LIBUV_ASAN) and make stress-tsan
# TSAN_IMPL=$(LIBUV_TSAN).  Debian's libuv1-dev (scripts/install-deps).
LIBUV_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libuv)
LIBUV_LIBS    := $(shell $(PKG_CONFIG) --libs libuv)
LIBUV_SRCS    := $(filter-out %/evconf-adapter.c,$(wildcard integrations/libuv/*.c)) \
                 $(CORE_SRCS)
LIBUV_LIB     := $(BUILD)/integrations/libuv-libvirt.a
LIBUV_ADAPTER := $(BUILD)/integrations/libevconf-libuv.so
LIBUV_ASAN    := $(BUILD)/asan/integrations/libevconf-libuv.so
LIBUV_TSAN    := $(BUILD)/tsan/integrations/libevconf-libuv.so
all: $(LIBUV_LIB) $(LIBUV_ADAPTER)

$(BUILD)/integrations/libuv/%.o: integrations/libuv/%.c integrations/libuv/*.h \
                                 integrations/core/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIBUV_CFLAGS) -fvisibility=hidden -Iintegrations/core \
	    -c $< -o $@

$(LIBUV_LIB): $(LIBUV_SRCS:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

# $(call libuv_adapter,FLAGS): the adapter and the library's sources as $@.
define libuv_adapter
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(1) $(LIBUV_CFLAGS) -fvisibility=hidden -Iconformance \
	    -Iintegrations/libuv -Iintegrations/core $(SO_LDFLAGS) $(ALL_LDFLAGS) $(1) -o $@ \
	    integrations/libuv/evconf-adapter.c $(LIBUV_SRCS) $(LIBUV_LIBS) $(VIRT_LIBS)
endef
$(LIBUV_ADAPTER): integrations/libuv/*.c integrations/libuv/*.h $(CORE_DEPS) \
    conformance/evconf.h
	$(call libuv_adapter,)
$(LIBUV_ASAN): integrations/libuv/*.c integrations/libuv/*.h $(CORE_DEPS) \
    conformance/evconf.h
	$(call libuv_adapter,$(SAN_CFLAGS))
$(LIBUV_TSAN): integrations/libuv/*.c integrations/libuv/*.h $(CORE_DEPS) \
    conformance/evconf.h
	$(call libuv_adapter,$(TSAN_CFLAGS))
INTEGRATION_TWINS += $(if $(NO_SAN_BUILD),$(if $(LIBASAN),$(LIBUV_ASAN)) \
                       $(if $(LIBTSAN),$(LIBUV_TSAN)))
conformance-asan: $(filter $(LIBUV_ASAN),$(IMPL))
stress-tsan: $(filter $(LIBUV_TSAN),$(TSAN_IMPL))
bench bench-smoke: $(LIBUV_ADAPTER)
# Each of libuv's pitfalls put back into a copy, and the scenarios that
# must catch it (docs/integrations-libuv.md).
libuv-pitfalls: $(RUNNER)
	scripts/pitfalls $(BUILD) libuv
.PHONY: libuv-pitfalls
# The installed kit's IMPL=libuv (the runner finds it beside its
# adapters), and the library with its header for applications.
install-libuv: $(LIBUV_LIB) $(LIBUV_ADAPTER)
	install -d $(DESTDIR)$(KITDIR)/integrations $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)
	install -m 755 $(LIBUV_ADAPTER) $(DESTDIR)$(KITDIR)/integrations/
	install -m 644 $(LIBUV_LIB) $(DESTDIR)$(LIBDIR)/libuv-libvirt.a
	install -m 644 integrations/libuv/libuv-libvirt.h $(DESTDIR)$(INCDIR)/libuv-libvirt.h
install: install-libuv
.PHONY: install-libuv

$(BUILD)/broken/libbroken-%.so: conformance/broken/%.c conformance/broken/wrap.c \
		conformance/broken/wrap.h $(REF_LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ireference -Iconformance/broken $(SO_LDFLAGS) \
	    $(ALL_LDFLAGS) -o $@ $< conformance/broken/wrap.c $(REF_LIB_A) $(VIRT_LIBS)

# Good loops: conformance/good/<name>.c over the same wrap.c, loops that
# keep every rule in a way the reference does not (spurious wake-ups...).
# The kill matrix reports the scenarios each one fails: each is a scenario
# that fails a correct loop.
GOOD_SRCS := $(wildcard conformance/good/*.c)
GOOD_SOS  := $(GOOD_SRCS:conformance/good/%.c=$(BUILD)/good/libgood-%.so)
# Loops of their own (conformance/good/own/): no wrap.c, no reference.
GOOD_OWN_SRCS := $(wildcard conformance/good/own/*.c)
GOOD_SOS  += $(GOOD_OWN_SRCS:conformance/good/own/%.c=$(BUILD)/good/libgood-%.so)

$(BUILD)/good/libgood-%.so: conformance/good/%.c conformance/broken/wrap.c \
		conformance/broken/wrap.h $(REF_LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ireference -Iconformance/broken $(SO_LDFLAGS) \
	    $(ALL_LDFLAGS) -o $@ $< conformance/broken/wrap.c $(REF_LIB_A) $(VIRT_LIBS)

$(BUILD)/good/libgood-%.so: conformance/good/own/%.c conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance $(SO_LDFLAGS) $(ALL_LDFLAGS) -o $@ $< $(VIRT_LIBS)
# A variant that includes its base loop's source.
$(BUILD)/good/libgood-tablescan-twice.so: conformance/good/own/tablescan.c
$(BUILD)/good/libgood-tablescan-quiet.so: conformance/good/own/tablescan.c

# ThreadSanitizer twins of the reference and of some variants, for the
# stress run (make stress-tsan, and the kill matrix): on TSan's runtime every
# unsynchronised access between the loop thread and another thread is
# reported, on every run, whether or not this run's interleaving made it do
# harm.  Not in a build that already has a sanitizer (they do not mix).
# Twins are built for the variants that only the stress run catches (their
# patch says "found by --stress").
TSAN_CFLAGS   := -fsanitize=thread -O1
TSAN_VARIANTS := $(patsubst conformance/mutation/variants/%.patch,%,\
                   $(shell grep -l 'found by --stress' conformance/mutation/variants/*.patch))
TSAN_SOS      := $(if $(findstring -fsanitize,$(EXTRA_CFLAGS)),,\
                   $(BUILD)/tsan/libevconf-reference.so $(TSAN_VARIANTS:%=$(BUILD)/tsan/libevref-%.so))

# The reference built with each sanitizer, what evconf-run --sanitizer=KIND
# --impl reference runs (installed under LIBDIR/evconf/asan and tsan).
# Each only where the compiler has the sanitizer's runtime, and not in a
# build that already has a sanitizer (they do not mix).
NO_SAN_BUILD := $(if $(findstring -fsanitize,$(EXTRA_CFLAGS)),,yes)
ASAN_TWIN := $(if $(NO_SAN_BUILD),$(if $(LIBASAN),$(ASAN_REF)))
TSAN_TWIN := $(if $(NO_SAN_BUILD),$(if $(LIBTSAN),$(BUILD)/tsan/libevconf-reference.so))
SAN_TWINS := $(ASAN_TWIN) $(TSAN_TWIN)
# `make sanitizer-twins` builds them alone.
sanitizer-twins: $(SAN_TWINS)

$(BUILD)/tsan/libevconf-reference.so: $(REF_SRCS) reference/*.h $(REF_SHIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TSAN_CFLAGS) -fvisibility=hidden -Ireference -Iconformance \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) -fsanitize=thread -o $@ $(REF_SRCS) $(REF_SHIM) $(VIRT_LIBS)

$(BUILD)/tsan/libevref-%.so: conformance/mutation/variants/%.patch $(REF_SRCS) \
		reference/*.h $(REF_SHIM)
	@rm -rf $(BUILD)/tsan/$*.src && mkdir -p $(BUILD)/tsan/$*.src
	cp reference/*.c reference/*.h $(BUILD)/tsan/$*.src/
	patch -s -p2 -d $(BUILD)/tsan/$*.src < $<
	$(CC) $(ALL_CFLAGS) $(TSAN_CFLAGS) -fvisibility=hidden -I$(BUILD)/tsan/$*.src -Iconformance \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) -fsanitize=thread -o $@ $(BUILD)/tsan/$*.src/*.c $(REF_SHIM) \
	    $(VIRT_LIBS)

broken: $(BROKEN_SOS) $(VARIANT_SOS) $(ASAN_VARIANT_SOS) $(GOOD_SOS) $(TSAN_SOS)

# The rule-by-rule index: contract -> scenarios -> reference.
catalogue: $(RUNNER)
	scripts/catalogue $(BUILD) > $(BUILD)/CATALOGUE.md.part
	mv $(BUILD)/CATALOGUE.md.part conformance/CATALOGUE.md

KILL_MATRIX_SEEDS ?= 30
kill-matrix: $(RUNNER) $(REF_LIB_SO) broken
	KILL_MATRIX_SEEDS=$(KILL_MATRIX_SEEDS) scripts/kill-matrix $(BUILD)

# Mutation testing: source mutants of reference/, each run through the
# suite (scripts/mutation), MUTATION_JOBS at a time.  The full run takes a
# while, for a longer job; the sample is part of `make check`: 20 mutants
# (40 took 340 s on two loaded cores: a survivor costs the whole suite, a
# stress run, and a TSan build and stress run).
MUTATE := $(BUILD)/evconf-mutate
MUTATION_SAMPLE ?= 20

$(MUTATE): conformance/mutation/mutate.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

MUTATION_JOBS ?=
mutation: $(RUNNER) $(MUTATE)
	MUTATION_JOBS=$(MUTATION_JOBS) scripts/mutation $(BUILD)

mutation-sample: $(RUNNER) $(MUTATE)
	MUTATION_JOBS=$(MUTATION_JOBS) scripts/mutation $(BUILD) $(MUTATION_SAMPLE)

# Values from the command line go to the shell single-quoted, whatever
# they hold (spaces, quotes, ';'): $(call shq,$(IMPL)).
shq = '$(subst ','\'',$(1))'
# FLAGS: more evconf-run options, as shell words (--strict, --filter GLOB,
# --timeout SEC, --budget SEC...).
FLAGS ?=
# --scenarios PATH when SCENARIOS is set: one file, directory or glob.
SCENARIOS_ARG = $(if $(SCENARIOS),--scenarios $(call shq,$(call caller_path,SCENARIOS)))
# A built-in implementation's known deviations (conformance/expectations/)
# are what it is judged against, unless EXPECT= says otherwise; a run
# against expectations generates no programs unless GENERATE= asks (they
# cannot be listed in advance).
EXPECT ?= $(or $(wildcard conformance/expectations/$(subst :,-,$(subst ::,-,$(IMPL))).expect),\
              $(firstword $(shell grep -lxF -e $(call shq,# impl: $(IMPL)) \
                                  conformance/expectations/*.expect 2>/dev/null)))
EXPECT_ARG = $(if $(EXPECT),--expect $(call shq,$(call caller_path,EXPECT)))
GENERATE_N = $(if $(filter command line,$(origin GENERATE)),$(GENERATE),$(if $(EXPECT),0,$(GENERATE)))

# Paths given on the command line are the caller's: with make -C KIT, a
# relative IMPL, SCENARIOS, EXPECT or REPORT_DIR is taken from the
# directory make was started in ($(PWD)), not from the kit's.
CALLER_DIR := $(or $(PWD),$(CURDIR))
caller_path = $(if $(filter command line,$(origin $(1))),$(if $(filter /%,$($(1))),$($(1)),$(if $(findstring /,$($(1))),$(CALLER_DIR)/$($(1)),$(if $(wildcard $(CALLER_DIR)/$($(1))),$(CALLER_DIR)/$($(1)),$($(1))))),$($(1)))
# An output directory given on the command line: always the caller's.
caller_dir = $(if $(filter command line,$(origin $(1))),$(if $(filter /%,$($(1))),$($(1)),$(CALLER_DIR)/$($(1))),$($(1)))

# IMPL=python:FILE, perl:FILE.pl, ruby:FILE.rb: a relative FILE is the
# caller's; module names (perl:Sys::Virt::..., python:module) stay as is.
rel_to_caller = $(if $(filter /%,$(1)),$(1),$(if $(wildcard $(CALLER_DIR)/$(1)),$(CALLER_DIR)/$(1),$(1)))
interp_impl = $(strip $(foreach p,python perl ruby,$(if $(filter $(p):%,$(1)),$(p):$(call rel_to_caller,$(patsubst $(p):%,%,$(1))))))
# A built-in's name stays a name, even where the caller's directory holds
# a file or directory of that name (the tree's own reference/).
BUILTIN_IMPLS := reference libvirt-default libvirt-glib python-libvirtaio
impl_arg = $(or $(filter $(BUILTIN_IMPLS),$(IMPL)),$(call interp_impl,$(IMPL)),$(call caller_path,IMPL))

# The kit's main job: every scenario against IMPL (default: the reference).
conformance: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	$(RUNNER) --impl $(call shq,$(impl_arg)) --seed $(call shq,$(SEED)) \
	    --report-dir $(call shq,$(call caller_dir,REPORT_DIR)) $(EXPECT_ARG) \
	    $(if $(filter-out 0,$(GENERATE_N)),--generate $(call shq,$(GENERATE_N))) \
	    $(SCENARIOS_ARG) $(FLAGS)

# The scenarios against an IMPL built with -fsanitize=address,undefined,
# on the sanitizers' runtime (evconf-run --sanitizer=address preloads it):
# a report (an error, or leaks when a scenario's process exits) fails that
# scenario.  IMPL=reference (the default) is the reference built so,
# $(ASAN_REF), which the runner finds beside itself.
conformance-asan: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS) $(if $(filter reference,$(IMPL)),$(ASAN_REF))
	$(RUNNER) --sanitizer=address --impl $(call shq,$(impl_arg)) --seed $(call shq,$(SEED)) \
	    --report-dir $(call shq,$(call caller_dir,REPORT_DIR)) $(SCENARIOS_ARG) $(FLAGS)

# The contract's semantics, rule by rule, generated from the tree:
# docs/semantics.md in the repository, build/docs/semantics.html to read.
docs: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	scripts/docs $(BUILD) docs/semantics.md $(BUILD)/docs/semantics.html

# The generated files are current (scripts/docs-check; CI runs it after
# make check): the catalogue, docs/semantics.md and docs/matrix.md
# regenerated into $(BUILD)/docs-check and compared with the committed
# ones.  The matrix reuses make check's runs of the bindings when they are
# newer than the runner; without them it runs each implementation.
docs-check: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	MATRIX_IMPLS='$(MATRIX_IMPLS)' scripts/docs-check $(BUILD)

# Every built-in implementation against the whole suite, as a table of
# rules x implementations: docs/matrix.md (in the repository) and
# build/matrix/index.html (each cell linking to the failure).
MATRIX_IMPLS ?= reference libvirt-default libvirt-glib python-libvirtaio \
                perl:Sys::Virt::Event::IO::Async
MATRIX_IMPLS += libuv
matrix: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	scripts/matrix $(BUILD) docs/matrix.md $(MATRIX_IMPLS)

# Coverage of the implementation under test (an IMPL built with
# --coverage): each scenario's gcov data apart, then an lcov report of the
# IMPL's sources, each line with the scenarios that reach it.
IMPL_COVERAGE ?= $(BUILD)/impl-coverage
coverage-impl: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	rm -rf $(call shq,$(call caller_dir,IMPL_COVERAGE))
	-$(RUNNER) --impl $(call shq,$(call caller_path,IMPL)) --seed $(call shq,$(SEED)) \
	    --report-dir $(call shq,$(call caller_dir,IMPL_COVERAGE))/report \
	    --coverage-dir $(call shq,$(call caller_dir,IMPL_COVERAGE))/data \
	    $(SCENARIOS_ARG) $(FLAGS)
	scripts/impl-coverage $(call shq,$(call caller_dir,IMPL_COVERAGE))/data \
	    $(call shq,$(call caller_dir,IMPL_COVERAGE))/html

# Real worker threads against IMPL, in real time (evconf-run --stress).
# Its reports go to STRESS_REPORT_DIR, beside the scenarios' own.
STRESS_REPORT_DIR ?= $(BUILD)/stress-report
stress: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	$(RUNNER) --stress --impl $(call shq,$(impl_arg)) \
	    --report-dir $(call shq,$(call caller_dir,STRESS_REPORT_DIR))

# The same for an IMPL built with -fsanitize=thread (default: the
# reference's TSan twin), on ThreadSanitizer's runtime (evconf-run
# --sanitizer=thread preloads it): each kind of report is a failure of the
# run under the rule it breaks (R42 for a data race), with the first
# report in the output.  conformance/tsan.supp holds the reports that are
# not the loop's (each entry says why).
TSAN_IMPL ?= reference
stress-tsan: $(RUNNER) $(TSAN_SOS)
	$(RUNNER) --sanitizer=thread --stress --impl $(call shq,$(call caller_path,TSAN_IMPL)) \
	    --report-dir $(call shq,$(call caller_dir,STRESS_REPORT_DIR))

# Each test binary writes Check's summary; the last line adds them up.
CONF_TEST_SRCS := $(wildcard conformance/tests/*.c)
# stall.c (the stress run's stall clock) is tested as a unit.
$(CONF_TEST_BIN): $(CONF_TEST_SRCS) conformance/tests/support.h conformance/runner/stall.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance/runner $(ALL_LDFLAGS) -o $@ $(CONF_TEST_SRCS) \
	    conformance/runner/stall.c $(CHECK_LIBS)

$(BUILD)/conformance/tests/impls/lib%.so: conformance/tests/impls/%.c conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance -shared $(ALL_LDFLAGS) -o $@ $<

# The same scenarios in real time, sped up SPEED times by libfaketime
# (evconf-run --realtime=SPEED preloads it), for loops that cannot be
# virtualised (static binaries, raw syscalls).
SPEED     ?= 10
TOLERANCE ?= 100
conformance-realtime: $(RUNNER) $(REF_LIB_SO) $(ADAPTERS)
	$(RUNNER) --realtime=$(call shq,$(SPEED)) \
	    --tolerance $(call shq,$(TOLERANCE)) --timeout 120 --impl $(call shq,$(impl_arg)) \
	    --seed $(call shq,$(SEED)) --report-dir $(call shq,$(call caller_dir,REPORT_DIR)) \
	    $(SCENARIOS_ARG) $(FLAGS)

# make check's phases (scripts/check lists them): the Check tests, the
# scripts' own tests, the kill matrix, the benchmark's smoke run, the
# built-in bindings against their expectation files, the integrations of
# integrations/ to issue 24's bar (scripts/integrations-check), and about
# MUTATION_SAMPLE of the reference's mutants.  Each phase prints its time;
# the last line adds up every phase's summary, with those of the logs in
# SUMMARIES: "N passed, N failed, N skipped".  CHECKS= runs some of them
# (make coverage and make sanitize run the tests and a sample of the kill
# matrix, kill-sample).
#
# The kill matrix of make check runs the good loops on CHECK_SEEDS seeds
# (default 4, two of them with --perturb) and every broken loop once; make
# kill-matrix runs them on KILL_MATRIX_SEEDS (default 30), for a longer job.
CHECKS ?= tests scripts kill-matrix bench bindings integrations mutation
CHECK_SEEDS ?= 4
KILL_SAMPLE ?= 12
check-build: all $(TEST_BINS) $(VARIANT_SOS) $(ASAN_VARIANT_SOS) $(ASAN_REF) $(TEST_IMPLS) $(BROKEN_SOS) \
		$(GOOD_SOS) $(TSAN_SOS) $(SAN_TWINS) $(if $(filter mutation,$(CHECKS)),$(MUTATE))

check: check-build
	@KILL_MATRIX_SEEDS=$(CHECK_SEEDS) KILL_SAMPLE=$(KILL_SAMPLE) \
	    MUTATION_SAMPLE=$(MUTATION_SAMPLE) SUMMARIES='$(SUMMARIES)' \
	    scripts/check $(BUILD) $(CHECKS)

# ---- integrations/libevent/ (issue 24) ----------------------------------
# libvirt on a libevent event_base: a static library an application links
# (liblibvirt-libevent.a) and the adapter evconf-run loads (IMPL=libevent),
# built into $(BUILD)/integrations/; their sanitizer and TSan twins for
# make conformance-asan IMPL=$(LVEV_ASAN_SO) and make stress-tsan
# TSAN_IMPL=$(LVEV_TSAN_SO).  Debian: libevent-dev (scripts/install-deps).
LVEV_FLAGS   := $(shell $(PKG_CONFIG) --cflags libevent libevent_pthreads)
LVEV_LIBS    := $(shell $(PKG_CONFIG) --libs libevent libevent_pthreads)
LVEV_SRCS    := $(filter-out %/adapter.c,$(wildcard integrations/libevent/*.c))
LVEV_DEPS    := $(LVEV_SRCS) $(wildcard integrations/libevent/*.h) \
                integrations/libevent/adapter.c conformance/evconf.h
LVEV_LIB_A   := $(BUILD)/integrations/liblibvirt-libevent.a
LVEV_SO      := $(BUILD)/integrations/libevconf-libevent.so
LVEV_ASAN_SO := $(BUILD)/asan/integrations/libevconf-libevent.so
LVEV_TSAN_SO := $(BUILD)/tsan/integrations/libevconf-libevent.so
# $(call lvev_so,FLAGS): the adapter and the library as the shared object $@.
define lvev_so
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(1) $(LVEV_FLAGS) -Iconformance -Iintegrations/libevent \
	    $(SO_LDFLAGS) $(ALL_LDFLAGS) $(1) -o $@ integrations/libevent/adapter.c \
	    $(LVEV_SRCS) $(LVEV_LIBS) $(VIRT_LIBS)
endef
all: $(LVEV_LIB_A) $(LVEV_SO)
$(BUILD)/integrations/libevent/%.o: integrations/libevent/%.c $(wildcard integrations/libevent/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LVEV_FLAGS) -Iintegrations/libevent -c $< -o $@
$(LVEV_LIB_A): $(LVEV_SRCS:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
$(LVEV_SO): $(LVEV_DEPS)
	$(call lvev_so,)
$(LVEV_ASAN_SO): $(LVEV_DEPS)
	$(call lvev_so,$(SAN_CFLAGS))
$(LVEV_TSAN_SO): $(LVEV_DEPS)
	$(call lvev_so,$(TSAN_CFLAGS) -fsanitize=thread)
MATRIX_IMPLS += libevent
INTEGRATION_TWINS += $(if $(NO_SAN_BUILD),$(if $(LIBASAN),$(LVEV_ASAN_SO)) \
                       $(if $(LIBTSAN),$(LVEV_TSAN_SO)))
conformance-asan: $(filter $(LVEV_ASAN_SO),$(IMPL))
stress-tsan: $(filter $(LVEV_TSAN_SO),$(TSAN_IMPL))
# Each of libevent's pitfalls put back into a copy, and the scenarios that
# must catch it (docs/integrations-libevent.md).
libevent-pitfalls: $(RUNNER)
	scripts/pitfalls $(BUILD) libevent
.PHONY: libevent-pitfalls
.PHONY: install-libevent
install: install-libevent
install-libevent: $(LVEV_LIB_A) $(LVEV_SO)
	install -d $(DESTDIR)$(KITDIR)/integrations $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)
	install -m 755 $(LVEV_SO) $(DESTDIR)$(KITDIR)/integrations/
	install -m 644 $(LVEV_LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 644 integrations/libevent/libvirt-libevent.h $(DESTDIR)$(INCDIR)/

# ---- integrations/sd-event/: libvirt's event loop on sd-event (issue 24) -
# The library an application links or copies (libsdevent-libvirt.a), and
# its evconf adapter (IMPL=sd-event); the sanitizer and TSan twins of the
# adapter for make conformance-asan IMPL=$(SDEV_ASAN) and make stress-tsan
# TSAN_IMPL=$(SDEV_TSAN).  Debian's libsystemd-dev (scripts/install-deps).
SDEV_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libsystemd)
SDEV_LIBS    := $(shell $(PKG_CONFIG) --libs libsystemd)
SDEV_SRCS    := $(filter-out %/evconf-adapter.c,$(wildcard integrations/sd-event/*.c)) \
                $(CORE_SRCS)
SDEV_DEPS    := $(wildcard integrations/sd-event/*.c integrations/sd-event/*.h) \
                $(CORE_DEPS) conformance/evconf.h
SDEV_LIB     := $(BUILD)/integrations/libsdevent-libvirt.a
SDEV_ADAPTER := $(BUILD)/integrations/libevconf-sd-event.so
SDEV_ASAN    := $(BUILD)/asan/integrations/libevconf-sd-event.so
SDEV_TSAN    := $(BUILD)/tsan/integrations/libevconf-sd-event.so
all: $(SDEV_LIB) $(SDEV_ADAPTER)

$(BUILD)/integrations/sd-event/%.o: integrations/sd-event/%.c integrations/sd-event/*.h \
                                    integrations/core/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SDEV_CFLAGS) -fvisibility=hidden -Iintegrations/core \
	    -c $< -o $@

$(SDEV_LIB): $(SDEV_SRCS:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

# $(call sdev_adapter,FLAGS): the adapter and the library's sources as $@.
define sdev_adapter
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(1) $(SDEV_CFLAGS) -fvisibility=hidden -Iconformance \
	    -Iintegrations/sd-event -Iintegrations/core $(SO_LDFLAGS) $(ALL_LDFLAGS) $(1) -o $@ \
	    integrations/sd-event/evconf-adapter.c $(SDEV_SRCS) $(SDEV_LIBS) $(VIRT_LIBS)
endef
$(SDEV_ADAPTER): $(SDEV_DEPS)
	$(call sdev_adapter,)
$(SDEV_ASAN): $(SDEV_DEPS)
	$(call sdev_adapter,$(SAN_CFLAGS))
$(SDEV_TSAN): $(SDEV_DEPS)
	$(call sdev_adapter,$(TSAN_CFLAGS))
MATRIX_IMPLS += sd-event
INTEGRATION_TWINS += $(if $(NO_SAN_BUILD),$(if $(LIBASAN),$(SDEV_ASAN)) \
                       $(if $(LIBTSAN),$(SDEV_TSAN)))
conformance-asan: $(filter $(SDEV_ASAN),$(IMPL))
stress-tsan: $(filter $(SDEV_TSAN),$(TSAN_IMPL))
bench bench-smoke: $(SDEV_ADAPTER)
# Each of sd-event's pitfalls put back into a copy, and the scenarios that
# must catch it (docs/integrations-sd-event.md).
sdevent-pitfalls: $(RUNNER)
	scripts/pitfalls $(BUILD) sd-event
.PHONY: sdevent-pitfalls
# The installed kit's IMPL=sd-event (the runner finds it beside its
# adapters), and the library with its header for applications.
install-sdevent: $(SDEV_LIB) $(SDEV_ADAPTER)
	install -d $(DESTDIR)$(KITDIR)/integrations $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)
	install -m 755 $(SDEV_ADAPTER) $(DESTDIR)$(KITDIR)/integrations/
	install -m 644 $(SDEV_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 integrations/sd-event/sdevent-libvirt.h $(DESTDIR)$(INCDIR)/
install: install-sdevent
.PHONY: install-sdevent

# ---- lint ---------------------------------------------------------------
# Every shell script of the kit through shellcheck, and the reference's
# comments and README through scripts/style-check (CI runs it).
SHELL_SCRIPTS := $(shell grep -l -e '^\#!/bin/sh' -e '^\#!/usr/bin/env bash' \
                   scripts/* scripts/tests/* .ci/run 2>/dev/null)
# The style and the size limits hold for the reference and the runner,
# and for every integration (integrations/*/, those there are).
lint:
	shellcheck $(SHELL_SCRIPTS)
	scripts/style-check reference $(patsubst %/,%,$(wildcard integrations/*/))
	scripts/code-limits

# ---- coverage -----------------------------------------------------------
# The tests and a sample of the kill matrix (KILL_SAMPLE broken loops, the
# good loops on one seed) built with --coverage; the full kill matrix adds
# little coverage and runs in make check.
COV_BUILD := build/coverage
COV_DIRS  := reference sim conformance/runner
LCOV_RC   := --rc lcov_branch_coverage=1
COV_MIN_LINES    ?= 95
COV_MIN_BRANCHES ?= 85
# Lines of sim/ and of conformance/runner/.
COV_MIN_LINES_KIT ?= 85

# A test case's watchdog (60 s; Check's CK_TIMEOUT_MULTIPLIER) is longer
# for the instrumented builds, whose runner and loops run 2-3 times slower:
# a watchdog stops a hang, it is not a speed check (benchmarks are).
INSTRUMENTED_TIMEOUTS ?= 4

coverage:
	@rm -rf $(COV_BUILD) coverage/html coverage/*.info
	CK_TIMEOUT_MULTIPLIER=$(INSTRUMENTED_TIMEOUTS) \
	$(MAKE) --no-print-directory BUILD=$(COV_BUILD) OPT=-O0 EXTRA_CFLAGS='--coverage -DEVCONF_COVERAGE' \
	    CHECKS='tests kill-sample' check
	lcov $(LCOV_RC) --quiet --capture --directory $(COV_BUILD) \
	    --output-file coverage/all.info
	lcov $(LCOV_RC) --quiet --extract coverage/all.info \
	    $(COV_DIRS:%='$(CURDIR)/%/*.c') --output-file coverage/evconf.info
	lcov $(LCOV_RC) --quiet --remove coverage/evconf.info \
	    '$(CURDIR)/*/tests/*' --output-file coverage/evconf.info
	genhtml $(LCOV_RC) --quiet --branch-coverage --output-directory \
	    coverage/html coverage/evconf.info
	scripts/coverage-gate coverage/evconf.info reference \
	    $(COV_MIN_LINES) $(COV_MIN_BRANCHES)
	scripts/coverage-gate coverage/evconf.info sim $(COV_MIN_LINES_KIT) 0
	scripts/coverage-gate coverage/evconf.info conformance/runner $(COV_MIN_LINES_KIT) 0

# ---- sanitizers ---------------------------------------------------------
# The tests and a sample of the kill matrix built with the sanitizers.
# Before them, every scenario against the reference built with the
# sanitizers under the plain runner (make conformance-asan IMPL=reference
# --strict), which, unlike a runner built with them, can make allocations
# fail: the reference's failure paths run under the sanitizers too.  A
# sanitizer's report fails the scenario; the run's summary joins the tests'.
SAN_DIR := build/sanitize
sanitize:
	@mkdir -p $(SAN_DIR)
	@echo "== reference under the sanitizers (make conformance-asan)"
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory conformance-asan IMPL=reference \
	    FLAGS='--strict --quiet' REPORT_DIR=$(SAN_DIR)/conformance-asan \
	    > $(SAN_DIR)/conformance-asan.out 2>&1; \
	sed -n 's/^\([0-9]* passed, [0-9]* failed\),.*/\1/p' $(SAN_DIR)/conformance-asan.out \
	    | tail -n 1 | tee $(SAN_DIR)/conformance-asan.log; \
	echo "== conformance-asan: $$(( $$(date +%s) - start )) s"
	CK_TIMEOUT_MULTIPLIER=$(INSTRUMENTED_TIMEOUTS) \
	$(MAKE) --no-print-directory BUILD=$(SAN_DIR) OPT=-O1 EXTRA_CFLAGS="$(SAN_CFLAGS)" \
	    CHECKS='tests kill-sample' SUMMARIES=$(SAN_DIR)/conformance-asan.log check

# ---- install ------------------------------------------------------------
# The .pc files hold PREFIX and the paths under it, which change from one
# make to the next (make install PREFIX=/usr after a plain make): they are
# written anew each time, never taken from an earlier build.
# A directory under PREFIX as ${prefix}/...: pkg-config --define-prefix
# (pkgconf) then moves the .pc's paths with it, into a staged DESTDIR,
# and no other package's (README.md).
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

$(BUILD)/evref.pc: reference/evref.pc.in FORCE
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(call pc_rel,$(LIBDIR))|; s|@INCDIR@|$(call pc_rel,$(INCDIR))|; s|@VERSION@|$(VERSION)|' $< > $@

$(BUILD)/evconf.pc: conformance/evconf.pc.in FORCE
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@BINDIR@|$(call pc_rel,$(BINDIR))|; s|@INCDIR@|$(call pc_rel,$(INCDIR))|; s|@DATADIR@|$(call pc_rel,$(DATADIR))|; s|@VERSION@|$(VERSION)|' $< > $@

# The library, and the whole kit: evconf-run, evconf-coverage (the
# coverage report, scripts/impl-coverage) and evconf-ci (a CI job,
# scripts/ci-job) on PATH, the built-in adapters
# (and the perl modules) under LIBDIR/evconf/adapters, the reference built
# with each sanitizer under LIBDIR/evconf/asan and tsan (what
# --sanitizer=KIND --impl reference runs), the scenarios, expectation files
# and TSan suppressions under DATADIR/evconf, the documents (contract,
# semantics, catalogue) under DATADIR/doc/evconf, the headers, and
# pkg-config files for both (evref, evconf).  Under DESTDIR, pkg-config
# needs PKG_CONFIG_SYSROOT_DIR=$(DESTDIR) to point into it (README).
install: all $(SAN_TWINS) $(BUILD)/evref.pc $(BUILD)/evconf.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(PCDIR) \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCDIR)/evconf $(DESTDIR)$(KITDIR)/adapters \
	    $(DESTDIR)$(KITDIR)/asan $(DESTDIR)$(KITDIR)/tsan \
	    $(DESTDIR)$(DATADIR)/evconf/scenarios $(DESTDIR)$(DATADIR)/evconf/expectations \
	    $(DESTDIR)$(DATADIR)/doc/evconf
	install -m 644 $(REF_LIB_A) $(DESTDIR)$(LIBDIR)/libevref.a
	install -m 755 $(REF_LIB_SO) $(DESTDIR)$(LIBDIR)/libevref.so.0
	ln -sf libevref.so.0 $(DESTDIR)$(LIBDIR)/libevref.so
	install -m 644 reference/evref.h $(DESTDIR)$(INCDIR)/evref.h
	install -m 644 $(BUILD)/evref.pc $(DESTDIR)$(PCDIR)/evref.pc
	install -m 755 $(RUNNER) $(DESTDIR)$(BINDIR)/evconf-run
	install -m 755 scripts/impl-coverage $(DESTDIR)$(BINDIR)/evconf-coverage
	install -m 755 scripts/ci-job $(DESTDIR)$(BINDIR)/evconf-ci
	install -m 755 $(ADAPTERS) $(DESTDIR)$(KITDIR)/adapters/
	$(if $(ASAN_TWIN),install -m 755 $(ASAN_TWIN) $(DESTDIR)$(KITDIR)/asan/)
	$(if $(TSAN_TWIN),install -m 755 $(TSAN_TWIN) $(DESTDIR)$(KITDIR)/tsan/)
	cp -R conformance/adapters/perl conformance/adapters/python conformance/adapters/ruby $(DESTDIR)$(KITDIR)/adapters/
	install -m 644 conformance/evconf.h $(DESTDIR)$(INCDIR)/evconf/evconf.h
	install -m 644 conformance/scenarios/*.scn conformance/scenarios/README.md \
	    $(DESTDIR)$(DATADIR)/evconf/scenarios/
	install -m 644 conformance/expectations/*.expect $(DESTDIR)$(DATADIR)/evconf/expectations/
	install -m 644 conformance/tsan.supp conformance/lsan.supp $(DESTDIR)$(DATADIR)/evconf/
	install -m 644 docs/contract.md docs/semantics.md conformance/CATALOGUE.md \
	    docs/results.schema.json $(DESTDIR)$(DATADIR)/doc/evconf/
	install -m 644 $(BUILD)/evconf.pc $(DESTDIR)$(PCDIR)/evconf.pc

# make install into a staging directory, and the installed kit run from
# elsewhere (scripts/installcheck; CI runs it).  The one broken loop is
# the failing run evconf-ci must report (docs/ci/).
installcheck: all $(SAN_TWINS) $(BUILD)/evref.pc $(BUILD)/evconf.pc \
              $(BUILD)/broken/libbroken-r21-zero-waits.so
	scripts/installcheck $(BUILD)

FORCE:

clean:
	rm -rf build coverage/html coverage/*.info
include bench/bench.mk

# Last, when every integration's section has added its sanitizer twins
# (INTEGRATION_TWINS), for make check's integrations phase.
check-build: $(if $(filter integrations,$(CHECKS)),$(INTEGRATION_TWINS))
