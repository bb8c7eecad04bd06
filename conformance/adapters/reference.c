/*
 * reference.c - the reference loop as an implementation under test.
 *
 * The conformance ABI (conformance/evconf.h) over libevref.  It is kept out
 * of libevref itself so that a program linking the library can define an
 * adapter of its own; `IMPL=reference` loads this shim.  EVREF_API keeps
 * the three exported when the shim is built together with the loop's
 * (hidden) objects, as the kill matrix's variants are.
 */
#include "evconf.h"
#include "evref.h"

EVREF_API int evconf_register(void)
{
    return evref_register();
}

EVREF_API int evconf_run_once(void)
{
    return evref_run_once();
}

EVREF_API const char *evconf_name(void)
{
    return "evconf reference loop (poll)";
}
