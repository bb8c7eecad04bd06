/*
 * ruby.c - a Ruby event-loop integration (ruby-libvirt's
 * Libvirt::event_register_impl) as an implementation under test:
 * IMPL=ruby:FILE.rb (EVCONF_RUBY, set by the runner).
 *
 * The file defines, at top level:
 *
 *   register    register the loop with libvirt (Libvirt::event_register_impl)
 *   run_once    run exactly one iteration of the loop
 *
 * The kit's example, conformance/adapters/ruby/event_test_select.rb, is a
 * loop in the style of ruby-libvirt's examples/event_test.rb.
 *
 * - Extension modules (ruby-libvirt's _libvirt.so) need the interpreter's
 *   symbols: libruby is loaded again RTLD_GLOBAL before it starts.
 * - The adapter's own calls into Ruby go through rb_protect: an exception
 *   in run_once is printed (to the trace) and the iteration returns -1.
 *   ruby-libvirt's glue calls Ruby with rb_funcall and no rb_protect: an
 *   exception raised in a method libvirt called unwinds to the nearest
 *   rb_protect (through libvirt's frames: R45), or, in a call the runner
 *   made from C, finds none and ends the process.  docs/ruby.md says why
 *   and what happens in virtual time.
 * - A Ruby VM belongs to the thread that started it: a call from another
 *   thread crashes, which the runner reports under R42.
 * - evconf_check() loads the file in the runner's load child: a file that
 *   does not load, or lacks register or run_once, is one line.
 * - Both sides of ruby-libvirt's glue are observed (glue-log.h,
 *   docs/bindings-glue.md): before the file loads, Libvirt's
 *   event_register_impl is wrapped so that the six methods or procs the
 *   glue will call are wrapped, and so are event_invoke_handle_callback
 *   and event_invoke_timeout_callback, which a loop calls back; the
 *   wrappers tell the adapter what each answered through two global
 *   functions, evconf_glue_enter and evconf_glue_leave.  A remove's Hash
 *   means 0 and its nil -1 (the module's only way to say "no such id":
 *   the glue takes nothing but the Hash).
 */
#include <ruby.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "evconf.h"
#include "glue-log.h"

#ifndef EVCONF_LIBRUBY
#define EVCONF_LIBRUBY "libruby-3.1.so.3.1"
#endif

static char name[256];

/* The Ruby side of the observation of ruby-libvirt's glue (see above).
 * An exception is recorded, then raised on unchanged. */
static const char glue_hooks[] =
    "begin; require 'libvirt'; rescue LoadError; end\n"
    "if defined?(Libvirt) && Libvirt.respond_to?(:event_register_impl)\n"
    "module EvconfGlue\n"
    "  OPS = %w[add_handle update_handle remove_handle add_timeout update_timeout remove_timeout]\n"
    "  def self.meaning(op, r)\n"
    "    return r if r.is_a?(Integer)\n"
    "    return nil unless op.start_with?('remove_')\n"
    "    r.is_a?(Hash) ? 0 : (r.nil? ? -1 : nil)\n"
    "  end\n"
    "  def self.wrap(op, f)\n"
    "    return f if f.nil?\n"
    "    call = f.is_a?(Symbol) ? proc { |*a| Symbol.send(f, *a) } : f\n"
    "    proc do |*a|\n"
    "      seq = evconf_glue_enter(op, op.start_with?('add_') ? 0 : a[0], false)\n"
    "      begin\n"
    "        r = call.call(*a)\n"
    "      rescue Exception => e\n"
    "        evconf_glue_leave(seq, false, 0, \"raised #{e.class}: #{e.message}\")\n"
    "        raise\n"
    "      end\n"
    "      m = meaning(op, r)\n"
    "      evconf_glue_leave(seq, !m.nil?, m || 0, r.is_a?(Hash) ? 'a Hash' : r.inspect)\n"
    "      r\n"
    "    end\n"
    "  end\n"
    "end\n"
    "class << Libvirt\n"
    "  alias_method :evconf_register_unobserved, :event_register_impl\n"
    "  def event_register_impl(*fns)\n"
    "    evconf_register_unobserved(*fns.each_with_index.map { |f, i| EvconfGlue.wrap(EvconfGlue::OPS[i], f) })\n"
    "  end\n"
    "  alias_method :evconf_handle_unobserved, :event_invoke_handle_callback\n"
    "  def event_invoke_handle_callback(handle, fd, events, opaque)\n"
    "    seq = evconf_glue_enter('handle_callback', handle, false)\n"
    "    evconf_handle_unobserved(handle, fd, events, opaque)\n"
    "  ensure\n"
    "    evconf_glue_leave(seq, false, 0, 'returned') if seq\n"
    "  end\n"
    "  alias_method :evconf_timeout_unobserved, :event_invoke_timeout_callback\n"
    "  def event_invoke_timeout_callback(timer, opaque)\n"
    "    seq = evconf_glue_enter('timeout_callback', timer, false)\n"
    "    evconf_timeout_unobserved(timer, opaque)\n"
    "  ensure\n"
    "    evconf_glue_leave(seq, false, 0, 'returned') if seq\n"
    "  end\n"
    "end\n"
    "end\n";

