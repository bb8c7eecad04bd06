/*
 * test_register.c - R1-R3: handing the loop to libvirt, and the
 * conformance ABI.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "support.h"

/* R1, R3: after evref_register(), libvirt's public API reaches this loop:
 * all six operations, with their return values passed through (R7). */
START_TEST(public_api_reaches_the_loop)
{
    int fds[2], h, t;

    ck_assert_int_eq(evref_register(), 0);
    make_pipe(fds);
    write_byte(fds[1]);
    h = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                          TAG(1), rec_ff);
    t = virEventAddTimeout(-1, rec_timer_cb, TAG(2), rec_ff);
    ck_assert_int_eq(h, 1);
    ck_assert_int_eq(t, 1);
    virEventUpdateTimeout(t, 0);
    vt_run_once();
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 1);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
    virEventUpdateHandle(h, 0);
    ck_assert_int_eq(virEventRemoveHandle(h), 0);
    ck_assert_int_eq(virEventRemoveTimeout(t), 0);
    ck_assert_int_eq(virEventRemoveHandle(h), -1);
    ck_assert_int_eq(virEventRemoveTimeout(t), -1);
    vt_run_once();
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    ck_assert_int_eq(rec_count_free(TAG(2)), 1);
}
END_TEST

/* R1: the first registration wins.  A later virEventRegisterDefaultImpl()
 * must not take calls away from this loop. */
START_TEST(first_registration_wins)
{
    int t;

    ck_assert_int_eq(evref_register(), 0);
    virEventRegisterDefaultImpl();
    t = virEventAddTimeout(0, rec_timer_cb, NULL, NULL);
    ck_assert_int_eq(t, 1);
    vt_run_once();
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
}
END_TEST

/* libevref is the loop alone: it must not define the conformance ABI, or
 * a program that links it and defines its own adapter fails to link.  The
 * ABI lives in the reference's shim, which the runner loads. */
START_TEST(library_is_the_loop_alone)
{
    const char *build = getenv("EVCONF_BUILD");
    char path[4096];
    void *lib, *shim;

    if (!build)
        build = "build";
    snprintf(path, sizeof(path), "%s/libevref.so", build);
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(lib, "cannot load %s: %s", path, dlerror());
    ck_assert_ptr_nonnull(dlsym(lib, "evref_register"));
    ck_assert_msg(!dlsym(lib, "evconf_register") && !dlsym(lib, "evconf_run_once") &&
                  !dlsym(lib, "evconf_name"),
                  "%s defines the conformance ABI; expected the loop alone", path);
    snprintf(path, sizeof(path), "%s/adapters/libevconf-reference.so", build);
    shim = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(shim, "cannot load %s: %s", path, dlerror());
    ck_assert_ptr_nonnull(dlsym(shim, "evconf_register"));
    ck_assert_ptr_nonnull(dlsym(shim, "evconf_run_once"));
    ck_assert_ptr_nonnull(strstr(((const char *(*)(void))dlsym(shim, "evconf_name"))(),
                                 "reference"));
    dlclose(shim);
    dlclose(lib);
}
END_TEST

Suite *register_suite(void)
{
    Suite *s = suite_create("register");

    add_test(s, public_api_reaches_the_loop);
    add_test(s, first_registration_wins);
    add_test(s, library_is_the_loop_alone);
    return s;
}
