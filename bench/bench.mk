# bench/bench.mk: the event-loop benchmark (included by the main Makefile).
#
#   make bench                                   every section, 5 rounds, all loops
#   make bench BENCH_ARGS='--impl ./libfoo.so'   your loop (see bench/README.md)
#   make bench-smoke                             a few seconds; ends "N passed, N failed"
#
# The benchmark loads the loops it measures from $(BUILD): the reference
# and the adapters for libvirt's loops are built first.

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/%.o)
BENCH_BIN  := $(BUILD)/evconf-bench
BENCH_ARGS ?=
BENCH_LOOPS := $(REF_LIB_SO) $(ADAPTERS)
BENCH_LOOPS += $(LVEV_SO)

.PHONY: bench bench-smoke bench-limits bench-suite

$(BUILD)/bench/%.o: bench/%.c bench/bench.h conformance/evconf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconformance -Ibench -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VIRT_LIBS) -ldl -lm

bench: $(BENCH_BIN) $(BENCH_LOOPS)
	$(BENCH_BIN) $(BENCH_ARGS)

# Two quick runs: everything but the instruction counts over the reference
# and libvirt's default loop, then one small callgrind run of the reference
# to prove that path works.  The closing line is summed by scripts/sum-checks.
bench-smoke: $(BENCH_BIN) $(BENCH_LOOPS)
	@mkdir -p $(BUILD)/bench; rc=0; \
	$(BENCH_BIN) --quick --no-callgrind --impl reference --impl libvirt-default \
	    --json $(BUILD)/bench/smoke.json || rc=1; \
	$(BENCH_BIN) --quick --only A --sizes 100 --impl reference \
	    --json $(BUILD)/bench/smoke-callgrind.json || rc=1; \
	if [ $$rc -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi; \
	exit $$rc

# The runner's own limits (issue 20): how long loading a 100k-line
# expectation file, a header of 300k lines and a directory of 100k
# scenarios takes, and draining a loop that prints 1 GiB.  Figures only.
bench-limits: $(RUNNER) $(ADAPTERS) $(BUILD)/conformance/tests/impls/libprints-1g.so
	scripts/bench-limits $(BUILD)

# The suite's own speed (issue 23): the whole suite against the reference
# with -j 1 and -j 2, and its virtual-time part.  Figures only.
bench-suite: $(RUNNER) $(ADAPTERS)
	scripts/bench-suite $(BUILD)
