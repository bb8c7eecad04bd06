/*
 * ops.c - libvirt's six operations, and pending, under the sd-event
 * integration's names (sdevent_libvirt_add_handle() and the rest): the
 * names sdevent-libvirt.h declares and sdevent_libvirt_register() hands
 * virEventRegisterImpl().  Each forwards to the core (integrations/core/),
 * whose handles.c and timers.c name the contract rules each keeps.
 */
#include "evcore.h"
#include "sdevent-libvirt.h"

EVC_PUBLIC_OPERATIONS(sdevent_libvirt_)
