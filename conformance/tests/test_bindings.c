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

/* python:FILE.py and python:module load any Python integration: the
 * shipped libvirtaio file runs by path, by module name and by its old
 * word. */
START_TEST(python_file_runs_a_loop)
{
    static const char *const impls[] = {
        "python-libvirtaio", "python:evconf_libvirtaio",
        "python:conformance/adapters/python/evconf_libvirtaio.py" };
    char *out, text[512];
    const char *args[] = { "--impl", NULL, "-s", NULL, NULL };

    if (sanitized_runner())
        return;
    snprintf(text, sizeof(text), HEADER "add-timeout T 50\nrun-until 500\n"
             "expect calls T >= 8\n", "timer");
    args[3] = scenario_file("timer.scn", text);
    for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
        args[1] = impls[i];
        ck_assert_msg(runner(&out, args) == 0, "%s: %s", impls[i], out);
        ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s: %s", impls[i], out);
        free(out);
    }
}
END_TEST

/* The example poll loop (event-test.py's) runs: it passes a scenario of
 * watches, and keeps its deviations: a new timer fires at once, so
 * "first call about N ms after the add" fails. */
START_TEST(python_example_keeps_its_deviations)
{
    char *out, text[512];
    const char *args[] = { "--impl", "python:conformance/adapters/python/event_test_poll.py",
                           "-s", NULL, NULL };

    const char *suite[] = { "--impl", args[1], "-f", "handle-level-triggered", NULL };

    if (sanitized_runner())
        return;
    ck_assert_msg(runner(&out, suite) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
    snprintf(text, sizeof(text), HEADER "add-timeout T 200\nrun-until 500\n"
             "expect call T #1 at 180..220\n", "first");
    args[3] = scenario_file("first.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "fired 0 ms after its period started"), "%s", out);
    free(out);
}
END_TEST

/* What cannot be driven stops the run at load, with exit 2 and one line
 * that says why, before any scenario: a Python file with no run_once();
 * a Sys::Virt::Event whose loop() is undef; a perl file returning no
 * object; a Ruby file with no run_once. */
START_TEST(unusable_integrations_fail_at_load)
{
    static const struct { const char *impl, *says; } cases[] = {
        { "python:%s/norun.py", "defines no callable run_once()" },
        { "perl:EvconfNoLoop", "EvconfNoLoop's loop() returned undef, not a loop" },
        { "perl:%s/nothing.pl", "is undef, not a Sys::Virt::Event object" },
        { "ruby:%s/norun.rb", "defines no top-level run_once" },
    };
    char *out, impl[600], inc[600];
    const char *args[] = { "--impl", impl, "--perl-inc", inc, "-f", "timer-*", NULL };

    if (sanitized_runner())
        return;
    scenario_file("norun.py", "def register():\n    pass\n");
    scenario_file("EvconfNoLoop.pm", "package EvconfNoLoop;\nuse parent 'Sys::Virt::Event';\n"
                  "sub new { return bless {}, shift }\nsub loop { return undef }\n1;\n");
    scenario_file("nothing.pl", "undef;\n");
    scenario_file("norun.rb", "def register\nend\n");
    snprintf(inc, sizeof(inc), "%s", tmpdir);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(impl, sizeof(impl), cases[i].impl, tmpdir);
        ck_assert_int_eq(runner(&out, args), 2);
        ck_assert_msg(strstr(out, "cannot be driven: ") && strstr(out, cases[i].says),
                      "%s: %s", impl, out);
        ck_assert_msg(count_lines(out) == 1 && !strstr(out, "[  1/"), "%s: %s", impl, out);
        free(out);
    }
}
END_TEST

/* The published IO::Async integration is an IO::Async::Notifier that has
 * no loop until $loop->add: perl:Module adds it to one, and perl:FILE.pl
 * runs a set-up file's object; both pass a timer scenario. */
START_TEST(perl_notifier_and_setup_file)
{
    char *out, text[512], inc[600], file[700];
    const char *args[] = { "--impl", NULL, "--perl-inc", inc, "-s", NULL, NULL };

    if (sanitized_runner())
        return;
    scenario_file("EvconfNotifier.pm",
                  "package EvconfNotifier;\nuse IO::Async::Notifier;\n"
                  "use Sys::Virt::Event::IO::Async;\n"
                  "our @ISA = ('IO::Async::Notifier', 'Sys::Virt::Event::IO::Async');\n"
                  "sub new { my $s = Sys::Virt::Event::IO::Async::new(shift);\n"
                  "    delete $s->{loop}; return $s }\n"
                  "sub _add_to_loop { $_[0]{loop} = $_[1] }\n1;\n");
    scenario_file("setup.pl", "use EvconfNotifier;\nmy $impl = EvconfNotifier->new;\n"
                  "IO::Async::Loop->new->add($impl);\n$impl;\n");
    snprintf(inc, sizeof(inc), "%s", tmpdir);
    snprintf(file, sizeof(file), "perl:%s/setup.pl", tmpdir);
    snprintf(text, sizeof(text), HEADER "add-timeout T 50\nrun-until 500\n"
             "expect calls T >= 8\n", "timer");
    args[5] = scenario_file("timer.scn", text);
    args[1] = "perl:EvconfNotifier";
    ck_assert_msg(runner(&out, args) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
    args[1] = file;
    ck_assert_msg(runner(&out, args) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* Ruby's IO.select with a timeout of 0 retries until its clock passes the
 * start: in virtual time the example loop runs all the same (no hang),
 * its timer fires, and the teardown's remove shows ruby-libvirt's glue
 * running the free callback inside remove (R35). */
START_TEST(ruby_runs_in_virtual_time)
{
    char *out, text[512];
    const char *args[] = { "--impl", "ruby:conformance/adapters/ruby/event_test_select.rb",
                           "-s", NULL, "--timeout", "20", NULL };

    if (sanitized_runner())
        return;
    snprintf(text, sizeof(text), HEADER "add-timeout T 1000\nrun-until 2500\n"
             "expect calls T >= 2\n", "rb");
    args[3] = scenario_file("rb.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(!strstr(out, "hang:") && !strstr(out, "spin"), "%s", out);
    ck_assert_msg(strstr(out, "expect ok: expect calls T >= 2"), "%s", out);
    ck_assert_msg(strstr(out, "[MUST R35] the free callback of T ran inside remove_timeout()"),
                  "%s", out);
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
                             python_file_runs_a_loop, python_example_keeps_its_deviations,
                             unusable_integrations_fail_at_load,
                             perl_notifier_and_setup_file, ruby_runs_in_virtual_time,
                             realtime_clock_starts_after_register };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
