package Sys::Virt::Event::IO::Async;

# An integration of libvirt's event loop contract (Sys::Virt::Event) into
# an IO::Async loop.  The contract, rule by rule, is docs/contract.md; the
# comments below name the rules each piece keeps.

use strict;
use warnings;

use parent 'Sys::Virt::Event';

use IO::Async::Loop;
use IO::Poll qw(POLLIN POLLOUT POLLERR POLLHUP POLLNVAL);
use Log::Any qw($log);

our $VERSION = '0.1';

# A file descriptor as IO::Async sees it: only its number.  A Perl
# filehandle opened on the number would close it when it goes away, and
# IO::Async sets O_NONBLOCK on a handle that says it blocks; libvirt owns
# the fd and its flags (R17), so this one says it does not.
package Sys::Virt::Event::IO::Async::Fd {
    sub new { my ($class, $fd) = @_; return bless { fd => $fd }, $class }
    sub fileno { return $_[0]{fd} }
    sub blocking { return 0 }
}

use constant {
    READABLE => Sys::Virt::Event::HANDLE_READABLE(),
    WRITABLE => Sys::Virt::Event::HANDLE_WRITABLE(),
    ERROR    => Sys::Virt::Event::HANDLE_ERROR(),
    HANGUP   => Sys::Virt::Event::HANDLE_HANGUP(),
};

sub new {
    my ($class, @args) = @_;
    # new($loop) as in the synopsis, or new(loop => $loop).
    my %args = @args == 1 ? (loop => $args[0]) : @args;
    my $self = bless {
        loop     => $args{loop} // IO::Async::Loop->new,
        handles  => {},     # watch id => registration
        timers   => {},     # timer id => registration
        next_handle => 1,   # ids start at 1: libvirt takes 0 as none (R4)
        next_timer  => 1,   # and the two kinds count apart (R6)
        fds      => {},     # fd => { watches => { id => 1 }, watching => mask }
        iteration   => 0,   # run_once calls so far
        dispatching => 0,   # inside run_once
        served   => {},     # fd => the iteration its watches were called in
    }, $class;
    $log->debugf('new loop %s', ref $self->{loop});
    return $self;
}

sub loop { return $_[0]{loop} }

# One iteration: wait for what is due or ready, and dispatch it.
sub run_once {
    my ($self) = @_;
    $self->{iteration}++;
    local $self->{dispatching} = 1;
    $self->{loop}->loop_once(undef);
    $self->_closed_behind();
    return 0;
}

# IO::Async's poll loop ignores POLLNVAL: a watched fd closed behind the
# loop's back would never be reported.  Its watches get ERROR (R18).
sub _closed_behind {
    my ($self) = @_;
    my @poll = map { ($_, 0) } grep { $self->{fds}{$_}{watching} } keys %{ $self->{fds} };
    return unless @poll && IO::Poll::_poll(0, @poll) > 0;
    for (my $i = 0; $i < @poll; $i += 2) {
        $self->_ready($poll[$i]) if $poll[$i + 1] & POLLNVAL;
    }
}

# Added or enabled by a callback of this iteration: it first runs in the
# next one (R30), since what made the loop wake predates it.
sub _new_this_iteration {
    my ($self, $reg) = @_;
    return $reg->{enabled_in} && $reg->{enabled_in} == $self->{iteration};
}

sub _enabled {
    my ($self, $reg) = @_;
    $reg->{enabled_in} = $self->{dispatching} ? $self->{iteration} : 0;
}

# ---- handles ----

# What IO::Async must watch an fd for: the union of its enabled watches.
# A watch that asks for anything also gets hang-ups (R11).
sub _rewatch {
    my ($self, $fd) = @_;
    my $entry = $self->{fds}{$fd};
    my $want = 0;
    $want |= $self->{handles}{$_}{events} for keys %{ $entry->{watches} };
    my $loop = $self->{loop};
    if ($entry->{watching}) {
        $loop->unwatch_io(handle => $entry->{handle}, on_read_ready => 1,
                          on_write_ready => 1, on_hangup => 1);
        $entry->{watching} = 0;
    }
    if (!%{ $entry->{watches} }) {
        delete $self->{fds}{$fd};
        return;
    }
    return unless $want;
    my %watch = (handle => $entry->{handle}, on_hangup => sub { $self->_ready($fd) });
    $watch{on_read_ready} = sub { $self->_ready($fd) } if $want & READABLE;
    $watch{on_write_ready} = sub { $self->_ready($fd) } if $want & WRITABLE;
    $loop->watch_io(%watch);
    $entry->{watching} = $want;
}

