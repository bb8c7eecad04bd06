#include "suites.h"
#include "support.h"

Suite *fds_suite(void)
{
    return suite_create("fds");
}
