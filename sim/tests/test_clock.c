/*
 * test_clock.c - an hour of timers in virtual time, through the reference's
 * seam and through libvirt's own loop (interposed), with the clock exact at
 * every firing.
 */
#include <stdio.h>
#include <time.h>

#include "suites.h"
#include "support.h"

#define HOUR_MS INT64_C(3600000)

static int64_t fired_at_ns[16];
static int nfired;

static void hourly_cb(int timer, void *opaque)
{
    if (nfired < 16)
        fired_at_ns[nfired] = sim_now_ns();
    nfired++;
    traced_timer_cb(timer, opaque);
}

static double wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);   /* real: no simulation active */
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A 1-hour periodic timer fires 10 times, at exactly k hours of virtual
 * time each, and the 10 hours take a few milliseconds of wall time.  The
 * wall time is printed as a figure; the assertion only separates virtual
 * from real time (real time would take 10 hours). */
static void ten_hours(const struct loop *l)
{
    double t0, elapsed;
    int t;

    nfired = 0;
    t0 = wall_ms();
    start_loop(l, 1);
    t = virEventAddTimeout((int)HOUR_MS, hourly_cb, TAG(1), NULL);
    ck_assert_int_ge(t, 0);
    for (int i = 0; i < 100 && nfired < 10 && sim_verdict() == SIM_OK; i++)
        run_iterations(l, 1);
    sim_stop();
    elapsed = wall_ms() - t0;
    ck_assert_msg(sim_verdict() == SIM_OK, "%s: %s", l->name, sim_verdict_detail());
    ck_assert_int_eq(nfired, 10);
    for (int k = 0; k < 10; k++)
        ck_assert_msg(fired_at_ns[k] == (k + 1) * HOUR_MS * SIM_NS_PER_MS,
                      "%s: firing %d at %lld ns, expected %lld", l->name, k + 1,
                      (long long)fired_at_ns[k],
                      (long long)((k + 1) * HOUR_MS * SIM_NS_PER_MS));
    printf("%s: 10 hours of a 1-hour timer in %.2f ms of wall time\n",
           l->name, elapsed);
    ck_assert_msg(elapsed < 5000, "%s: %.0f ms of wall time", l->name, elapsed);
}

START_TEST(hour_timer_reference)
{
    ten_hours(&reference_seam);
}
END_TEST

START_TEST(hour_timer_libvirt_default)
{
    ten_hours(&libvirt_default);
}
END_TEST

/* The reference loaded as a shared object runs through interposition just
 * as well as through its seam. */
START_TEST(hour_timer_reference_interposed)
{
    struct loop l = load_loop("adapters/libevconf-reference.so");

    ten_hours(&l);
}
END_TEST

/* sim_sleep_ms moves the clock and runs what it passes. */
static int slept_events;
static void count_event(void *arg)
{
    (void)arg;
    slept_events++;
}

START_TEST(sleep_runs_events_on_the_way)
{
    sim_start(1);
    sim_at(10, count_event, NULL, "e10");
    sim_at(30, count_event, NULL, "e30");
    sim_at(50, count_event, NULL, "e50");
    sim_sleep_ms(40);
    ck_assert_int_eq(slept_events, 2);
    ck_assert_int_eq(sim_now_ns(), 40 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

Suite *clock_suite(void)
{
    Suite *s = suite_create("clock");

    add_test(s, hour_timer_reference);
    add_test(s, hour_timer_libvirt_default);
    add_test(s, hour_timer_reference_interposed);
    add_test(s, sleep_runs_events_on_the_way);
    return s;
}
