/*
 * coverage.h - coverage_flush(): in a --coverage build (make coverage
 * defines EVCONF_COVERAGE), a process about to leave by _exit() or to give
 * up its user writes its counters first.  The private libvirtd's reaper
 * ends with _exit(), and the daemon's child drops to a uid that cannot
 * write the build's .gcda files before it execs: without this their lines
 * would count as never run.  In every other build it does nothing.
 */
#ifndef EVCONF_COVERAGE_H
#define EVCONF_COVERAGE_H

#ifdef EVCONF_COVERAGE
void __gcov_dump(void);
#define coverage_flush() __gcov_dump()
#else
#define coverage_flush() ((void)0)
#endif

#endif
