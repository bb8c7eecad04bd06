/*
 * test_glue.c - which side of an interpreter binding's C glue a failure
 * is blamed on (conformance/runner/blame.c, docs/bindings-glue.md).  For
 * each interpreter, the same scenario against a module that answers a
 * remove of an unknown id with -1 (its binding's glue gives libvirt
 * something else: the glue is named) and against one that answers it
 * with "removed" (libvirt receives the module's own answer: the module
 * is named).  The modules are the kit's own and conformance/tests/glue/.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* An interpreter, or its libvirt binding, is not installed (probe, a
 * shell command, fails), or the runner is built with a sanitizer (the
 * interpreters are not built for it): skipped, saying which. */
static bool cannot_run(const char *probe, const char *what)
{
    const char *args[] = { "--can-fail-allocations", NULL };
    char *out;
    int rc = runner(&out, args);

    free(out);
    if (rc != 0) {
        test_skip("interpreters under a runner built with a sanitizer");
        return true;
    }
    if (system(probe) != 0) {
        test_skip(what);
        return true;
    }
    return false;
}

/* Two removes of an id no registration has: libvirt must get -1 (R7). */
static const char *unknown_ids(void)
{
    static char text[512];

    snprintf(text, sizeof(text), HEADER "add-timeout T 50\nremove-timeout #999999\n"
             "remove-handle #999999\nrun-until 120\nexpect calls T >= 2\n", "unknown");
    return scenario_file("unknown.scn", text);
}

/* Run impl (with --perl-inc inc if inc) on the scenario; its output. */
static char *run(const char *impl, const char *inc, const char *scn)
{
    const char *args[] = { "--impl", impl, "-s", scn, "--perl-inc", inc, NULL };
    char *out;

    if (!inc)
        args[4] = NULL;
    ck_assert_int_eq(runner(&out, args), 1);
    return out;
}

/* Sys::Virt's _event_remove_timeout calls the Perl method with G_DISCARD
 * and gives libvirt 0: the kit's module answers -1 (the glue is named);
 * EvconfRemoveSays0 answers 0 itself (the module is named). */
START_TEST(perl_remove_blames_glue_or_module)
{
    const char *scn;
    char *out;

    if (cannot_run("perl -MSys::Virt -e 1 2>/dev/null", "perl or Sys::Virt is missing"))
        return;
    scn = unknown_ids();
    out = run("perl:Sys::Virt::Event::IO::Async", NULL, scn);
    ck_assert_msg(strstr(out, "[MUST R7] line 8: remove-timeout #999999 returned 0; expected "
                         "-1 (no live registration has that id); remove_timeout returned "
                         "-1 in Perl; libvirt received 0: Sys::Virt's glue"), "%s", out);
    free(out);
    out = run("perl:EvconfRemoveSays0", "conformance/tests/glue", scn);
    ck_assert_msg(strstr(out, "[MUST R7] line 8: remove-timeout #999999 returned 0; expected "
                         "-1 (no live registration has that id); remove_timeout returned "
                         "0 in Perl: the module"), "%s", out);
    ck_assert_msg(!strstr(out, "Sys::Virt's glue"), "%s", out);
    free(out);
}
END_TEST

/* What Sys::Virt does with a NULL opaque and with a call from another
 * thread: the loop hands the callback on and Virt.xs's helper dies before
 * libvirt's callback (the glue); the loop hands the free callback on and
 * the helper skips it (the glue, R40); a call from a worker thread never
 * reaches perl (the glue, on a line of its own). */
START_TEST(perl_null_opaque_and_threads_blame_glue)
{
    char text[512], *out;
    const char *args[] = { "--impl", "perl:Sys::Virt::Event::IO::Async", "-s", NULL, NULL };

    if (cannot_run("perl -MSys::Virt -e 1 2>/dev/null", "perl or Sys::Virt is missing"))
        return;
    snprintf(text, sizeof(text), HEADER "add-timeout T 0 opaque=null\nrun 2\n", "nullo");
    args[3] = scenario_file("nullo.scn", text);
    runner(&out, args);
    ck_assert_msg(strstr(out, "; the loop handed the timeout_callback of id ") &&
                  strstr(out, " (NULL opaque) to Sys::Virt's glue, which never reached the "
                         "runner's callback: Sys::Virt's glue"), "%s", out);
    free(out);
    snprintf(text, sizeof(text), HEADER "add-timeout T -1 opaque=null\nremove-timeout T\n"
             "run 3\n", "nullff");
    args[3] = scenario_file("nullff.scn", text);
    runner(&out, args);
    ck_assert_msg(strstr(out, "[SHOULD R40] the free callback of T (opaque NULL) never ran") &&
                  strstr(out, "; the loop handed a free callback with a NULL opaque to "
                         "Sys::Virt's glue, which did not call it: Sys::Virt's glue"),
                  "%s", out);
    free(out);
    snprintf(text, sizeof(text), HEADER "at 10 thread: add-timeout T 50\nrun-until 100\n",
             "thr");
    args[3] = scenario_file("thr.scn", text);
    runner(&out, args);
    ck_assert_msg(strstr(out, "[INFO R42] a call from another thread died (line 7: at 10 "
                         "thread: add-timeout T 50); add_timeout never reached Perl on a "
                         "thread other than the loop's: Sys::Virt's glue"), "%s", out);
    free(out);
}
END_TEST

