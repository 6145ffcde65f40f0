# frozen_string_literal: true

# Ruby binding of libcloudconnexa, a client for OpenVPN's CloudConnexa API,
# on the ffi gem.
#
#   client = CloudConnexa::Client.new # CLOUDCONNEXA_* from the environment
#   networks = JSON.parse(client.networks_list)
#
# Resource methods take JSON bodies (a String, or a Hash/Array that is
# encoded for you) and return the API's JSON unchanged as a UTF-8 String.
# Failures raise a subclass of CloudConnexa::Error.
#
# The shared library is CLOUDCONNEXA_LIB when set, else the repository's
# target/debug build when this file sits in the repository, else the
# installed libcloudconnexa.
require "ffi"
require "json"

module CloudConnexa
  # A failed call: the library's status code, the HTTP status (0 when no
  # reply was involved) and the server's error body ("" if none).
  class Error < StandardError
    attr_reader :status, :http_status, :body

    def initialize(message, status:, http_status: 0, body: "")
      super(message)
      @status = status
      @http_status = http_status
      @body = body
    end

    # The library's name of the status, e.g. "not found".
    def status_name
      Native.text(Native.ccx_status_str(status))
    end
  end

  class InvalidArgumentError < Error; end
  class ConfigError < Error; end
  class AuthError < Error; end
  class ForbiddenError < Error; end
  class NotFoundError < Error; end
  class ConflictError < Error; end
  class ValidationError < Error; end
  class RateLimitedError < Error; end
  class ServerError < Error; end
  class HTTPError < Error; end
  class NetworkError < Error; end
  class TimeoutError < Error; end
  class ResponseError < Error; end
  class AmbiguousError < Error; end
  class UnsupportedError < Error; end
  class InternalError < Error; end

  # The C ABI's status codes, whose numbers are fixed.
  ERRORS = {
    1 => InvalidArgumentError, 2 => ConfigError, 3 => AuthError,
    4 => ForbiddenError, 5 => NotFoundError, 6 => ConflictError,
    7 => ValidationError, 8 => RateLimitedError, 9 => ServerError,
    10 => HTTPError, 11 => NetworkError, 12 => TimeoutError,
    13 => ResponseError, 14 => AmbiguousError, 15 => UnsupportedError,
    16 => InternalError
  }.freeze

  # The C functions. Those that may talk to the network are attached with
  # blocking: true, so other Ruby threads run while they wait.
  module Native
    extend FFI::Library

    def self.library_path
      return ENV["CLOUDCONNEXA_LIB"] if ENV["CLOUDCONNEXA_LIB"]

      in_tree = File.expand_path("../../../target/debug/libcloudconnexa.so",
                                 __dir__)
      File.exist?(in_tree) ? in_tree : "cloudconnexa"
    end

    ffi_lib library_path

    # Returned strings (const char * and char **) are read as :pointer so
    # that they can be copied as UTF-8 and, when owned, freed.
    attach_function :ccx_client_new, %i[string string string string],
                    :pointer
    attach_function :ccx_client_free, [:pointer], :void
    attach_function :ccx_last_error, [], :pointer
    attach_function :ccx_last_error_code, [], :int32
    attach_function :ccx_last_http_status, [], :int32
    attach_function :ccx_last_error_body, [], :pointer
    attach_function :ccx_status_str, [:int32], :pointer
    attach_function :ccx_string_free, [:pointer], :void
    attach_function :ccx_version, [], :pointer
    attach_function :ccx_token_expires_at, [:pointer], :int64
    attach_function :ccx_client_set_timeout_ms, %i[pointer uint32], :int32
    attach_function :ccx_client_set_max_retries, %i[pointer uint32], :int32
    attach_function :ccx_client_set_page_size, %i[pointer uint32], :int32
    attach_function :ccx_client_set_user_agent, %i[pointer string], :int32

    # A function of the client that may block on the network; params are
    # those between the client and the optional char **out_json.
    def self.network(name, params, out: true)
      all = [:pointer, *params]
      all << :pointer if out
      attach_function name, all, :int32, blocking: true
    end

    network :ccx_authenticate, [], out: false
    network :ccx_request, %i[string string string]
    # The API's functions are attached in cloudconnexa/resources.rb.

    # A copy of a C string as UTF-8; "" for NULL.
    def self.text(pointer)
      return +"" if pointer.null?

      pointer.read_string.force_encoding(Encoding::UTF_8)
    end

    # The calling thread's last error as an exception. Ruby threads are OS
    # threads, so this reads the slot of the call just made, as long as it
    # runs right after that call.
    def self.last_error(status)
      klass = ERRORS.fetch(status, Error)
      klass.new(text(ccx_last_error), status: status,
                                      http_status: ccx_last_http_status,
                                      body: text(ccx_last_error_body))
    end
  end

  # The version of the loaded library, e.g. "0.1.0".
  def self.version
    Native.text(Native.ccx_version)
  end

  # A CloudConnexa API client; one may be shared by many threads.
  class Client
    @freed = []
    @freed_lock = Mutex.new

    class << self
      # How many clients have been freed, by #close or by the GC.
      def freed_count
        @freed_lock.synchronize { @freed.size }
      end

      # The native addresses of the clients freed so far, in order, so a
      # test can tell its own client's release from a GC finalizer's.
      def freed_addresses
        @freed_lock.synchronize { @freed.dup }
      end

      # The AutoPointer's releaser. A class method, so that it keeps no
      # reference to the Client and the GC can collect it.
      def release(pointer)
        address = pointer.address
        Native.ccx_client_free(pointer)
        @freed_lock.synchronize { @freed << address }
      end
    end

    # Builds a client without any network I/O. A nil argument falls back
    # to CLOUDCONNEXA_API_URL, _CLIENT_ID, _CLIENT_SECRET, _API_VERSION.
    # Raises ConfigError when something is missing or malformed.
    def initialize(api_url: nil, client_id: nil, client_secret: nil,
                   api_version: nil)
      raw = Native.ccx_client_new(api_url, client_id, client_secret,
                                  api_version)
      raise Native.last_error(Native.ccx_last_error_code) if raw.null?

      @pointer = FFI::AutoPointer.new(raw, self.class.method(:release))
      @lock = Mutex.new
      @idle = ConditionVariable.new
      @calls = 0
    end

    # Frees the client now, after the calls in flight; later calls raise
    # InvalidArgumentError. Closing twice is harmless. Without close, the
    # GC frees the client once it is unreachable.
    def close
      @lock.synchronize do
        @idle.wait(@lock) while @calls.positive?
        @pointer&.free
        @pointer = nil
      end
      nil
    end

    def closed?
      @lock.synchronize { @pointer.nil? }
    end

    def authenticate
      run(:ccx_authenticate)
    end

    # When the current token expires, or nil when there is none.
    def token_expires_at
      seconds = with_handle { |handle| Native.ccx_token_expires_at(handle) }
      seconds.zero? ? nil : Time.at(seconds)
    end

    # Any API call; path is relative to /api/v1 and may carry a query.
    def request(method, path, body = nil)
      call(:ccx_request, method.to_s, path, body && json(body))
    end

    def timeout_ms=(milliseconds)
      run(:ccx_client_set_timeout_ms, milliseconds)
    end

    def max_retries=(count)
      run(:ccx_client_set_max_retries, count)
    end

    def page_size=(size)
      run(:ccx_client_set_page_size, size)
    end

    def user_agent=(user_agent)
      run(:ccx_client_set_user_agent, user_agent)
    end

    # One method per API function, e.g. networks_list and
    # network_routes_create(network_id, body), is defined in
    # cloudconnexa/resources.rb, generated by scripts/gen-bindings.

    private

    def json(body)
      body.is_a?(String) ? body : JSON.generate(body)
    end

    # Counts the call in flight so that close waits for it.
    def with_handle
      @lock.synchronize do
        if @pointer.nil?
          raise InvalidArgumentError.new("the client is closed",
                                          status: 1)
        end
        @calls += 1
      end
      begin
        yield @pointer
      ensure
        @lock.synchronize do
          @calls -= 1
          @idle.broadcast if @calls.zero?
        end
      end
    end

    # A function without JSON output.
    def run(function, *args)
      with_handle do |handle|
        status = Native.public_send(function, handle, *args)
        raise Native.last_error(status) unless status.zero?
      end
      nil
    end

    # A function with a char **out_json; returns that JSON.
    def call(function, *args)
      out = FFI::MemoryPointer.new(:pointer)
      with_handle do |handle|
        status = Native.public_send(function, handle, *args, out)
        # Read the error before anything else can run a ccx_ call here.
        raise Native.last_error(status) unless status.zero?

        owned = out.read_pointer
        begin
          Native.text(owned)
        ensure
          Native.ccx_string_free(owned)
        end
      end
    end
  end
end

require_relative "cloudconnexa/resources"
