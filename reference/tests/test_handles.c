#include "suites.h"
#include "support.h"

Suite *handles_suite(void)
{
    Suite *s = suite_create("handles");
    return s;
}
