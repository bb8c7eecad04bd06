/*
 * evconf-adapter.c - the libuv integration as an evconf implementation.
 *
 * The conformance ABI (conformance/evconf.h): a libuv loop of its own,
 * served to libvirt by libuv_libvirt_register(); one iteration is one
 * uv_run(UV_RUN_ONCE), which blocks as an application's loop would.
 */
#include "evconf.h"
#include "libuv-libvirt.h"

static uv_loop_t loop;

LIBUV_LIBVIRT_API int evconf_register(void)
{
    if (uv_loop_init(&loop) != 0)
        return -1;
    return libuv_libvirt_register(&loop);
}

/* uv_run() returns whether handles are still active, not an error: it has
 * no failure to report. */
LIBUV_LIBVIRT_API int evconf_run_once(void)
{
    (void)uv_run(&loop, UV_RUN_ONCE);
    return 0;
}

LIBUV_LIBVIRT_API const char *evconf_name(void)
{
    return "libuv integration (integrations/libuv)";
}
