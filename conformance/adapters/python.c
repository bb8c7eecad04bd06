/*
 * python.c - any Python event-loop integration as an implementation under
 * test: IMPL=python:FILE.py or IMPL=python:module.name (EVCONF_PYTHON,
 * set by the runner).  IMPL=python-libvirtaio is python:evconf_libvirtaio,
 * shipped in conformance/adapters/python/.
 *
 * The Python side defines, at module level:
 *
 *   register()   register the loop with libvirt (libvirt.virEventRegisterImpl
 *                or the binding's own helper); called once, on the thread
 *                that will run the iterations, before libvirt is used.
 *   run_once()   run exactly one iteration of the loop, blocking as it
 *                normally would.
 *   name         (optional) a display name for reports.
 *
 * The adapter embeds Debian's CPython (the one python3-libvirt is built
 * for; not necessarily the python3 first on PATH):
 *
 * - Extension modules (libvirtmod) need the interpreter's symbols, which a
 *   shared object loaded RTLD_LOCAL does not export: libpython is loaded
 *   again RTLD_GLOBAL before the interpreter starts.
 * - The GIL is released after register(), so that the runner's other
 *   threads can call libvirt (which takes the GIL for the Python side).
 * - An exception in run_once() is printed (to the trace) and the
 *   iteration returns -1.
 * - evconf_check() imports the file in the runner's load child: a file
 *   that does not load, or lacks register() or run_once(), is one line
 *   before any scenario runs.
 * - Both sides of libvirt-python's glue are observed (glue-log.h,
 *   docs/bindings-glue.md): before the integration loads, the boot code
 *   wraps libvirt.virEventRegisterImpl, so that the six functions the
 *   glue will call are wrapped, and the three functions a loop calls
 *   back (libvirt._eventInvokeHandleCallback, _eventInvokeTimeoutCallback,
 *   virEventInvokeFreeCallback); the wrappers tell the adapter, through
 *   the built-in module _evconf_glue, what each answered.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evconf.h"
#include "glue-log.h"

#ifndef EVCONF_LIBPYTHON
#define EVCONF_LIBPYTHON "libpython3.11.so.1.0"
#endif
#ifndef EVCONF_PYTHON_LIB
#define EVCONF_PYTHON_LIB "conformance/adapters/python"
#endif

static PyObject *module;            /* the integration's module */
static PyObject *step;              /* its run_once */
static char name[256];

/* Loads the integration: a path (it has a '/' or ends in .py) by file,
 * with its directory first on sys.path as for a script; anything else as
 * a module name, the kit's directory (EVCONF_PYTHON_KITLIB) on sys.path. */
static const char boot[] =
    "import importlib, importlib.util, os, sys\n"
    "sys.dont_write_bytecode = True\n"
    "def evconf_load(target, kitlib):\n"
    "    if '/' in target or target.endswith('.py'):\n"
    "        path = os.path.abspath(target)\n"
    "        sys.path.insert(0, os.path.dirname(path))\n"
    "        modname = os.path.splitext(os.path.basename(path))[0]\n"
    "        spec = importlib.util.spec_from_file_location(modname, path)\n"
    "        if spec is None:\n"
    "            raise ImportError(f'{target}: not a Python file')\n"
    "        mod = importlib.util.module_from_spec(spec)\n"
    "        sys.modules[modname] = mod\n"
    "        spec.loader.exec_module(mod)\n"
    "    else:\n"
    "        sys.path.append(kitlib)\n"
    "        mod = importlib.import_module(target)\n"
    "    missing = [f for f in ('register', 'run_once')\n"
    "               if not callable(getattr(mod, f, None))]\n"
    "    if missing:\n"
    "        raise TypeError(f'{target} defines no callable '\n"
    "                        + ' or '.join(m + '()' for m in missing)\n"
    "                        + ': see conformance/adapters/python.c')\n"
    "    return mod\n"
    "def evconf_hook_glue():\n"
    "    try:\n"
    "        import libvirt\n"
    "    except ImportError:\n"
    "        return\n"
    "    import _evconf_glue as g\n"
    "    def number(r):\n"
    "        return isinstance(r, int) and not isinstance(r, bool)\n"
    "    def op_wrapper(op, fn):\n"
    "        def wrapped(*args):\n"
    "            seq = g.enter(op, 0 if op.startswith('add_') else args[0], False)\n"
    "            try:\n"
    "                r = fn(*args)\n"
    "            except BaseException as e:\n"
    "                g.leave(seq, False, 0, f'raised {type(e).__name__}: {e}')\n"
    "                raise\n"
    "            g.leave(seq, number(r), r if number(r) else 0, repr(r))\n"
    "            return r\n"
    "        return wrapped\n"
    "    ops = ('add_handle', 'update_handle', 'remove_handle',\n"
    "           'add_timeout', 'update_timeout', 'remove_timeout')\n"
    "    register = libvirt.virEventRegisterImpl\n"
    "    def register_observed(*fns):\n"
    "        return register(*[op_wrapper(o, f) if callable(f) else f\n"
    "                          for o, f in zip(ops, fns)])\n"
    "    libvirt.virEventRegisterImpl = register_observed\n"
    "    def null(opaque):\n"
    "        return isinstance(opaque, tuple) and len(opaque) > 1 and opaque[1] is None\n"
    "    def helper(op, fn, id_at, opaque_at):\n"
    "        def wrapped(*args, **kw):\n"
    "            opaque = args[opaque_at] if len(args) > opaque_at else None\n"
    "            seq = g.enter(op, args[id_at] if id_at >= 0 else 0, null(opaque))\n"
    "            r = fn(*args, **kw)\n"
    "            g.leave(seq, False, 0, 'returned')\n"
    "            return r\n"
    "        return wrapped\n"
    "    libvirt._eventInvokeHandleCallback = helper('handle_callback',\n"
    "        libvirt._eventInvokeHandleCallback, 0, 3)\n"
    "    libvirt._eventInvokeTimeoutCallback = helper('timeout_callback',\n"
    "        libvirt._eventInvokeTimeoutCallback, 0, 1)\n"
    "    libvirt.virEventInvokeFreeCallback = helper('free_callback',\n"
    "        libvirt.virEventInvokeFreeCallback, -1, 0)\n";

