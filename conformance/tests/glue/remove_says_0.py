"""libvirtaio, as IMPL=python-libvirtaio runs it, with removes that
answer 0 for any id, known or not: a module that is itself wrong (R7),
for the test that the blame clause then names the module, not
libvirt-python's glue (conformance/tests/test_glue.c,
docs/bindings-glue.md).

The kit's adapter (conformance/adapters/python/evconf_libvirtaio.py)
registers and runs the loop; only libvirtaio's two removes are patched,
before it registers."""
import os
import sys

import libvirtaio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "adapters", "python"))
import evconf_libvirtaio  # noqa: E402  (the kit's adapter, found above)

name = "libvirtaio whose removes answer 0"


def _answers_0(remove):
    def wrapped(self, iden):
        remove(self, iden)
        return 0
    return wrapped


libvirtaio.virEventAsyncIOImpl._remove_handle = _answers_0(
    libvirtaio.virEventAsyncIOImpl._remove_handle)
libvirtaio.virEventAsyncIOImpl._remove_timeout = _answers_0(
    libvirtaio.virEventAsyncIOImpl._remove_timeout)

register = evconf_libvirtaio.register
run_once = evconf_libvirtaio.run_once
