/*
 * impl.h - loading the implementation under test.  Prefix impl_.
 *
 * The runner never loads it in its own process: impl_check() probes it
 * in a child (a constructor that crashes or blocks must not take the
 * runner down), and each scenario's child loads it with impl_load().
 */
#ifndef EVCONF_IMPL_H
#define EVCONF_IMPL_H

#include <stddef.h>

#include "exec.h"
#include "options.h"

/* dlopen path and find its symbols into *impl: 0, or -1 with why in
 * err (it does not load, or does not export what evconf.h asks). */
int impl_load(const char *path, struct impl *impl, char *err, size_t errlen);

/* Load path (o->impl resolved) in a child, within o's timeout and
 * --budget.  Returns its display name (the caller frees it), or NULL
 * after printing one line on stderr. */
char *impl_check(const struct options *o, const char *path);

#endif
