#include "suites.h"
#include "support.h"

Suite *free_suite(void)
{
    Suite *s = suite_create("free");
    return s;
}
