package EvconfRemoveSays0;

# The kit's Sys::Virt::Event::IO::Async with removes that answer 0 for
# any id, known or not: a module that is itself wrong (R7), for the test
# that the blame clause then names the module, not Sys::Virt's glue
# (conformance/tests/test_glue.c, docs/bindings-glue.md).

use strict;
use warnings;

use parent 'Sys::Virt::Event::IO::Async';

sub remove_handle {
    my ($self, @args) = @_;
    $self->SUPER::remove_handle(@args);
    return 0;
}

sub remove_timeout {
    my ($self, @args) = @_;
    $self->SUPER::remove_timeout(@args);
    return 0;
}

1;
