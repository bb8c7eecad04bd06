#include "suites.h"
#include "support.h"

Suite *register_suite(void)
{
    Suite *s = suite_create("register");
    return s;
}
