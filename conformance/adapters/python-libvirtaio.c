/*
 * python-libvirtaio.c - libvirt-python's asyncio integration (libvirtaio)
 * as an implementation under test: IMPL=python-libvirtaio.
 *
 * The adapter embeds Debian's CPython (the interpreter python3-libvirt is
 * built for), creates an asyncio loop on the runner's loop thread,
 * registers libvirtaio on it, and runs the loop one step at a time.
 *
 * - Extension modules (libvirtmod) need the interpreter's symbols, which a
 *   shared object loaded RTLD_LOCAL does not export: libpython is loaded
 *   again RTLD_GLOBAL before the interpreter starts.
 * - The GIL is released after registering, so that the runner's other
 *   threads can call libvirt (which takes the GIL for the Python side).
 * - One iteration is one BaseEventLoop._run_once(): one wait in the
 *   selector, then the callbacks that were ready, as in libvirt's own
 *   loops.  A timer of libvirtaio is a task awaiting asyncio.sleep(): the
 *   step whose wait ends at its deadline resolves the sleep, and the next
 *   step, which does not wait, runs the task and calls libvirt's callback.
 *   Both happen at the same virtual time, so expectations in time hold; an
 *   expectation counted in iterations sees the call one iteration late,
 *   and that is reported.  Counting a waiting step and its follow-up as one
 *   iteration was measured and rejected: the follow-up polls again, so a
 *   ready watch is called twice in one iteration and a 0 ms timer fires
 *   twice (15 calls in 8 iterations), which no libvirt loop does.
 * - A Python exception in a step is printed (to the trace) and the
 *   iteration returns -1.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>

#include "evconf.h"

#ifndef EVCONF_LIBPYTHON
#define EVCONF_LIBPYTHON "libpython3.11.so.1.0"
#endif

static PyObject *step;              /* the loop's bound _run_once */

static const char setup[] =
    "import asyncio, libvirt, libvirtaio\n"
    "evconf_loop = asyncio.new_event_loop()\n"
    "asyncio.set_event_loop(evconf_loop)\n"
    /* What run_forever() would set up: the running loop of this thread
     * (asyncio.sleep() asks for it) and the loop's own thread. */
    "asyncio.events._set_running_loop(evconf_loop)\n"
    "import threading\n"
    "evconf_loop._thread_id = threading.get_ident()\n"
    "libvirtaio.virEventRegisterAsyncIOImpl(loop=evconf_loop)\n"
    "evconf_step = evconf_loop._run_once\n";

int evconf_register(void)
{
    PyObject *main_module, *globals;

    if (!dlopen(EVCONF_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) &&
        !dlopen(EVCONF_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL))
        return -1;
    Py_InitializeEx(0);
    if (PyRun_SimpleString(setup) != 0)
        return -1;
    main_module = PyImport_AddModule("__main__");
    globals = main_module ? PyModule_GetDict(main_module) : NULL;
    step = globals ? PyDict_GetItemString(globals, "evconf_step") : NULL;
    if (!step)
        return -1;
    Py_INCREF(step);
    PyEval_SaveThread();            /* the GIL, for the other threads */
    return 0;
}

int evconf_run_once(void)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *r = PyObject_CallNoArgs(step);
    int rc = 0;

    if (!r) {
        PyErr_Print();
        rc = -1;
    }
    Py_XDECREF(r);
    PyGILState_Release(gil);
    return rc;
}

const char *evconf_name(void)
{
    return "libvirt-python's asyncio loop (libvirtaio, Debian's CPython)";
}