/* libvirt-python's remove wrappers give libvirt 0 for any answer but an
 * exception: libvirtaio answers -1 (the glue is named); remove_says_0.py
 * answers 0 (the module); the example poll loop answers None (the
 * module: no answer the glue could pass on). */
START_TEST(python_remove_blames_glue_or_module)
{
    const char *scn;
    char *out;

    if (cannot_run("/usr/bin/python3 -c 'import libvirt' 2>/dev/null",
                   "Debian's python3 or its libvirt module is missing"))
        return;
    scn = unknown_ids();
    out = run("python-libvirtaio", NULL, scn);
    ck_assert_msg(strstr(out, "remove_timeout returned -1 in Python; libvirt received 0: "
                         "libvirt-python's glue"), "%s", out);
    free(out);
    out = run("python:conformance/tests/glue/remove_says_0.py", NULL, scn);
    ck_assert_msg(strstr(out, "remove-timeout #999999 returned 0; expected -1 (no live "
                         "registration has that id); remove_timeout returned 0 in Python: "
                         "the module"), "%s", out);
    ck_assert_msg(!strstr(out, "libvirt-python's glue"), "%s", out);
    free(out);
    out = run("python:conformance/adapters/python/event_test_poll.py", NULL, scn);
    ck_assert_msg(strstr(out, "remove_timeout returned None in Python; libvirt received 0: "
                         "the module"), "%s", out);
    free(out);
}
END_TEST

/* ruby-libvirt's remove wrappers take nothing but the registration's
 * Hash: the example loop answers nil for an unknown id, the glue raises
 * with no Ruby frame to land in and the process dies (the glue is
 * named); remove_says_hash.rb answers a Hash, which libvirt receives as 0
 * (the module).  An Errno from the example's IO.select fails the iteration
 * with nothing raised through the glue (the module). */
START_TEST(ruby_remove_blames_glue_or_module)
{
    const char *scn;
    char *out;

    if (cannot_run("ruby -e 'require \"libvirt\"' 2>/dev/null",
                   "ruby or ruby-libvirt is missing"))
        return;
    scn = unknown_ids();
    out = run("ruby:conformance/adapters/ruby/event_test_select.rb", NULL, scn);
    ck_assert_msg(strstr(out, "inside remove_timeout() (line 8: remove-timeout #999999); "
                         "expected a failure to come back as a return code; remove_timeout "
                         "returned nil in Ruby; libvirt received nothing: ruby-libvirt's "
                         "glue"), "%s", out);
    free(out);
    out = run("ruby:conformance/tests/glue/remove_says_hash.rb", NULL, scn);
    ck_assert_msg(strstr(out, "remove-timeout #999999 returned 0; expected -1 (no live "
                         "registration has that id); remove_timeout returned a Hash in "
                         "Ruby: the module"), "%s", out);
    free(out);
    out = run("ruby:conformance/adapters/ruby/event_test_select.rb", NULL,
              "conformance/scenarios/loop-transient-wait-failures.scn");
    ck_assert_msg(strstr(out, "evconf_run_once() returned -1 after its wait failed "
                         "(wait-fails), expected 0; no call through ruby-libvirt's glue "
                         "raised in it: the module"), "%s", out);
    free(out);
}
END_TEST

/* A loop in C has no glue: its failures read as before, with no clause. */
START_TEST(c_loops_get_no_clause)
{
    char *out;
    const char *args[] = { "--impl", NULL, "-s", NULL, NULL };
    char path[512];

    snprintf(path, sizeof(path), "%s/broken/libbroken-r7-remove-always-0.so", build_dir());
    args[1] = path;
    args[3] = unknown_ids();
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "remove-timeout #999999 returned 0; expected -1 (no live "
                         "registration has that id)\n"), "%s", out);
    free(out);
}
END_TEST

void add_glue_tests(Suite *s)
{
    const TTest *tests[] = { perl_remove_blames_glue_or_module,
                             perl_null_opaque_and_threads_blame_glue,
                             python_remove_blames_glue_or_module,
                             ruby_remove_blames_glue_or_module, c_loops_get_no_clause };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
