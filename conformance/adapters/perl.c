/*
 * perl.c - any Sys::Virt::Event subclass as an implementation under test:
 * IMPL=perl:Module::Name (evconf-run --perl-inc DIR adds to @INC), or
 * IMPL=perl:FILE.pl, a file whose last value is the object, set up.
 *
 * The adapter embeds Debian's perl, loads Sys::Virt and the module (from
 * EVCONF_PERL_MODULE, set by the runner; Sys::Virt::Event::IO::Async, the
 * kit's own, from conformance/adapters/perl/lib, if none is named),
 * creates an instance with new() (an IO::Async::Notifier is added to a
 * loop) and registers it with Sys::Virt::Event::register().  One
 * iteration is the object's run_once method if it has one, else one
 * loop_once of the IO::Async loop its loop() method returns.
 *
 * - evconf_check(), asked in the runner's load child, builds the object
 *   and checks that an iteration can run (a Sys::Virt::Event, a loop that
 *   can loop_once): an unusable object stops the run with one line,
 *   instead of failing every iteration under each scenario's own rule.
 * - XS modules (Sys::Virt's) need the interpreter's symbols: libperl is
 *   loaded again RTLD_GLOBAL before the interpreter starts.
 * - An iteration that dies is printed (to the trace) and returns -1.  A
 *   die inside a callback libvirt made unwinds through libvirt's frames;
 *   the runner reports that under R45.
 * - Perl interpreters are bound to one thread: a binding called from
 *   another thread crashes, which the runner reports under R42.
 * - Both sides of Sys::Virt's glue are observed (glue-log.h,
 *   docs/bindings-glue.md): the Perl subs Virt.xs calls for the six
 *   operations (Sys::Virt::Event::_add_handle ...) and the XS helpers a
 *   loop calls back (_run_handle_callback_helper ...) are wrapped, in
 *   Perl, by subs that tell the adapter (EvconfGlue::enter and ::leave,
 *   XS-free C functions registered with newXS) what the module's method
 *   answered, and whether a helper was reached.
 */
#include <EXTERN.h>
#include <perl.h>
#include <XSUB.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evconf.h"
#include "glue-log.h"

#ifndef EVCONF_LIBPERL
#define EVCONF_LIBPERL "libperl.so.5.36"
#endif
#ifndef EVCONF_PERL_LIB
#define EVCONF_PERL_LIB "conformance/adapters/perl/lib"
#endif

static PerlInterpreter *my_perl;
static char name[256];

EXTERN_C void boot_DynaLoader(pTHX_ CV *cv);

/* EvconfGlue::enter(OP, ID, NULL_OPAQUE): a call crossing the glue
 * begins; its number (glue-log.h). */
static XS(xs_glue_enter)
{
    dXSARGS;
    unsigned long seq;

    if (items != 3)
        croak_xs_usage(cv, "op, id, null_opaque");
    seq = glue_log_enter(SvPV_nolen(ST(0)), (int)SvIV(ST(1)), SvTRUE(ST(2)));
    ST(0) = sv_2mortal(newSVuv(seq));
    XSRETURN(1);
}

/* EvconfGlue::leave(SEQ, HAS_VALUE, VALUE, SAID): what it answered. */
static XS(xs_glue_leave)
{
    dXSARGS;

    if (items != 4)
        croak_xs_usage(cv, "seq, has_value, value, said");
    glue_log_leave(SvUV(ST(0)), SvTRUE(ST(1)), (long)SvIV(ST(2)), SvPV_nolen(ST(3)));
    XSRETURN_EMPTY;
}

static void xs_init(pTHX)
{
    newXS("DynaLoader::boot_DynaLoader", boot_DynaLoader, __FILE__);
    newXS("EvconfGlue::enter", xs_glue_enter, __FILE__);
    newXS("EvconfGlue::leave", xs_glue_leave, __FILE__);
}

/* The Perl side of the observation of Sys::Virt's glue: each sub Virt.xs
 * calls for an operation is wrapped to record what the module's method
 * answered (a die is recorded, then passed on unchanged, so that it
 * still unwinds through libvirt as it would: R45), and each XS helper
 * that runs a callback libvirt handed over is wrapped to record that the
 * loop reached it, with the id and whether the opaque was NULL (undef:
 * Virt.xs wraps a NULL opaque as undef). */
