# A Ruby IO.select loop in the style of ruby-libvirt's
# examples/event_test.rb, as an example of IMPL=ruby:FILE.rb:
#
#   evconf-run --impl ruby:conformance/adapters/ruby/event_test_select.rb
#
# Written for the kit from that example's observable behaviour; its
# deviations are kept on purpose, so that the kit's verdicts on it are the
# verdicts on the example (docs/ruby.md):
#
# - a timer's last firing starts at 0 (the epoch), so a new timer is due at
#   once; it is dispatched when due within 20 ms;
# - the clock is read in whole seconds (Time.now.to_i * 1000);
# - a watch's fd is wrapped in an IO once per event kind (here without
#   closing it on garbage collection: the example's IO.new(fd) would close
#   libvirt's fd);
# - ERROR is reported only when neither READABLE nor WRITABLE is, HANGUP
#   never;
# - remove returns the registration's opaque hash, which ruby-libvirt
#   requires; for an unknown id that is nil, and ruby-libvirt raises.
#
# Two bugs of the example are not kept, since each ends the process before
# anything can be judged: remove_timer calls a method its timer class does
# not have (timerId for timerID), and IO.new(fd) closes libvirt's fds.
require 'libvirt'

class SelectLoop
  Watch = Struct.new(:id, :fd, :events, :opaque)
  Timer = Struct.new(:id, :period, :opaque, :fired)

  def initialize
    @watches = []
    @timers = []
    @ids = { watch: 1, timer: 1 }      # each kind's first id is 2
    @wake_r, @wake_w = IO.pipe
    @sets = { in: [], out: [], err: [] }
    @polling = false
    @woken = false
  end

  def next_id(kind)
    @ids[kind] += 1
  end

  def wake
    return unless @polling && !@woken
    @woken = true
    @wake_w.write('w')
  end

  def now_ms
    Time.now.to_i * 1000
  end

  def deadline
    due = @timers.select { |t| t.period >= 0 }.map { |t| t.fired + t.period }
    due.empty? ? 0 : due.min
  end

  def io_for(fd)
    IO.for_fd(fd, autoclose: false)
  end

  def watch_fd(fd, events)
    @sets[:in] << io_for(fd) if events & Libvirt::EVENT_HANDLE_READABLE != 0
    @sets[:out] << io_for(fd) if events & Libvirt::EVENT_HANDLE_WRITABLE != 0
    @sets[:err] << io_for(fd) if events & Libvirt::EVENT_HANDLE_ERROR != 0
  end

  def unwatch_fd(fd)
    @sets.each_value { |set| set.delete_if { |io| io.fileno == fd } }
  end

  def events_of(ready, io)
    return Libvirt::EVENT_HANDLE_READABLE if ready[0].include?(io)
    return Libvirt::EVENT_HANDLE_WRITABLE if ready[1].include?(io)
    Libvirt::EVENT_HANDLE_ERROR
  end

  def dispatch_fds(ready)
    ready.flatten.each do |io|
      if io.fileno == @wake_r.fileno
        @woken = false
        @wake_r.read(1)
        next
      end
      @watches.select { |w| w.fd == io.fileno }.each do |w|
        Libvirt::event_invoke_handle_callback(w.id, w.fd, events_of(ready, io), w.opaque)
      end
    end
  end

  def dispatch_timers
    now = now_ms
    @timers.each do |t|
      next if t.period < 0 || now < t.fired + t.period - 20
      t.fired = now
      Libvirt::event_invoke_timeout_callback(t.id, t.opaque)
    end
  end

  def run_once
    @polling = true
    wait = nil
    due = deadline
    if due > 0
      now = now_ms
      wait = now >= due ? 0 : (due - now) / 1000.0
    end
    ready = IO.select([@wake_r] + @sets[:in], @sets[:out], @sets[:err], wait)
    dispatch_fds(ready) if ready
    dispatch_timers
  ensure
    @polling = false
  end

  def add_handle(fd, events, opaque)
    w = Watch.new(next_id(:watch), fd, events, opaque)
    @watches << w
    watch_fd(fd, events)
    wake
    w.id
  end

  def update_handle(id, events)
    @watches.select { |w| w.id == id }.each do |w|
      w.events = events
      unwatch_fd(w.fd)
      watch_fd(w.fd, events)
      wake
    end
    nil
  end

  def remove_handle(id)
    gone = @watches.find { |w| w.id == id }
    unwatch_fd(gone.fd) if gone
    @watches.delete_if { |w| w.id == id }
    wake
    gone&.opaque
  end

  def add_timer(period, opaque)
    t = Timer.new(next_id(:timer), period, opaque, 0)
    @timers << t
    wake
    t.id
  end

  def update_timer(id, period)
    @timers.select { |t| t.id == id }.each { |t| t.period = period }
    wake
    nil
  end

  def remove_timer(id)
    gone = @timers.find { |t| t.id == id }
    @timers.delete_if { |t| t.id == id }
    wake
    gone&.opaque
  end
end

$evconf_loop = SelectLoop.new

def register
  l = $evconf_loop
  Libvirt::event_register_impl(
    ->(fd, events, opaque) { l.add_handle(fd, events, opaque) },
    ->(id, events) { l.update_handle(id, events) },
    ->(id) { l.remove_handle(id) },
    ->(period, opaque) { l.add_timer(period, opaque) },
    ->(id, period) { l.update_timer(id, period) },
    ->(id) { l.remove_timer(id) })
end

def run_once
  $evconf_loop.run_once
end
