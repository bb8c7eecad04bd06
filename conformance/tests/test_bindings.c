/*
 * test_bindings.c - integrations in other languages, through the
 * built-in adapters: libvirtaio in CPython, any Sys::Virt::Event subclass
 * in perl.  The harness must not be what fails them: a perl die that
 * unwinds through the runner is reported once, under R45, and nothing
 * after it is blamed on the state it left.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* A runner built with a sanitizer (make sanitize) runs CPython and perl
 * under it, which they are not built for: their tests are skipped there.
 * --can-fail-allocations answers no in such a runner. */
static bool sanitized_runner(void)
{
    char *out;
    const char *args[] = { "--can-fail-allocations", NULL };
    int rc = runner(&out, args);

    free(out);
    if (rc != 0)
        test_skip("CPython and perl under a runner built with a sanitizer");
    return rc != 0;
}

/* A plain scenario passes on both interpreters' loops. */
START_TEST(interpreters_run_scenarios)
{
    static const char *const impls[] = { "python-libvirtaio",
                                         "perl:Sys::Virt::Event::IO::Async" };
    char *out, text[512];
    const char *args[] = { "--impl", NULL, "-s", NULL, NULL };

    if (sanitized_runner())
        return;
    snprintf(text, sizeof(text), HEADER "add-timeout T 50\nrun-until 500\n"
             "expect calls T >= 8\nexpect call T #1 at 50\n", "timer");
    args[3] = scenario_file("timer.scn", text);
    for (size_t i = 0; i < 2; i++) {
        args[1] = impls[i];
        ck_assert_msg(runner(&out, args) == 0, "%s: %s", impls[i], out);
        ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s: %s", impls[i], out);
        free(out);
    }
}
END_TEST

/* A Sys::Virt::Event subclass from --perl-inc whose add_timeout dies
 * inside a callback: one R45 failure, and no R27 or R35 for later
 * callbacks. */
START_TEST(perl_die_is_r45)
{
    char *out, text[512], inc[600];
    const char *args[] = { "--impl", "perl:EvconfDies", "--perl-inc", inc, "-s", NULL,
                           NULL };

    if (sanitized_runner())
        return;
    scenario_file("EvconfDies.pm",
                  "package EvconfDies;\nuse parent 'Sys::Virt::Event::IO::Async';\n"
                  "sub add_timeout {\n    my ($self, $ms, @rest) = @_;\n"
                  "    die \"no timers of 7 ms\\n\" if $ms == 7;\n"
                  "    return $self->SUPER::add_timeout($ms, @rest);\n}\n1;\n");
    snprintf(inc, sizeof(inc), "%s", tmpdir);
    snprintf(text, sizeof(text), HEADER "add-timeout A 0\non cb A #1: add-timeout B 7\n"
             "run 3\n", "dies");
    args[5] = scenario_file("dies.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "[MUST R45] iteration 0: add_timeout did not return"), "%s",
                  out);
    ck_assert_msg(!strstr(out, "R27]") && !strstr(out, "R35]") && !strstr(out, "R37]"),
                  "later callbacks were blamed: %s", out);
    free(out);
}
END_TEST

/* In real time the scenario's clock starts once the loop is registered:
 * an implementation that takes 300 ms to start (an interpreter) sees a
 * 200 ms timer fire 200 ms into the scenario, not 500.  (The bound above
 * leaves 250 ms for a loaded machine; late is never early.) */
START_TEST(realtime_clock_starts_after_register)
{
    char *out, text[512];
    const char *args[] = { "--realtime", "--tolerance", "20", "--impl",
                           impl("slow-start"), "-s", NULL, NULL };

    snprintf(text, sizeof(text), HEADER "add-timeout T 200\nrun-until 600\n"
             "expect call T #1 at 180..450\n", "slow");
    args[6] = scenario_file("slow.scn", text);
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    free(out);
}
END_TEST

void add_binding_tests(Suite *s)
{
    const TTest *tests[] = { interpreters_run_scenarios, perl_die_is_r45,
                             realtime_clock_starts_after_register };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
