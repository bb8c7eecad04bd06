#include "suites.h"
#include "support.h"

Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    return s;
}
