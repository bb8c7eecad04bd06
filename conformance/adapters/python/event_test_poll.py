"""A pure-Python poll(2) loop in the style of libvirt-python's
examples/event-test.py (its default "poll" loop), as an example of
IMPL=python:FILE.py:

    evconf-run --impl python:conformance/adapters/python/event_test_poll.py

Written for the kit from that example's observable behaviour, which it
keeps on purpose, deviations included, so that the kit's verdicts on it
are the verdicts on the example.  conformance/expectations/
python-event-test-poll.expect names each deviation:

- a timer's last firing starts at 0 (the epoch), so a new timer is due at
  once, whatever its period;
- "no timer due" is told by a next deadline of 0, so a fresh 0 ms timer
  (due at 0 + 0) reads as no timer, and the loop blocks;
- timers are dispatched up to 20 ms before they are due;
- the wait is computed in seconds and handed to poll(), which takes
  milliseconds: while a timer is pending the loop wakes every millisecond
  or so;
- one poll registration per fd: a second watch on an fd replaces the
  first's events, and a ready fd is dispatched to the first watch found
  for it;
- a watch of no events still gets HANGUP and ERROR from poll();
- remove returns nothing (libvirt-python's glue returns 0 for it), even
  for an unknown id;
- a timer removed by a callback may still be dispatched in the same
  iteration (the iteration walks the list it started with);
- free callbacks run at the start of the next iteration.
"""
import errno
import os
import select
import time

import libvirt

name = "event-test.py's pure-Python poll loop (an example, in Debian's CPython)"

# libvirt's event bits and poll's, both ways.
_TO_POLL = ((libvirt.VIR_EVENT_HANDLE_READABLE, select.POLLIN),
            (libvirt.VIR_EVENT_HANDLE_WRITABLE, select.POLLOUT),
            (libvirt.VIR_EVENT_HANDLE_ERROR, select.POLLERR),
            (libvirt.VIR_EVENT_HANDLE_HANGUP, select.POLLHUP))
_FROM_POLL = ((select.POLLIN, libvirt.VIR_EVENT_HANDLE_READABLE),
              (select.POLLOUT, libvirt.VIR_EVENT_HANDLE_WRITABLE),
              (select.POLLERR | select.POLLNVAL, libvirt.VIR_EVENT_HANDLE_ERROR),
              (select.POLLHUP, libvirt.VIR_EVENT_HANDLE_HANGUP))


def _convert(mask, table):
    out = 0
    for have, give in table:
        if mask & have:
            out |= give
    return out


def _now_ms():
    return int(time.time() * 1000)


class Watch:
    def __init__(self, ident, fd, events, cb, opaque):
        self.ident, self.fd, self.events = ident, fd, events
        self.cb, self.opaque = cb, opaque


class Timer:
    def __init__(self, ident, period, cb, opaque):
        self.ident, self.period = ident, period
        self.cb, self.opaque = cb, opaque
        self.fired = 0                  # never: the epoch


class PollLoop:
    def __init__(self):
        self.poller = select.poll()
        self.wake_r, self.wake_w = os.pipe()
        self.poller.register(self.wake_r, select.POLLIN)
        self.watches = []
        self.timers = []
        self.last_ids = {Watch: 1, Timer: 1}    # each kind's first id is 2
        self.frees = []
        self.polling = False
        self.woken = False

    def _new_id(self, kind):
        self.last_ids[kind] += 1
        return self.last_ids[kind]

    def _wake(self):
        if self.polling and not self.woken:
            self.woken = True
            os.write(self.wake_w, b'w')

    def _deadline(self):
        """The earliest due time of an enabled timer, 0 if none."""
        due = [t.fired + t.period for t in self.timers if t.period >= 0]
        return min(due) if due else 0

    def run_once(self):
        self.polling = True
        for opaque in self.frees:
            libvirt.virEventInvokeFreeCallback(opaque)
        self.frees = []
        try:
            self._iterate()
        except OSError as e:
            if e.errno != errno.EINTR:
                raise
        finally:
            self.polling = False

    def _iterate(self):
        wait = -1
        deadline = self._deadline()
        if deadline > 0:
            now = _now_ms()
            wait = 0 if now >= deadline else (deadline - now) / 1000.0
        for fd, revents in self.poller.poll(wait):
            if fd == self.wake_r:
                self.woken = False
                os.read(fd, 1)
                continue
            watch = next((w for w in self.watches if w.fd == fd), None)
            if watch:
                watch.cb(watch.ident, fd, _convert(revents, _FROM_POLL), watch.opaque)
        now = _now_ms()
        for timer in self.timers:
            if timer.period >= 0 and now >= timer.fired + timer.period - 20:
                timer.fired = now
                timer.cb(timer.ident, timer.opaque)

    def add_handle(self, fd, events, cb, opaque):
        watch = Watch(self._new_id(Watch), fd, events, cb, opaque)
        self.watches.append(watch)
        self.poller.register(fd, _convert(events, _TO_POLL))
        self._wake()
        return watch.ident

    def update_handle(self, ident, events):
        for watch in self.watches:
            if watch.ident == ident:
                watch.events = events
                self.poller.unregister(watch.fd)
                self.poller.register(watch.fd, _convert(events, _TO_POLL))
                self._wake()
                return

    def remove_handle(self, ident):
        for watch in [w for w in self.watches if w.ident == ident]:
            self.poller.unregister(watch.fd)
            self.frees.append(watch.opaque)
        self.watches = [w for w in self.watches if w.ident != ident]
        self._wake()

    def add_timeout(self, period, cb, opaque):
        timer = Timer(self._new_id(Timer), period, cb, opaque)
        self.timers.append(timer)
        self._wake()
        return timer.ident

    def update_timeout(self, ident, period):
        for timer in self.timers:
            if timer.ident == ident:
                timer.period = period
                self._wake()
                return

    def remove_timeout(self, ident):
        self.frees.extend(t.opaque for t in self.timers if t.ident == ident)
        self.timers = [t for t in self.timers if t.ident != ident]
        self._wake()


_loop = None


def register():
    global _loop
    _loop = PollLoop()
    libvirt.virEventRegisterImpl(_loop.add_handle, _loop.update_handle,
                                 _loop.remove_handle, _loop.add_timeout,
                                 _loop.update_timeout, _loop.remove_timeout)


def run_once():
    _loop.run_once()
