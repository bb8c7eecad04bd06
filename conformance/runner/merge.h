/*
 * merge.h - --merge DIR...: the reports of shards joined.  Prefix merge_.
 */
#ifndef EVCONF_MERGE_H
#define EVCONF_MERGE_H

#include "options.h"
#include "results.h"

/* The results.json of each of o->merge_dirs (the report dirs of --shard
 * runs of the same suite) read into res[0..*nres), the suite loaded as
 * a run would load it, and then everything a run does after its turns
 * (turns.c): the failures shown, --expect judged, the reports written,
 * the exit status returned.  A scenario no shard has is not run; the
 * IMPL, seed and --strict are the first shard's. */
int merge_run(struct options *o, struct result *res, int *nres);

#endif