# The fd is ready: IO::Async says for reading, writing or a hang-up, one
# callback each, without the rest of what poll(2) said.  The fd's watches
# are served once per iteration (R13), with what the fd has now, asked for
# again with a poll(2) that does not wait: every bit at once, HANGUP and
# ERROR included (R11), and ERROR for an fd closed behind the loop's back
# (POLLNVAL, R18).  Each watch is looked up again here: one removed or
# disabled by an earlier callback is not called (R29, R31).
sub _ready {
    my ($self, $fd) = @_;
    my $entry = $self->{fds}{$fd} or return;
    return if ($self->{served}{$fd} // -1) == $self->{iteration};
    $self->{served}{$fd} = $self->{iteration};
    my @poll = ($fd, POLLIN | POLLOUT);
    IO::Poll::_poll(0, @poll);
    my $rev = $poll[1];
    my $any = ($rev & (POLLERR | POLLNVAL) ? ERROR : 0) | ($rev & POLLHUP ? HANGUP : 0);
    my $io = ($rev & POLLIN ? READABLE : 0) | ($rev & POLLOUT ? WRITABLE : 0);
    for my $id (sort { $a <=> $b } keys %{ $entry->{watches} }) {
        my $h = $self->{handles}{$id} or next;
        next if $h->{removed} || !$h->{events} || $self->_new_this_iteration($h);
        my $events = ($io & $h->{events}) | $any;
        next unless $events;
        $self->_run_handle_callback($id, $fd, $events, $h->{cb}, $h->{opaque});
    }
}

sub add_handle {
    my ($self, $fd, $events, $cb, $opaque, $ff) = @_;
    return -1 if !defined $fd || $fd < 0;
    my $id = $self->{next_handle}++;
    $self->{handles}{$id} = { fd => $fd, events => $events, cb => $cb,
                              opaque => $opaque, ff => $ff };
    $self->_enabled($self->{handles}{$id});
    my $entry = $self->{fds}{$fd} //= {
        handle => Sys::Virt::Event::IO::Async::Fd->new($fd), watches => {}, watching => 0,
    };
    $entry->{watches}{$id} = 1;
    $self->_rewatch($fd);
    $log->debugf('add_handle fd=%d events=%d => %d', $fd, $events, $id);
    return $id;
}

sub update_handle {
    my ($self, $id, $events) = @_;
    my $h = $self->{handles}{$id};
    return if !$h || $h->{removed};         # unknown: a silent no-op (R8)
    $self->_enabled($h) if $events && !$h->{events};
    $h->{events} = $events;
    $self->_rewatch($h->{fd});
    $log->debugf('update_handle %d events=%d', $id, $events);
}

sub remove_handle {
    my ($self, $id) = @_;
    my $h = $self->{handles}{$id};
    return -1 if !$h || $h->{removed};      # R7
    $h->{removed} = 1;
    delete $self->{handles}{$id};
    delete $self->{fds}{ $h->{fd} }{watches}{$id};
    $self->_rewatch($h->{fd});
    $self->_free_later($h);
    $log->debugf('remove_handle %d', $id);
    return 0;
}

# ---- timers ----