static const char glue_hooks[] =
    "package EvconfGlue; no strict 'refs'; no warnings 'redefine';\n"
    "sub said { my ($v) = @_; defined $v ? (ref $v ? ref($v) . ' reference' : \"$v\") : 'undef' }\n"
    "for my $op (qw(add_handle update_handle remove_handle add_timeout update_timeout remove_timeout)) {\n"
    "    my $name = \"Sys::Virt::Event::_$op\";\n"
    "    my $orig = \\&{$name};\n"
    "    my $add = $op =~ /^add_/;\n"
    "    *{$name} = sub {\n"
    "        my $seq = EvconfGlue::enter($op, $add ? 0 : $_[0], 0);\n"
    "        my $r;\n"
    "        unless (eval { $r = $orig->(@_); 1 }) {\n"
    "            my $e = $@;\n"
    "            EvconfGlue::leave($seq, 0, 0, 'died: ' . (split /\\n/, \"$e\")[0]);\n"
    "            die $e;\n"
    "        }\n"
    "        my $n = defined $r && !ref $r && $r =~ /^\\s*[-+]?\\d+\\s*$/;\n"
    "        EvconfGlue::leave($seq, $n ? 1 : 0, $n ? int($r) : 0, said($r));\n"
    "        return $r;\n"
    "    };\n"
    "}\n"
    "for my $h (['handle_callback', '_run_handle_callback_helper', 4],\n"
    "           ['timeout_callback', '_run_timeout_callback_helper', 2],\n"
    "           ['free_callback', '_free_callback_opaque_helper', 1]) {\n"
    "    my ($op, $sub, $at) = @$h;\n"
    "    my $orig = \\&{\"Sys::Virt::Event::$sub\"};\n"
    "    *{\"Sys::Virt::Event::$sub\"} = sub {\n"
    "        my $seq = EvconfGlue::enter($op, $op eq 'free_callback' ? 0 : $_[0], !defined $_[$at]);\n"
    "        $orig->(@_);\n"
    "        EvconfGlue::leave($seq, 0, 0, 'returned');\n"
    "        return;\n"
    "    };\n"
    "}\n";

/* Builds the object and the step, and checks that the step can run: what
 * the adapter drives must be usable before any scenario runs.
 * - perl:FILE.pl (a '/' or .pl): the file's last value is the object,
 *   set up as its author needs (a loop created, the object added to it).
 * - perl:Module: Module->new; an IO::Async::Notifier not yet in a loop
 *   (the published Sys::Virt::Event::IO::Async) is added to
 *   IO::Async::Loop->new, as its synopsis's caller would. */
static const char setup[] =
    "use strict; use warnings;\n"
    "use lib grep { length } split /:/, $ENV{EVCONF_PERL_INC} // '';\n"
    "use lib $ENV{EVCONF_PERL_KITLIB};\n"
    "use Sys::Virt; use Sys::Virt::Event; use Scalar::Util qw(blessed);\n"
    "my $m = $ENV{EVCONF_PERL_MODULE} || 'Sys::Virt::Event::IO::Async';\n"
    "my $impl;\n"
    "if ($m =~ m{/|\\.pl$}) {\n"
    "    my $path = $m =~ m{^/} ? $m : \"./$m\";\n"
    "    die \"$m: no such file\\n\" unless -f $path;\n"
    "    $impl = do $path;\n"
    "    die \"$m: $@\" if $@;\n"
    "} else {\n"
    "    eval \"require $m; 1\" or die $@;\n"
    "    $impl = $m->new;\n"
    "    if (blessed $impl && $impl->isa('IO::Async::Notifier') && !$impl->loop) {\n"
    "        require IO::Async::Loop;\n"
    "        $main::evconf_loop = IO::Async::Loop->new;\n"
    "        $main::evconf_loop->add($impl);\n"
    "    }\n"
    "}\n"
    "my $what = $m =~ m{/|\\.pl$} ? \"the value of $m\" : \"$m->new\";\n"
    "die \"$what is \", (defined $impl ? \"'$impl'\" : 'undef'),\n"
    "    \", not a Sys::Virt::Event object\\n\"\n"
    "    unless blessed $impl && $impl->isa('Sys::Virt::Event');\n"
    "if (!$impl->can('run_once')) {\n"
    "    die \"$m has neither run_once() nor loop(): one iteration of it cannot be run\\n\"\n"
    "        unless $impl->can('loop');\n"
    "    my $l = $impl->loop;\n"
    "    die \"$m\\'s loop() returned \", (defined $l ? \"'$l'\" : 'undef'),\n"
    "        \", not a loop with loop_once()\",\n"
    "        ($impl->isa('IO::Async::Notifier') ? ' (an IO::Async::Notifier not added to a loop?)' : ''),\n"
    "        \"\\n\" unless blessed $l && $l->can('loop_once');\n"
    "}\n"
    "$main::evconf_impl = $impl;\n"
    "$main::evconf_step =\n"
    "    $impl->can('run_once') ? sub { $main::evconf_impl->run_once; 0 }\n"
    "  : sub { $main::evconf_impl->loop->loop_once(undef); 0 };\n";

