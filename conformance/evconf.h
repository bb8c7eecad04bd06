/*
 * evconf.h - the ABI an implementation under test exports.
 *
 * The conformance runner (`evconf-run --impl ./libfoo.so`) loads your
 * event-loop integration as a shared object and looks up these symbols:
 *
 *   int evconf_register(void);
 *       Register your loop's six callbacks with virEventRegisterImpl()
 *       (or call whatever your binding's "register" is).  Return 0, or -1
 *       if the loop cannot be set up.  Called once per scenario, in a fresh
 *       process, before anything else touches libvirt.
 *
 *   int evconf_run_once(void);
 *       Run exactly one iteration of your loop, blocking as it normally
 *       would (the runner's virtual clock makes the blocking instant).
 *       Return 0, or -1 on error.
 *
 *   Threads: evconf_register() and evconf_run_once() may be called on
 *   different threads, and the thread that registered is then not the
 *   loop thread.  `evconf-run --stress` does this, as libvirt's own users
 *   do (virsh registers the default loop on its main thread and runs it
 *   on a thread of its own): it calls evconf_register() on the process's
 *   first thread, then evconf_run_once() over and over on a loop thread
 *   it starts, while worker threads add, update and remove registrations
 *   (R42, R43 in docs/contract.md).  So nothing evconf_register() sets up
 *   may belong to the thread that called it: no thread-local state the
 *   loop thread reads, no loop bound to "the current thread" (a GLib
 *   main context pushed as thread-default, an asyncio loop got with
 *   get_event_loop() on the registering thread), no lock taken there and
 *   released by the loop.  In a scenario both are called on the same
 *   thread, one after the other.  A --stress failure names the thread
 *   that saw it and gives each thread's id (registering, loop, workers)
 *   with the last events of the run, each with the thread that made it.
 *
 *   const char *evconf_name(void);          (optional)
 *       A display name for reports.
 *
 *   const char *evconf_check(void);         (optional)
 *       Asked once, in a process of its own, before any scenario: NULL if
 *       the loop can be driven, else why not, in one line; the run then
 *       stops with that line (exit status 2).  The interpreters' adapters
 *       load the user's file or module here and check what they will drive.
 *
 * The runner calls libvirt's public API (virEventAddHandle() and friends)
 * and lets libvirt route the calls to your callbacks, exactly as libvirt
 * itself does.  Each scenario runs in its own process in virtual time: the
 * runner provides clock_gettime, gettimeofday, time, poll, ppoll, select,
 * pselect, epoll_wait and epoll_pwait, and timerfds that expire in virtual
 * time, so your loop needs no changes to run an hour of timers in
 * milliseconds.
 *
 * A complete adapter for a loop with register/iterate functions of its own
 * (libvirt's default loop, as in conformance/adapters/libvirt-default.c):
 *
 *     #include <libvirt/libvirt.h>
 *     #include "evconf.h"
 *
 *     int evconf_register(void)
 *     {
 *         return virEventRegisterDefaultImpl();
 *     }
 *
 *     int evconf_run_once(void)
 *     {
 *         return virEventRunDefaultImpl();
 *     }
 *
 *     const char *evconf_name(void)
 *     {
 *         return "libvirt default event loop";
 *     }
 *
 * Build it as a shared object and run the suite against it:
 *
 *     cc -shared -fPIC -o libmyloop.so myloop.c $(pkg-config --libs libvirt)
 *     evconf-run --impl ./libmyloop.so
 *
 * A loop in another language (Python's asyncio, Perl's IO::Async...) is
 * adapted the same way: embed the interpreter in the shared object, let
 * evconf_register() import the binding and register it, and let
 * evconf_run_once() run one step of the interpreter's loop.
 */
#ifndef EVCONF_H
#define EVCONF_H

#ifdef __cplusplus
extern "C" {
#endif

int evconf_register(void);
int evconf_run_once(void);
const char *evconf_name(void);
const char *evconf_check(void);

/*
 *   const struct evconf_glue *evconf_glue(void);   (optional)
 *       For adapters that embed an interpreter: what the interpreter's
 *       side of the binding saw, so that a failure can say which side of
 *       the binding's C glue deviated (docs/bindings-glue.md).  The
 *       adapter records each call the glue made into the interpreter (the
 *       six operations, as the user's methods answered them) and each call
 *       the user's loop made back into the glue's callback helpers; the
 *       runner compares them with what libvirt received and what reached
 *       its own callbacks.
 */
#define EVCONF_GLUE_OP_LEN 24
#define EVCONF_GLUE_SAID_LEN 48

struct evconf_glue_call {
    unsigned long seq;          /* 1, 2, ... in the order the calls began */
    char op[EVCONF_GLUE_OP_LEN]; /* "remove_handle" ... "update_timeout",
                                   "handle_callback", "timeout_callback",
                                   "free_callback" */
    int id;                     /* the id given, or the one an add returned */
    int null_opaque;            /* a callback helper given no opaque */
    int returned;               /* the interpreter's call came back */
    int has_value;              /* ... with an answer that means value */
    long value;                 /* an id, 0 or -1, as the glue should read it */
    char said[EVCONF_GLUE_SAID_LEN]; /* the answer in the interpreter's words */
    unsigned long thread;       /* pthread_self() of the call */
};

struct evconf_glue {
    const char *language;       /* "Perl" */
    const char *glue;           /* "Sys::Virt's glue" */
    int frees_itself;           /* the glue runs free callbacks itself: a
                                   loop hands none over (ruby-libvirt) */
    /* The first call of op (any op if NULL) with id *id (any id if id
     * is NULL) begun after call number after: 1 and *out filled in, else
     * 0 (a caller walks on with after = out->seq).  Reads memory only:
     * safe in a signal handler. */
    int (*find)(unsigned long after, const char *op, const int *id,
                struct evconf_glue_call *out);
    unsigned long (*last)(void);        /* the number of the latest call */
};
const struct evconf_glue *evconf_glue(void);

typedef int (*evconf_register_fn)(void);
typedef int (*evconf_run_once_fn)(void);
typedef const char *(*evconf_name_fn)(void);
typedef const char *(*evconf_check_fn)(void);
typedef const struct evconf_glue *(*evconf_glue_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* EVCONF_H */