# Arm a timer for its timeout: 0 fires on every iteration (an idle
# watcher, re-armed by each firing), N > 0 after N ms and then every N ms,
# a negative one not at all (R20-R22).  Any update stops the IO::Async
# timer and starts a new one, so the period runs from the update (R23).
sub _arm {
    my ($self, $id) = @_;
    my $t = $self->{timers}{$id} or return;
    my $loop = $self->{loop};
    my $gen = ++$t->{generation};
    if (defined $t->{time_id}) {
        $loop->unwatch_time($t->{time_id});
        undef $t->{time_id};
    }
    if (defined $t->{idle_id}) {
        $loop->unwatch_idle($t->{idle_id});
        undef $t->{idle_id};
    }
    return if $t->{timeout} < 0;
    if ($t->{timeout} == 0) {
        my $armed_in = $self->{dispatching} ? $self->{iteration} : 0;
        $t->{idle_id} = $loop->watch_idle(when => 'later', code => sub {
            undef $t->{idle_id};
            # Armed by a callback of this iteration: the next one (R30).
            return $self->_arm($id) if $armed_in && $armed_in == $self->{iteration};
            $self->_fire($id, $gen);
        });
    } else {
        $t->{time_id} = $loop->watch_time(after => $t->{timeout} / 1000, code => sub {
            undef $t->{time_id};
            $self->_fire($id, $gen);
        });
    }
}

sub _fire {
    my ($self, $id, $gen) = @_;
    my $t = $self->{timers}{$id};
    return if !$t || $t->{removed} || $t->{generation} != $gen || $t->{timeout} < 0;
    # Re-armed before the call: from now (R25), and a callback that
    # updates its own timer re-arms it again.
    $self->_arm($id);
    $self->_run_timeout_callback($id, $t->{cb}, $t->{opaque});
}

sub add_timeout {
    my ($self, $timeout, $cb, $opaque, $ff) = @_;
    my $id = $self->{next_timer}++;
    $self->{timers}{$id} = { timeout => $timeout, cb => $cb, opaque => $opaque,
                             ff => $ff, generation => 0 };
    $self->_arm($id);
    $log->debugf('add_timeout %d ms => %d', $timeout, $id);
    return $id;
}

sub update_timeout {
    my ($self, $id, $timeout) = @_;
    my $t = $self->{timers}{$id};
    return if !$t || $t->{removed};         # R8
    $t->{timeout} = $timeout;
    $self->_arm($id);
    $log->debugf('update_timeout %d %d ms', $id, $timeout);
}

sub remove_timeout {
    my ($self, $id) = @_;
    my $t = $self->{timers}{$id};
    return -1 if !$t || $t->{removed};      # R7
    $t->{removed} = 1;
    $t->{timeout} = -1;
    $self->_arm($id);
    delete $self->{timers}{$id};
    $self->_free_later($t);
    $log->debugf('remove_timeout %d', $id);
    return 0;
}

# ---- free callbacks ----

# A removed registration's free callback runs later, from the loop, never
# inside remove (R35, R36), after its callback returned (R37); none for a
# registration without one (R39).
sub _free_later {
    my ($self, $reg) = @_;
    return unless $reg->{ff};
    $self->{loop}->watch_idle(when => 'later', code => sub {
        $self->_free_callback_opaque($reg->{ff}, $reg->{opaque});
    });
}

1;

__END__

=head1 NAME

Sys::Virt::Event::IO::Async - libvirt's event loop contract on an IO::Async loop

=head1 SYNOPSIS

    use Sys::Virt;
    use Sys::Virt::Event;
    use Sys::Virt::Event::IO::Async;
    use IO::Async::Loop;

    my $loop = IO::Async::Loop->new;
    Sys::Virt::Event::register(Sys::Virt::Event::IO::Async->new($loop));
    my $conn = Sys::Virt->new(uri => 'test:///default');
    $loop->run;

=head1 DESCRIPTION

Implements the six callbacks of L<Sys::Virt::Event> on an L<IO::Async::Loop>.
Register it before the first connection: libvirt keeps the first event loop
registered.  Timeouts are in milliseconds: 0 fires on every iteration of the
loop (an idle watcher), a negative one (-1) pauses the timer, and any change
of the timeout stops the current IO::Async timer and starts a new one.
Logging goes to L<Log::Any> under this module's name.

=head1 METHODS

=over

=item new( [loop => $loop] ), new( $loop )

Defaults to C<< IO::Async::Loop->new >>.

=item add_handle, update_handle, remove_handle, add_timeout, update_timeout, remove_timeout

The contract's six operations.  Ids start at 1, handles and timers apart;
remove returns 0 for a live id and -1 otherwise; free callbacks run from the
loop after remove, never inside it.

=item loop, run_once

The IO::Async loop, and one iteration of it (C<loop_once>).

=back

=cut