/* Print $@ if it is set; true if it was. */
static bool died(void)
{
    if (!SvTRUE(ERRSV))
        return false;
    fprintf(stderr, "perl: %s", SvPV_nolen(ERRSV));
    fflush(stderr);
    return true;
}

/* The kit's perl modules: beside this adapter once installed
 * (PREFIX/lib/evconf/adapters/perl/lib), else in the source tree. */
static void find_kit_lib(void)
{
    Dl_info info;
    char path[4096];
    struct stat st;

    if (dladdr((void *)find_kit_lib, &info) && info.dli_fname &&
        strrchr(info.dli_fname, '/')) {
        snprintf(path, sizeof(path), "%.*s/perl/lib",
                 (int)(strrchr(info.dli_fname, '/') - info.dli_fname), info.dli_fname);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            setenv("EVCONF_PERL_KITLIB", path, 1);
            return;
        }
    }
    setenv("EVCONF_PERL_KITLIB", EVCONF_PERL_LIB, 1);
}

/* Start perl and build the object (setup); on failure, why (one line). */
static const char *start(void)
{
    static char *args[] = { "evconf", "-e", "0", NULL };
    static char why[512];
    int argc = 3;
    char **argv = args, **env = NULL;

    find_kit_lib();
    if (!dlopen(EVCONF_LIBPERL, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) &&
        !dlopen(EVCONF_LIBPERL, RTLD_NOW | RTLD_GLOBAL))
        return "cannot load " EVCONF_LIBPERL;
    PERL_SYS_INIT3(&argc, &argv, &env);
    my_perl = perl_alloc();
    if (!my_perl)
        return "cannot allocate a perl interpreter";
    perl_construct(my_perl);
    PL_exit_flags |= PERL_EXIT_DESTRUCT_END;
    if (perl_parse(my_perl, xs_init, argc, argv, NULL) != 0 || perl_run(my_perl) != 0)
        return "the embedded perl cannot start";
    glue_log_init("Perl", "Sys::Virt's glue", false);
    eval_pv(setup, FALSE);
    if (!SvTRUE(ERRSV))
        eval_pv(glue_hooks, FALSE);
    if (!SvTRUE(ERRSV))
        return NULL;
    snprintf(why, sizeof(why), "%s", SvPV_nolen(ERRSV));
    why[strcspn(why, "\n")] = '\0';
    return why;
}

/* Asked in the runner's load child: can the object be driven? */
const char *evconf_check(void)
{
    return start();
}

int evconf_register(void)
{
    const char *why = start();

    if (why) {
        fprintf(stderr, "perl: %s\n", why);
        return -1;
    }
    eval_pv("Sys::Virt::Event::register($main::evconf_impl);", FALSE);
    return died() ? -1 : 0;
}

int evconf_run_once(void)
{
    dSP;
    SV *step = get_sv("main::evconf_step", 0);
    int rc = 0;

    if (!step)
        return -1;
    ENTER;
    SAVETMPS;
    PUSHMARK(SP);
    call_sv(step, G_DISCARD | G_NOARGS | G_EVAL);
    if (died())
        rc = -1;
    FREETMPS;
    LEAVE;
    return rc;
}

const char *evconf_name(void)
{
    const char *module = getenv("EVCONF_PERL_MODULE");

    snprintf(name, sizeof(name), "Perl %s on Sys::Virt::Event",
             module && *module ? module : "Sys::Virt::Event::IO::Async");
    return name;
}
