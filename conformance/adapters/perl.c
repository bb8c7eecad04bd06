/*
 * perl.c - any Sys::Virt::Event subclass as an implementation under test:
 * IMPL=perl:Module::Name (evconf-run --perl-inc DIR adds to @INC).
 *
 * The adapter embeds Debian's perl, loads Sys::Virt and the module (from
 * EVCONF_PERL_MODULE, set by the runner; Sys::Virt::Event::IO::Async, the
 * kit's own, from conformance/adapters/perl/lib, if none is named),
 * creates an instance with new() and registers it with
 * Sys::Virt::Event::register().  One iteration is the module's run_once
 * method if it has one, else one loop_once of the IO::Async loop its
 * loop() method returns.
 *
 * - XS modules (Sys::Virt's) need the interpreter's symbols: libperl is
 *   loaded again RTLD_GLOBAL before the interpreter starts.
 * - An iteration that dies is printed (to the trace) and returns -1.  A
 *   die inside a callback libvirt made unwinds through libvirt's frames;
 *   the runner reports that under R45.
 * - Perl interpreters are bound to one thread: a binding called from
 *   another thread crashes, which the runner reports under R42.
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

#ifndef EVCONF_LIBPERL
#define EVCONF_LIBPERL "libperl.so.5.36"
#endif
#ifndef EVCONF_PERL_LIB
#define EVCONF_PERL_LIB "conformance/adapters/perl/lib"
#endif

static PerlInterpreter *my_perl;
static char name[256];

EXTERN_C void boot_DynaLoader(pTHX_ CV *cv);

static void xs_init(pTHX)
{
    newXS("DynaLoader::boot_DynaLoader", boot_DynaLoader, __FILE__);
}

static const char setup[] =
    "use strict; use warnings;\n"
    "use lib grep { length } split /:/, $ENV{EVCONF_PERL_INC} // '';\n"
    "use lib $ENV{EVCONF_PERL_KITLIB};\n"
    "use Sys::Virt; use Sys::Virt::Event;\n"
    "my $m = $ENV{EVCONF_PERL_MODULE} || 'Sys::Virt::Event::IO::Async';\n"
    "eval \"require $m; 1\" or die $@;\n"
    "$main::evconf_impl = $m->new;\n"
    "Sys::Virt::Event::register($main::evconf_impl);\n"
    "$main::evconf_step =\n"
    "    $main::evconf_impl->can('run_once') ? sub { $main::evconf_impl->run_once; 0 }\n"
    "  : $main::evconf_impl->can('loop') ? sub { $main::evconf_impl->loop->loop_once(undef); 0 }\n"
    "  : die \"$m has neither run_once() nor loop(): one iteration of it cannot be run\\n\";\n";

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

int evconf_register(void)
{
    static char *args[] = { "evconf", "-e", "0", NULL };
    int argc = 3;
    char **argv = args, **env = NULL;
    find_kit_lib();
    if (!dlopen(EVCONF_LIBPERL, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) &&
        !dlopen(EVCONF_LIBPERL, RTLD_NOW | RTLD_GLOBAL))
        return -1;
    PERL_SYS_INIT3(&argc, &argv, &env);
    my_perl = perl_alloc();
    if (!my_perl)
        return -1;
    perl_construct(my_perl);
    PL_exit_flags |= PERL_EXIT_DESTRUCT_END;
    if (perl_parse(my_perl, xs_init, argc, argv, NULL) != 0 || perl_run(my_perl) != 0)
        return -1;
    eval_pv(setup, FALSE);
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
