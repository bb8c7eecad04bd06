"""libvirt-python's asyncio integration (libvirtaio) under evconf:
IMPL=python-libvirtaio, which is python:evconf_libvirtaio.

An asyncio loop is created on the runner's loop thread, libvirtaio is
registered on it, and one iteration is one BaseEventLoop._run_once(): one
wait in the selector, then the callbacks that were ready, as in libvirt's
own loops.

A timer of libvirtaio is a task awaiting asyncio.sleep(): the step whose
wait ends at its deadline resolves the sleep, and the next step, which
does not wait, runs the task and calls libvirt's callback.  Both happen at
the same virtual time, so expectations in time hold; an expectation
counted in iterations sees the call one iteration late, and that is
reported.  Counting a waiting step and its follow-up as one iteration was
measured and rejected: the follow-up polls again, so a ready watch is
called twice in one iteration and a 0 ms timer fires twice (15 calls in 8
iterations), which no libvirt loop does.
"""
import asyncio
import threading

import libvirtaio

name = "libvirt-python's asyncio loop (libvirtaio, Debian's CPython)"

_loop = None


def register():
    """Create the loop, make it this thread's running loop (what
    run_forever() would do: asyncio.sleep() asks for it), and register
    libvirtaio on it."""
    global _loop
    _loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loop)
    asyncio.events._set_running_loop(_loop)
    _loop._thread_id = threading.get_ident()
    libvirtaio.virEventRegisterAsyncIOImpl(loop=_loop)


def run_once():
    """One selector step and the callbacks it made ready."""
    _loop._run_once()
