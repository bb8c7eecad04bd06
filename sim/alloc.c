/*
 * alloc.c - allocations that fail on purpose, for the failure paths of the
 * loop under test (the scenario language's alloc-fails=K).
 *
 * Like interpose.c, this object goes into the executable and is exported,
 * so that a loaded implementation's malloc, calloc and realloc come here.
 * Normally they pass straight to the next definition (libc's, or a
 * preloaded sanitizer's, which therefore still sees every block; free is
 * not interposed and goes there directly).  After sim_fail_alloc(K), the
 * K-th allocation on that thread made by the object sim_alloc_scope()
 * named (the implementation under test) fails with ENOMEM, once.  In a build that
 * is itself compiled with AddressSanitizer the sanitizer owns these
 * symbols: nothing is interposed and no allocation fails.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim.h"

static _Thread_local int fail_in;     /* 0: none; K: the K-th from now */
static const void *scope_base;         /* the object whose calls count */

void sim_fail_alloc(int nth)
{
    fail_in = nth > 0 ? nth : 0;
}

bool sim_alloc_failures_available(void)
{
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    return true;
#else
    return false;
#endif
}

void sim_alloc_scope(const void *addr)
{
    Dl_info info;

    scope_base = addr && dladdr(addr, &info) ? info.dli_fbase : NULL;
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);

/* dlsym() may allocate before it has found calloc: serve those calls from
 * a small static arena, never freed (free() of such a block is never
 * called by dlsym). */
static _Alignas(max_align_t) char bootstrap[4096];
static size_t bootstrap_used;
static _Thread_local bool resolving;

static void *from_bootstrap(size_t n)
{
    size_t at = (bootstrap_used + 15) & ~(size_t)15;

    if (at + n > sizeof(bootstrap))
        return NULL;
    bootstrap_used = at + n;
    return memset(bootstrap + at, 0, n);
}

static bool resolve(void)
{
    if (next_realloc)
        return true;
    if (resolving)
        return false;
    resolving = true;
    *(void **)&next_malloc = dlsym(RTLD_NEXT, "malloc");
    *(void **)&next_calloc = dlsym(RTLD_NEXT, "calloc");
    *(void **)&next_realloc = dlsym(RTLD_NEXT, "realloc");
    resolving = false;
    return next_malloc && next_calloc && next_realloc;
}

/* Whether this allocation, asked for from caller, is the one to fail.
 * Only the implementation's own calls count: libraries below it (GLib
 * aborts on a failed allocation, by design) are left alone. */
static bool failing(const void *caller)
{
    Dl_info info;

    if (fail_in == 0 || !scope_base || !dladdr(caller, &info) ||
        info.dli_fbase != scope_base || --fail_in > 0)
        return false;
    errno = ENOMEM;
    return true;
}

void *malloc(size_t n)
{
    if (!resolve())
        return from_bootstrap(n);
    return failing(__builtin_return_address(0)) ? NULL : next_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (!resolve())
        return size && n > SIZE_MAX / size ? NULL : from_bootstrap(n * size);
    return failing(__builtin_return_address(0)) ? NULL : next_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (!resolve())
        return NULL;
    return failing(__builtin_return_address(0)) ? NULL : next_realloc(p, n);
}

#endif