/* _evconf_glue.enter(op, id, null_opaque): a call crossing the glue
 * begins; its number (glue-log.h). */
static PyObject *glue_enter(PyObject *self, PyObject *args)
{
    const char *op;
    int id, null_opaque;

    (void)self;
    if (!PyArg_ParseTuple(args, "sip", &op, &id, &null_opaque))
        return NULL;
    return PyLong_FromUnsignedLong(glue_log_enter(op, id, null_opaque));
}

/* _evconf_glue.leave(seq, has_value, value, said): what it answered. */
static PyObject *glue_leave(PyObject *self, PyObject *args)
{
    unsigned long seq;
    int has_value;
    long value;
    const char *said;

    (void)self;
    if (!PyArg_ParseTuple(args, "kpls", &seq, &has_value, &value, &said))
        return NULL;
    glue_log_leave(seq, has_value, value, said);
    Py_RETURN_NONE;
}

static PyMethodDef glue_methods[] = {
    { "enter", glue_enter, METH_VARARGS, NULL },
    { "leave", glue_leave, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef glue_module = {
    PyModuleDef_HEAD_INIT, "_evconf_glue", NULL, -1, glue_methods,
    NULL, NULL, NULL, NULL,
};

static PyObject *glue_init(void)
{
    return PyModule_Create(&glue_module);
}

/* The kit's Python directory: beside this adapter once installed
 * (PREFIX/lib/evconf/adapters/python), else in the source tree. */
static const char *kit_lib(void)
{
    static char path[4096];
    Dl_info info;
    struct stat st;

    if (dladdr((void *)kit_lib, &info) && info.dli_fname && strrchr(info.dli_fname, '/')) {
        snprintf(path, sizeof(path), "%.*s/python",
                 (int)(strrchr(info.dli_fname, '/') - info.dli_fname), info.dli_fname);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return path;
    }
    return EVCONF_PYTHON_LIB;
}

/* One line from the pending exception: "Type: message". */
static void exception_line(char *buf, size_t len)
{
    PyObject *type, *exc, *tb, *text;
    const char *s;

    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    text = exc ? PyObject_Str(exc) : NULL;
    s = text ? PyUnicode_AsUTF8(text) : NULL;

    snprintf(buf, len, "%s: %s", exc ? Py_TYPE(exc)->tp_name : "error", s ? s : "?");
    for (char *c = buf; *c; c++)
        if (*c == '\n')
            *c = ' ';
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(exc);
    Py_XDECREF(tb);
    PyErr_Clear();
}

/* Start the interpreter and load the integration; on failure, why in
 * err (one line) and -1. */
static int load(char *err, size_t errlen)
{
    const char *target = getenv("EVCONF_PYTHON");
    PyObject *main_module, *globals, *fn, *nm;

    if (!target || !*target) {
        snprintf(err, errlen, "no Python integration named (IMPL=python:FILE.py)");
        return -1;
    }
    if (!dlopen(EVCONF_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) &&
        !dlopen(EVCONF_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL)) {
        snprintf(err, errlen, "cannot load %s: %s", EVCONF_LIBPYTHON, dlerror());
        return -1;
    }
    glue_log_init("Python", "libvirt-python's glue", false);
    PyImport_AppendInittab("_evconf_glue", glue_init);
    Py_InitializeEx(0);
    main_module = PyImport_AddModule("__main__");
    globals = main_module ? PyModule_GetDict(main_module) : NULL;
    if (!globals || PyRun_SimpleString(boot) != 0 ||
        PyRun_SimpleString("evconf_hook_glue()\n") != 0 ||
        !(fn = PyDict_GetItemString(globals, "evconf_load"))) {
        snprintf(err, errlen, "the embedded Python cannot start");
        return -1;
    }
    module = PyObject_CallFunction(fn, "ss", target, kit_lib());
    if (!module) {
        exception_line(err, errlen);
        return -1;
    }
    step = PyObject_GetAttrString(module, "run_once");
    nm = PyObject_GetAttrString(module, "name");
    snprintf(name, sizeof(name), "%s", nm && PyUnicode_Check(nm) ? PyUnicode_AsUTF8(nm)
             : target);
    Py_XDECREF(nm);
    PyErr_Clear();
    return 0;
}

const char *evconf_check(void)
{
    static char err[512];

    return load(err, sizeof(err)) < 0 ? err : NULL;
}

int evconf_register(void)
{
    char err[512];
    PyObject *r;

    if (load(err, sizeof(err)) < 0) {
        fprintf(stderr, "python: %s\n", err);
        return -1;
    }
    r = PyObject_CallMethod(module, "register", NULL);
    if (!r) {
        PyErr_Print();
        return -1;
    }
    Py_DECREF(r);
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
    return name[0] ? name : "a Python integration (python:FILE.py)";
}
