# The kit's example Ruby loop with removes that answer a Hash (ruby-
# libvirt's "removed") for any id, known or not: a module that is itself
# wrong (R7), for the test that the blame clause then names the module,
# not ruby-libvirt's glue (conformance/tests/test_glue.c,
# docs/bindings-glue.md).

load File.expand_path('../../adapters/ruby/event_test_select.rb', __dir__)

class SelectLoop
  alias_method :remove_handle_known, :remove_handle
  alias_method :remove_timer_known, :remove_timer

  def remove_handle(id)
    remove_handle_known(id) || {}
  end

  def remove_timer(id)
    remove_timer_known(id) || {}
  end
end
