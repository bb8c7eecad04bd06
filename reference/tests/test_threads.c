#include "suites.h"
#include "support.h"

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    return s;
}
