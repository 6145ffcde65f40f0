# frozen_string_literal: true

# quickstart.rb: examples/quickstart.c with the Ruby binding. Lists
# networks, creates one, reads it back, deletes it, then shows an error.
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

  created = client.networks_create(
    name: "quickstart-network", description: "made by quickstart.rb",
    internetAccess: "SPLIT_TUNNEL_ON", egress: false,
    routes: [{ value: "10.20.0.0/16", description: "office" }]
  )
  id = JSON.parse(created).fetch("id")
  puts "created: #{created}"
  puts "read back: #{client.networks_get(id)}"
  client.networks_delete(id)
  puts "deleted network #{id}"

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
