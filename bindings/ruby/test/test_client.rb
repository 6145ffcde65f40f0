# frozen_string_literal: true

require_relative "test_helper"
require "socket"

class TestClient < Minitest::Test
  NETWORK = {
    name: "ruby-network", description: "from test_client.rb",
    internetAccess: "SPLIT_TUNNEL_ON", egress: false,
    routes: [{ value: "10.50.0.0/16", description: "lab" }]
  }.freeze

  def setup
    @client = CloudConnexa::Client.new
  end

  def teardown
    @client.close
  end

  def test_version_matches_cargo_toml
    manifest = File.read(File.expand_path("../../../Cargo.toml", __dir__))
    assert_equal manifest[/^version = "(.*)"/, 1], CloudConnexa.version
  end

  def test_bad_url_raises_config_error
    error = assert_raises(CloudConnexa::ConfigError) do
      CloudConnexa::Client.new(api_url: "not a url", client_id: "id",
                               client_secret: "secret")
    end
    assert_equal 2, error.status
    assert_equal 0, error.http_status
    refute_empty error.message
  end

  def test_authenticate
    assert_nil @client.token_expires_at
    @client.authenticate
    assert_operator @client.token_expires_at, :>, Time.now
  end

  def test_wrong_secret_raises_auth_error_without_the_secret
    secret = "wrong-secret-9d2e"
    client = CloudConnexa::Client.new(client_secret: secret)
    error = assert_raises(CloudConnexa::AuthError) { client.authenticate }
    assert_kind_of CloudConnexa::Error, error
    assert_equal 3, error.status
    refute_empty error.status_name
    refute_includes error.message, secret
    refute_includes error.body, secret
  ensure
    client&.close
  end

  def test_networks_create_get_update_delete
    created = JSON.parse(@client.networks_create(NETWORK))
    id = created.fetch("id")

    assert_equal id, JSON.parse(@client.networks_get(id))["id"]
    assert_includes JSON.parse(@client.networks_list).map { _1["id"] }, id
    assert JSON.parse(@client.networks_page(0, 1000)).key?("content")

    updated = @client.networks_update(
      id, { name: "ruby-network-renamed", egress: false,
            internetAccess: "SPLIT_TUNNEL_ON" }
    )
    assert_equal "ruby-network-renamed", JSON.parse(updated)["name"]
    assert_includes @client.network_routes_list(id), "10.50.0.0/16"

    @client.networks_delete(id)
    error = assert_raises(CloudConnexa::NotFoundError) do
      @client.networks_get(id)
    end
    assert_equal 404, error.http_status
    assert_includes error.message, id
    assert_includes JSON.parse(error.body)["errorMessage"], id
  end

  def test_users_create_get_update_suspend_delete
    id = JSON.parse(@client.users_create(
      firstName: "Katherine", lastName: "Johnson", username: "kj-ruby",
      email: "kj-ruby@example.com", role: "MEMBER"
    )).fetch("id")

    assert_equal "kj-ruby", JSON.parse(@client.users_get(id))["username"]
    assert_includes @client.users_list, id
    updated = @client.users_update(id, firstName: "Kathy",
                                       lastName: "Johnson",
                                       email: "kj-ruby@example.com",
                                       role: "MEMBER")
    assert_equal "Kathy", JSON.parse(updated)["firstName"]
    @client.users_suspend(id)
    assert_equal "SUSPENDED", JSON.parse(@client.users_get(id))["status"]
    @client.users_delete(id)
    assert_raises(CloudConnexa::NotFoundError) { @client.users_get(id) }
  end

  def test_every_function_has_a_method
    tsv = File.read(File.expand_path("../../../api/functions.tsv", __dir__))
    rows = tsv.lines.drop(1).map { _1.chomp.split("\t") }
    assert_equal 127, rows.size
    rows.each do |row|
      function = row[0]
      signature = row[4]
      name = function.delete_prefix("ccx_")
      assert_respond_to @client, name
      params = signature[/\((.*)\)/, 1].split(", ")
      count = params.size - 1 - (params.last == "char **out_json" ? 1 : 0)
      method = @client.method(name)
      assert_includes [count, -count], method.arity,
                      "#{name} takes #{count} arguments"
    end
  end

  def test_generated_methods_reach_the_api
    assert_kind_of Array, JSON.parse(@client.hosts_list)
    assert_kind_of Array, JSON.parse(@client.vpn_regions_list)

    id = JSON.parse(@client.dns_records_create(
      domain: "ruby.example.com", description: "from test_client.rb"
    )).fetch("id")
    assert_equal id, JSON.parse(@client.dns_records_get(id))["id"]
    assert_includes @client.dns_records_list, id
    assert_nil @client.dns_records_delete(id)
    assert_raises(CloudConnexa::NotFoundError) { @client.dns_records_get(id) }

    topology = @client.settings_get("wpc/topology")
    assert_equal Encoding::UTF_8, topology.encoding
    assert_kind_of Array, JSON.parse(@client.sessions_list({}))
    assert_kind_of Array, JSON.parse(@client.sessions_list)
    JSON.parse(@client.sessions_page(nil, nil, 10))

    uid = JSON.parse(@client.users_create(
      firstName: "Ada", lastName: "Lovelace", username: "ada-ruby",
      email: "ada-ruby@example.com", role: "MEMBER"
    )).fetch("id")
    @client.users_suspend(uid)
    assert_nil @client.users_activate(uid)
    refute_equal "SUSPENDED", JSON.parse(@client.users_get(uid))["status"]
    assert_kind_of Array, JSON.parse(@client.devices_list(uid))
    @client.users_delete(uid)
  end

  def test_validation_error_carries_the_server_body
    error = assert_raises(CloudConnexa::ValidationError) do
      @client.networks_create(description: "no name")
    end
    assert_equal 400, error.http_status
    refute_empty error.body
    assert_raises(CloudConnexa::InvalidArgumentError) do
      @client.networks_create("{oops")
    end
  end

  def test_request_reaches_any_path
    page = JSON.parse(@client.request(:GET, "/networks?page=0&size=1"))
    assert page.key?("content")
    id = JSON.parse(@client.request("POST", "/networks", NETWORK))["id"]
    @client.request("DELETE", "/networks/#{id}")
    assert_raises(CloudConnexa::NotFoundError) { @client.networks_get(id) }
  end

  def test_strings_are_utf8
    id = JSON.parse(@client.networks_create(
      NETWORK.merge(name: "Zürich 网络 ✓")
    ))["id"]
    json = @client.networks_get(id)
    assert_equal Encoding::UTF_8, json.encoding
    assert json.valid_encoding?
    assert_equal "Zürich 网络 ✓", JSON.parse(json)["name"]
    @client.networks_delete(id)

    error = assert_raises(CloudConnexa::NotFoundError) do
      @client.networks_get("ünïcödé")
    end
    assert_equal Encoding::UTF_8, error.message.encoding
    assert_includes error.message, "ünïcödé"
    assert_equal Encoding::UTF_8, error.body.encoding
  end

  # Each thread's error must describe its own call: the last error is
  # per OS thread and every Ruby thread is one.
  def test_threads_share_a_client_and_keep_their_errors
    problems = Queue.new
    threads = Array.new(8) do |t|
      Thread.new do
        40.times do |i|
          id = "t#{t}-i#{i}"
          begin
            @client.networks_get(id)
            problems << "#{id}: no error"
          rescue CloudConnexa::NotFoundError => e
            problems << "#{id}: #{e.message}" unless
              e.message.include?("ID #{id} not found")
          end
          list = @client.networks_list
          problems << "#{id}: list #{list[0, 40]}" unless list.start_with?("[")
        end
      end
    end
    threads.each(&:join)
    assert_empty Array.new(problems.size) { problems.pop }
  end

  # A server that accepts the connection and never answers. Once it has
  # accepted, the worker is inside the library for about 3 s; the
  # server thread and this one can only run Ruby code meanwhile, and see
  # the worker still waiting, if the call released the GVL.
  def test_network_calls_release_the_gvl
    server = TCPServer.new("127.0.0.1", 0)
    accepted = Queue.new
    held = [] # kept open: a socket closed by the GC would end the wait
    silent = Thread.new do
      loop do
        held << server.accept
        accepted << true
      end
    end
    client = CloudConnexa::Client.new(
      api_url: "http://127.0.0.1:#{server.addr[1]}", client_id: "id",
      client_secret: "secret"
    )
    client.timeout_ms = 3000
    client.max_retries = 0
    worker = Thread.new do
      client.authenticate
    rescue CloudConnexa::Error => e
      e
    end
    accepted.pop
    assert worker.alive?, "no Ruby code ran while the call was waiting"
    assert_kind_of CloudConnexa::TimeoutError, worker.value
  ensure
    client&.close
    silent&.kill
    held&.each(&:close)
    server&.close
  end

  # Counted by address: a GC finalizer may free some other forgotten
  # client in the same moment.
  def test_close_frees_once_and_later_calls_raise
    client = CloudConnexa::Client.new
    address = client.instance_variable_get(:@pointer).address
    before = CloudConnexa::Client.freed_count
    client.close
    client.close
    assert client.closed?
    freed = CloudConnexa::Client.freed_addresses.drop(before)
    assert_equal 1, freed.count(address)
    assert_raises(CloudConnexa::InvalidArgumentError) { client.networks_list }
  end

  def test_close_waits_for_calls_in_flight
    client = CloudConnexa::Client.new
    results = Queue.new
    threads = Array.new(4) do
      Thread.new do
        20.times do
          results << (client.networks_list.start_with?("[") ? :ok : :bad)
        rescue CloudConnexa::InvalidArgumentError
          results << :closed
        end
      end
    end
    sleep 0.02
    client.close
    threads.each(&:join)
    outcomes = Array.new(results.size) { results.pop }
    assert_equal 80, outcomes.size
    refute_includes outcomes, :bad
  end

  # The clients are made on a thread that has ended, so no stale
  # reference to them is left on this thread's stack, which Ruby's GC
  # scans conservatively. Even so a stray register can keep one alive, so
  # 19 of 20 is enough to show the GC frees them.
  def test_gc_frees_forgotten_clients
    addresses = Thread.new { forget_clients(20) }.value
    gone = 0
    50.times do
      GC.start(full_mark: true, immediate_sweep: true)
      sleep 0.01
      gone = (addresses & CloudConnexa::Client.freed_addresses).size
      break if gone == 20
    end
    assert_operator gone, :>=, 19
  end

  private

  def forget_clients(count)
    Array.new(count) do
      CloudConnexa::Client.new.instance_variable_get(:@pointer).address
    end
  end
end
