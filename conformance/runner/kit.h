/*
 * kit.h - where the kit's own files are: the built-in adapters and the
 * scenario suite, beside the runner in a build tree or under PREFIX once
 * installed; and the IMPL words (reference, python:FILE.py...) that name
 * an adapter.  Prefix kit_.  Loading an IMPL is impl.h's.
 */
#ifndef EVCONF_KIT_H
#define EVCONF_KIT_H

#include <stddef.h>

/* Once, before the others: finds the kit from /proc/self/exe. */
void kit_find(void);

/* The scenario directory --scenarios defaults to. */
const char *kit_scenario_dir(void);

/* The contract's text (docs/contract.md), where it is installed or in
 * the source tree; the report's rule summary quotes it. */
const char *kit_contract_path(void);

/* The shared object IMPL names: a built-in's path (in buf), an
 * interpreter's adapter (with the variable that tells it what to load
 * set), "./IMPL" for a bare file name, or impl itself. */
const char *kit_resolve_impl(const char *impl, char *buf, size_t len);

/* Whether this runner is an installed kit's (PREFIX/bin/evconf-run with
 * PREFIX/share/evconf beside it), not a build tree's. */
int kit_installed(void);

/* Where the kit's document NAME is (contract.md, semantics.md,
 * CATALOGUE.md): PREFIX/share/doc/evconf/ once installed, the source
 * tree's docs/ or conformance/ in a build tree. */
const char *kit_doc(const char *name);

/* The kit's data file NAME (tsan.supp): PREFIX/share/evconf/ once
 * installed, the source tree's conformance/ in a build tree. */
const char *kit_data(const char *name);

/* --sanitizer KIND ("address", "thread", NULL): from then on the word
 * reference names the reference built with that sanitizer, whose path
 * this returns (NULL for no KIND). */
const char *kit_use_sanitizer(const char *kind);

#endif
