# frozen_string_literal: true

# Runs the tests against the emulator: the one named by the environment
# (scripts/with-emulator) when it is on loopback, else a fresh one without
# rate limits. A real tenant's URL is never used: the tests create and
# delete objects.
require "minitest/autorun"
require "json"
require "open3"
require "uri"

$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "cloudconnexa"

def loopback_url?(text)
  uri = URI.parse(text.to_s)
  uri.scheme == "http" &&
    ["127.0.0.1", "localhost", "[::1]", "::1"].include?(uri.host)
rescue URI::InvalidURIError
  false
end

unless loopback_url?(ENV["CLOUDCONNEXA_API_URL"])
  emulator = ENV["CCX_EMULATOR"] ||
             File.expand_path("../../../target/debug/ccx-emulator", __dir__)
  stdin, stdout, process = Open3.popen2(emulator, "--no-rate-limit")
  stdin.close
  line = stdout.gets.to_s
  abort "emulator: unexpected first line #{line.inspect}" unless
    line.start_with?("CLOUDCONNEXA_API_URL=")
  line.split.each do |assignment|
    name, value = assignment.split("=", 2)
    ENV[name] = value
  end
  Minitest.after_run do
    Process.kill("TERM", process.pid)
    process.join
  end
end
