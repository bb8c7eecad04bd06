"""libvirtaio, as IMPL=python-libvirtaio runs it, with removes that
answer 0 for any id, known or not: a module that is itself wrong (R7),
for the test that the blame clause then names the module, not
libvirt-python's glue (conformance/tests/test_glue.c,
docs/bindings-glue.md)."""
import asyncio
import threading

import libvirtaio

name = "libvirtaio whose removes answer 0"

_loop = None


def _answers_0(remove):
    def wrapped(self, iden):
        remove(self, iden)
        return 0
    return wrapped


libvirtaio.virEventAsyncIOImpl._remove_handle = _answers_0(
    libvirtaio.virEventAsyncIOImpl._remove_handle)
libvirtaio.virEventAsyncIOImpl._remove_timeout = _answers_0(
    libvirtaio.virEventAsyncIOImpl._remove_timeout)


def register():
    """As conformance/adapters/python/evconf_libvirtaio.py does."""
    global _loop
    _loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loop)
    asyncio.events._set_running_loop(_loop)
    _loop._thread_id = threading.get_ident()
    libvirtaio.virEventRegisterAsyncIOImpl(loop=_loop)


def run_once():
    _loop._run_once()
