#include "suites.h"
#include "support.h"

Suite *timers_suite(void)
{
    Suite *s = suite_create("timers");
    return s;
}
