/*
 * quickstart.cpp: examples/quickstart.c with the C++ wrapper. Lists
 * networks, creates one with a connector in the first VPN region, reads it
 * back, deletes it, then shows an error.
 *
 * Credentials come from CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID and
 * CLOUDCONNEXA_CLIENT_SECRET; `make demo-cpp` runs it on the emulator.
 */
#include <iostream>
#include <string>

#include "cloudconnexa.hpp"

/*
 * The first "id" value at or after from; a real program would use a JSON
 * parser.
 */
static std::string first_id(const std::string &json,
                            std::string::size_type from = 0)
{
    auto start = json.find("\"id\"", from);
    if (start == std::string::npos)
        return {};
    start = json.find_first_not_of(" \t\r\n:", start + 4);
    if (start == std::string::npos || json[start] != '"')
        return {};
    start++;
    return json.substr(start, json.find('"', start) - start);
}

int main()
{
    std::cout << "libcloudconnexa " << ccx::version() << "\n";
    try {
        ccx::Client client; /* empty arguments: from the environment */

        client.authenticate();
        std::cout << "authenticated; token expires at unix time "
                  << client.token_expires_at() << "\n";
        std::cout << "networks: " << client.networks_list() << "\n";

        /*
         * The documentation says a network needs a connector for traffic
         * to pass, so it gets one, in a region of this tenant.
         */
        std::string region = first_id(client.vpn_regions_list());
        if (region.empty()) {
            std::cerr << "no VPN region to put a connector in\n";
            return 1;
        }
        std::cout << "first VPN region: " << region << "\n";
        std::string created = client.networks_create(
            R"({"name":"quickstart-network",)"
            R"("description":"made by quickstart.cpp",)"
            R"("internetAccess":"SPLIT_TUNNEL_ON","egress":false,)"
            R"("routes":[{"value":"10.20.0.0/16","description":"office"}],)"
            R"("connectors":[{"name":"quickstart-network-connector",)"
            R"("vpnRegionId":")" +
            region + R"("}]})");
        std::string id = first_id(created);
        std::string connector =
            first_id(created, created.find("\"connectors\""));
        std::cout << "created: " << created << "\n"
                  << "network " << id << " has connector " << connector
                  << " in " << region << "\n";
        std::cout << "read back: " << client.networks_get(id) << "\n";
        client.networks_delete(id);
        std::cout << "deleted network " << id << " and its connector\n";

        try {
            client.networks_get(id);
            std::cerr << "expected the network to be gone\n";
            return 1;
        } catch (const ccx::Error &error) {
            std::cout << "reading it again fails as expected: "
                      << error.what() << " (" << error.status_name()
                      << ", HTTP " << error.http_status() << ")\n"
                      << "server's error body: " << error.body() << "\n";
        }
    } catch (const ccx::Error &error) {
        std::cerr << "failed: " << error.what() << " ("
                  << error.status_name() << ", HTTP " << error.http_status()
                  << ")\n";
        return 1;
    }
    return 0;
}
