/*
 * ops.c - libvirt's six operations, and pending, under the libuv
 * integration's names (libuv_libvirt_add_handle() and the rest): the
 * names libuv-libvirt.h declares and libuv_libvirt_register() hands
 * virEventRegisterImpl().  Each forwards to the core (integrations/core/),
 * whose handles.c and timers.c name the contract rules each keeps.
 */
#include "evcore.h"
#include "libuv-libvirt.h"

EVC_PUBLIC_OPERATIONS(libuv_libvirt_)
