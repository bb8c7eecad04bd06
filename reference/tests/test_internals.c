#include "suites.h"
#include "support.h"

Suite *internals_suite(void)
{
    Suite *s = suite_create("internals");
    return s;
}