/* evconf_glue_enter(op, id, null_opaque): a call crossing the glue
 * begins; its number (glue-log.h). */
static VALUE glue_enter(VALUE self, VALUE op, VALUE id, VALUE null_opaque)
{
    return ULONG2NUM(glue_log_enter(StringValueCStr(op), NUM2INT(id), RTEST(null_opaque)));
}

/* evconf_glue_leave(seq, has_value, value, said): what it answered. */
static VALUE glue_leave(VALUE self, VALUE seq, VALUE has_value, VALUE value, VALUE said)
{
    glue_log_leave(NUM2ULONG(seq), RTEST(has_value), NUM2LONG(value), StringValueCStr(said));
    return Qnil;
}

/* rb_protect's body: the hooks above. */
static VALUE hook_glue(VALUE unused)
{
    rb_define_global_function("evconf_glue_enter", glue_enter, 3);
    rb_define_global_function("evconf_glue_leave", glue_leave, 4);
    return rb_eval_string(glue_hooks);
}

/* rb_protect's body: call the top-level method whose ID is in arg. */
static VALUE call_toplevel(VALUE id)
{
    return rb_funcall(rb_cObject, (ID)id, 0);
}

/* rb_protect's body: load the file, then check its two methods. */
static VALUE load_file(VALUE path)
{
    static const char *const needed[] = { "register", "run_once" };

    rb_load(rb_funcall(rb_cFile, rb_intern("expand_path"), 1, path), 0);
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
        if (!rb_respond_to(rb_cObject, rb_intern(needed[i])) &&
            !RTEST(rb_funcall(rb_cObject, rb_intern("private_method_defined?"), 1,
                              ID2SYM(rb_intern(needed[i])))))
            rb_raise(rb_eTypeError, "%s defines no top-level %s: see conformance/adapters/ruby.c",
                     StringValueCStr(path), needed[i]);
    return Qnil;
}

/* The pending exception as one line, "Class: message", and clear it. */
static void exception_line(char *buf, size_t len)
{
    VALUE exc = rb_errinfo();
    VALUE msg = NIL_P(exc) ? Qnil : rb_funcall(exc, rb_intern("message"), 0);

    snprintf(buf, len, "%s: %s", NIL_P(exc) ? "error" : rb_obj_classname(exc),
             NIL_P(msg) ? "?" : StringValueCStr(msg));
    buf[strcspn(buf, "\n")] = '\0';
    rb_set_errinfo(Qnil);
}

/* Start the VM as the ruby command does (ruby_options loads the builtin
 * classes' Ruby halves, Time.now among them, and rubygems), with the
 * thread's whole stack as the one its garbage collector scans: the
 * runner calls the adapter from frames above the one that started it. */
static void start_vm(void)
{
    static char *args[] = { "evconf", "-e", "", NULL };
    char **argv = args;
    int argc = 3;
    pthread_attr_t attr;
    void *base = NULL;
    size_t size = 0;

    ruby_sysinit(&argc, &argv);
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &base, &size);
        pthread_attr_destroy(&attr);
    }
    if (base)
        ruby_init_stack((VALUE *)((char *)base + size) - 16);
    ruby_init();
    ruby_options(argc, argv);
    ruby_script("evconf");
}

/* Start Ruby and load the integration; on failure, why in err (one line). */
static int load(char *err, size_t errlen)
{
    const char *file = getenv("EVCONF_RUBY");
    int state = 0;

    if (!file || !*file) {
        snprintf(err, errlen, "no Ruby integration named (IMPL=ruby:FILE.rb)");
        return -1;
    }
    if (!dlopen(EVCONF_LIBRUBY, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) &&
        !dlopen(EVCONF_LIBRUBY, RTLD_NOW | RTLD_GLOBAL)) {
        snprintf(err, errlen, "cannot load %s: %s", EVCONF_LIBRUBY, dlerror());
        return -1;
    }
    start_vm();
    glue_log_init("Ruby", "ruby-libvirt's glue", true);
    rb_protect(hook_glue, Qnil, &state);
    if (!state)
        rb_protect(load_file, rb_str_new_cstr(file), &state);
    if (state) {
        exception_line(err, errlen);
        return -1;
    }
    snprintf(name, sizeof(name), "Ruby %s on ruby-libvirt", file);
    return 0;
}

const char *evconf_check(void)
{
    static char err[512];

    return load(err, sizeof(err)) < 0 ? err : NULL;
}

/* Call a top-level method under rb_protect; -1 (printed) if it raised. */
static int call(const char *method)
{
    char why[512];
    int state = 0;

    rb_protect(call_toplevel, (VALUE)rb_intern(method), &state);
    if (!state)
        return 0;
    exception_line(why, sizeof(why));
    fprintf(stderr, "ruby: %s: %s\n", method, why);
    fflush(stderr);
    return -1;
}

int evconf_register(void)
{
    char err[512];

    if (load(err, sizeof(err)) < 0) {
        fprintf(stderr, "ruby: %s\n", err);
        return -1;
    }
    return call("register");
}

int evconf_run_once(void)
{
    return call("run_once");
}

const char *evconf_name(void)
{
    return name[0] ? name : "a Ruby integration (ruby:FILE.rb)";
}
