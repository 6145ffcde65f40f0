# frozen_string_literal: true

# quickstart.rb: examples/quickstart.c with the Ruby binding. Lists
# networks, creates one with a connector in the first VPN region, reads it
# back, deletes it, then shows an error.
#
# Credentials come from CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID and
# CLOUDCONNEXA_CLIENT_SECRET. `make demo-ruby` runs it on the emulator; by
# hand: ruby -Ibindings/ruby/lib examples/quickstart.rb
require "json"
require "cloudconnexa"

puts "libcloudconnexa #{CloudConnexa.version}"

client = CloudConnexa::Client.new # nil arguments: from the environment
begin
  client.authenticate
  puts "authenticated; token expires at #{client.token_expires_at}"
  puts "networks: #{client.networks_list}"

  # The documentation says a network needs a connector for traffic to
  # pass, so it gets one, in a region of this tenant.
  region = JSON.parse(client.vpn_regions_list).first&.fetch("id")
  abort "no VPN region to put a connector in" if region.nil?
  puts "first VPN region: #{region}"
  created = client.networks_create(
    name: "quickstart-network", description: "made by quickstart.rb",
    internetAccess: "SPLIT_TUNNEL_ON", egress: false,
    routes: [{ value: "10.20.0.0/16", description: "office" }],
    connectors: [{ name: "quickstart-network-connector", vpnRegionId: region }]
  )
  network = JSON.parse(created)
  id = network.fetch("id")
  connector = network.fetch("connectors").first&.fetch("id")
  abort "created network has no connector: #{created}" if connector.nil?
  puts "created: #{created}"
  puts "network #{id} has connector #{connector} in #{region}"
  puts "read back: #{client.networks_get(id)}"
  client.networks_delete(id)
  puts "deleted network #{id} and its connector"

  begin
    client.networks_get(id)
    abort "expected the network to be gone"
  rescue CloudConnexa::NotFoundError => e
    puts "reading it again fails as expected: #{e.message} " \
         "(#{e.status_name}, HTTP #{e.http_status})"
    puts "server's error body: #{e.body}"
  end
rescue CloudConnexa::Error => e
  abort "failed: #{e.message} (#{e.status_name}, HTTP #{e.http_status})"
ensure
  client.close
end
