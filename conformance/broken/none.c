/*
 * none.c - breaks nothing: every call goes to the reference.  The kill
 * matrix requires this one to pass every scenario, which shows that the
 * wrapper itself keeps the contract.
 */
#include "wrap.h"

const struct wrap_hooks wrap_hooks = { .name = "broken: none (delegates everything)" };
