#include "suites.h"
#include "support.h"

Suite *interpose_suite(void)
{
    return suite_create("interpose");
}
