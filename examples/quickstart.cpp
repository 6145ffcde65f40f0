/*
 * quickstart.cpp: examples/quickstart.c with the C++ wrapper. Lists
 * networks, creates one, reads it back, deletes it, then shows an error.
 *
 * Credentials come from CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID and
 * CLOUDCONNEXA_CLIENT_SECRET; `make demo-cpp` runs it on the emulator.
 */
#include <iostream>
#include <string>

#include "cloudconnexa.hpp"

/* The first "id" value; a real program would use a JSON parser. */
static std::string first_id(const std::string &json)
{
    const std::string key = "\"id\":\"";
    auto start = json.find(key);
    if (start == std::string::npos)
        return {};
    start += key.size();
    return json.substr(start, json.find('"', start) - start);
}

int main()
{
    const std::string body = R"({"name":"quickstart-network",)"
                             R"("description":"made by quickstart.cpp",)"
                             R"("internetAccess":"SPLIT_TUNNEL_ON",)"
                             R"("egress":false,)"
                             R"("routes":[{"value":"10.20.0.0/16",)"
                             R"("description":"office"}]})";

    std::cout << "libcloudconnexa " << ccx::version() << "\n";
    try {
        ccx::Client client; /* empty arguments: from the environment */

        client.authenticate();
        std::cout << "authenticated; token expires at unix time "
                  << client.token_expires_at() << "\n";
        std::cout << "networks: " << client.networks_list() << "\n";

        std::string created = client.networks_create(body);
        std::string id = first_id(created);
        std::cout << "created: " << created << "\n";
        std::cout << "read back: " << client.networks_get(id) << "\n";
        client.networks_delete(id);
        std::cout << "deleted network " << id << "\n";

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
