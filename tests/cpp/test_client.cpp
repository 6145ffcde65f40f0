/*
 * The C++ wrapper against the emulator: construction and its failures,
 * CRUD on networks and users, errors as exceptions, the generic call paths,
 * move-only ownership and use from many threads.
 *
 * Needs CLOUDCONNEXA_API_URL, _CLIENT_ID and _CLIENT_SECRET from
 * scripts/with-emulator (started with --no-rate-limit).
 */
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "cloudconnexa.hpp"

namespace {

static_assert(!std::is_copy_constructible<ccx::Client>::value,
              "a copy would free the handle twice");
static_assert(!std::is_copy_assignable<ccx::Client>::value,
              "a copy would free the handle twice");
static_assert(std::is_nothrow_move_constructible<ccx::Client>::value,
              "moves must not throw");
static_assert(std::is_base_of<std::runtime_error, ccx::Error>::value,
              "ccx::Error is a std::runtime_error");

std::string env(const char *name)
{
    const char *value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

/* The value of the first "id" field; the tests need no JSON parser. */
std::string id_of(const std::string &json)
{
    const std::string key = "\"id\":\"";
    auto start = json.find(key);
    if (start == std::string::npos)
        return {};
    start += key.size();
    return json.substr(start, json.find('"', start) - start);
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

/* Runs fn, which must throw ccx::Error, and returns that error. */
template <typename Fn> ccx::Error error_from(Fn fn)
{
    try {
        fn();
    } catch (const ccx::Error &error) {
        return error;
    }
    ADD_FAILURE() << "no ccx::Error was thrown";
    return ccx::Error(CCX_OK, 0, "", "");
}

const char *network_body =
    "{\"name\":\"cpp-network\",\"description\":\"from test_client.cpp\","
    "\"internetAccess\":\"SPLIT_TUNNEL_ON\",\"egress\":false,"
    "\"routes\":[{\"value\":\"10.30.0.0/16\",\"description\":\"lab\"}]}";

TEST(Version, MatchesTheHeader)
{
    std::string header = std::to_string(CCX_VERSION_MAJOR) + "." +
                         std::to_string(CCX_VERSION_MINOR) + "." +
                         std::to_string(CCX_VERSION_PATCH);
    EXPECT_EQ(ccx::version(), header);
}

TEST(Construct, FromTheEnvironment)
{
    ccx::Client client;
    EXPECT_NE(client.native(), nullptr);
    EXPECT_EQ(client.token_expires_at(), 0);
}

TEST(Construct, ThrowsOnABadUrl)
{
    ccx::Error error = error_from([] {
        ccx::Client client("not a url", "id", "secret");
    });
    EXPECT_EQ(error.status(), CCX_ERR_CONFIG);
    EXPECT_EQ(error.http_status(), 0);
    EXPECT_STRNE(error.what(), "");
}

TEST(Construct, ThrowsOnAnUnknownApiVersion)
{
    ccx::Error error = error_from([] {
        ccx::Client client("", "", "", "9.9");
    });
    EXPECT_EQ(error.status(), CCX_ERR_CONFIG);
}

TEST(Authenticate, GetsAToken)
{
    ccx::Client client;
    client.authenticate();
    EXPECT_GT(client.token_expires_at(), 0);
}

TEST(Authenticate, WrongSecretThrowsAuthWithoutTheSecret)
{
    const std::string secret = "wrong-secret-5f3a";
    ccx::Client client(env("CLOUDCONNEXA_API_URL"),
                       env("CLOUDCONNEXA_CLIENT_ID"), secret);
    ccx::Error error = error_from([&] { client.authenticate(); });
    EXPECT_EQ(error.status(), CCX_ERR_AUTH);
    EXPECT_STREQ(error.status_name(), ccx_status_str(CCX_ERR_AUTH));
    EXPECT_FALSE(contains(error.what(), secret));
    EXPECT_FALSE(contains(error.body(), secret));
}

TEST(Networks, ListIsAJsonArray)
{
    ccx::Client client;
    std::string json = client.networks_list();
    ASSERT_FALSE(json.empty());
    EXPECT_EQ(json.front(), '[');
    EXPECT_EQ(json.back(), ']');
}

TEST(Networks, CreateGetUpdateDelete)
{
    ccx::Client client;

    std::string created = client.networks_create(network_body);
    std::string id = id_of(created);
    ASSERT_FALSE(id.empty()) << created;
    EXPECT_TRUE(contains(created, "cpp-network"));

    EXPECT_EQ(id_of(client.networks_get(id)), id);
    EXPECT_TRUE(contains(client.networks_list(), id));

    std::string updated = client.networks_update(
        id, "{\"name\":\"cpp-network-renamed\",\"egress\":false,"
            "\"internetAccess\":\"SPLIT_TUNNEL_ON\"}");
    EXPECT_TRUE(contains(updated, "cpp-network-renamed"));
    EXPECT_TRUE(contains(client.networks_get(id), "cpp-network-renamed"));

    std::string routes = client.network_routes_list(id);
    EXPECT_TRUE(contains(routes, "10.30.0.0/16")) << routes;

    client.networks_delete(id);
    ccx::Error error = error_from([&] { client.networks_get(id); });
    EXPECT_EQ(error.status(), CCX_ERR_NOT_FOUND);
    EXPECT_EQ(error.http_status(), 404);
    EXPECT_TRUE(contains(error.what(), id));
    EXPECT_TRUE(contains(error.body(), "errorMessage")) << error.body();
}

TEST(Networks, InvalidBodyThrowsValidationWithTheServerBody)
{
    ccx::Client client;
    ccx::Error error = error_from([&] {
        client.networks_create("{\"description\":\"no name\"}");
    });
    EXPECT_EQ(error.status(), CCX_ERR_VALIDATION);
    EXPECT_EQ(error.http_status(), 400);
    EXPECT_FALSE(error.body().empty());
}

TEST(Networks, MalformedJsonIsAnInvalidArgument)
{
    ccx::Client client;
    ccx::Error error = error_from([&] { client.networks_create("{oops"); });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error.http_status(), 0);
}

TEST(Networks, ArgumentsWithANulByteAreRefused)
{
    ccx::Client client;
    std::string id = id_of(client.networks_create(network_body));
    ASSERT_FALSE(id.empty());

    /* The C side would stop at the NUL and delete network `id`. */
    ccx::Error error = error_from(
        [&] { client.networks_delete(id + std::string("\0junk", 5)); });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error.http_status(), 0);
    EXPECT_TRUE(contains(error.what(), "NUL")) << error.what();
    EXPECT_EQ(id_of(client.networks_get(id)), id);

    error = error_from(
        [&] { client.networks_get(std::string("a\0b", 3)); });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);
    error = error_from([&] {
        client.networks_update(
            id, std::string("{\"name\":\"x\"}\0garbage", 20));
    });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);
    error = error_from([&] {
        client.request("GET", "/networks", std::string("{}\0x", 4));
    });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);
    error = error_from(
        [&] { ccx::Client bad(std::string("http://127.0.0.1:1\0", 19)); });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);

    EXPECT_TRUE(contains(client.networks_get(id), "cpp-network"));
    client.networks_delete(id);
}

TEST(Users, CreateGetUpdateSuspendDelete)
{
    ccx::Client client;

    std::string created = client.users_create(
        "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
        "\"username\":\"ada-cpp\",\"email\":\"ada-cpp@example.com\","
        "\"role\":\"MEMBER\"}");
    std::string id = id_of(created);
    ASSERT_FALSE(id.empty()) << created;

    EXPECT_TRUE(contains(client.users_get(id), "ada-cpp"));
    EXPECT_TRUE(contains(client.users_list(), id));
    EXPECT_TRUE(contains(client.users_page(0, 1000), id));

    std::string updated = client.users_update(
        id, "{\"firstName\":\"Augusta\",\"lastName\":\"Lovelace\","
            "\"email\":\"ada-cpp@example.com\",\"role\":\"MEMBER\"}");
    EXPECT_TRUE(contains(updated, "Augusta")) << updated;

    client.users_suspend(id);
    EXPECT_TRUE(contains(client.users_get(id), "SUSPENDED"));

    client.users_delete(id);
    EXPECT_EQ(error_from([&] { client.users_get(id); }).status(),
              CCX_ERR_NOT_FOUND);
}

TEST(Generic, RequestReachesAnyPath)
{
    ccx::Client client;
    std::string page = client.request("GET", "/networks?page=0&size=1");
    EXPECT_TRUE(contains(page, "\"content\"")) << page;

    std::string created = client.request("POST", "/networks", network_body);
    std::string id = id_of(created);
    ASSERT_FALSE(id.empty());
    client.request("DELETE", "/networks/" + id);
    EXPECT_EQ(error_from([&] { client.networks_get(id); }).status(),
              CCX_ERR_NOT_FOUND);
}

TEST(Generic, CallAndRunReachEveryFunction)
{
    ccx::Client client;
    std::string regions = client.call(ccx_vpn_regions_list);
    EXPECT_EQ(regions.front(), '[');

    std::string id = id_of(client.call(ccx_networks_create, network_body));
    ASSERT_FALSE(id.empty());
    client.run(ccx_networks_delete, id);
    ccx::Error error = error_from([&] { client.run(ccx_networks_delete, id); });
    EXPECT_EQ(error.status(), CCX_ERR_NOT_FOUND);

    EXPECT_EQ(error_from([&] { client.call(ccx_networks_get, nullptr); })
                  .status(),
              CCX_ERR_INVALID_ARGUMENT);
}

TEST(Ownership, MoveTransfersTheHandle)
{
    ccx::Client first;
    ccx_client *handle = first.native();

    ccx::Client second(std::move(first));
    EXPECT_EQ(first.native(), nullptr);
    EXPECT_EQ(second.native(), handle);
    EXPECT_EQ(second.networks_list().front(), '[');

    ccx::Client third;
    third = std::move(second);
    EXPECT_EQ(third.native(), handle);
    EXPECT_EQ(second.native(), nullptr);
    EXPECT_EQ(third.networks_list().front(), '[');
}

TEST(Ownership, ACallOnAMovedFromClientThrows)
{
    ccx::Client first;
    ccx::Client second(std::move(first));
    EXPECT_EQ(error_from([&] { first.networks_list(); }).status(),
              CCX_ERR_INVALID_ARGUMENT);
}

/*
 * Many threads share one client; each error must describe that thread's
 * own call, since the last error is per thread.
 */
TEST(Threads, SharedClientErrorsStayWithTheirThread)
{
    const ccx::Client client;
    std::atomic<int> mismatches{0};
    std::atomic<int> successes{0};
    std::vector<std::thread> threads;

    for (int t = 0; t < 8; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; i++) {
                std::string id = "missing-t" + std::to_string(t) + "-i" +
                                 std::to_string(i);
                try {
                    client.networks_get(id);
                    mismatches++;
                } catch (const ccx::Error &error) {
                    if (error.status() != CCX_ERR_NOT_FOUND ||
                        !contains(error.what(), id + " not found"))
                        mismatches++;
                }
                if (client.networks_list().front() == '[')
                    successes++;
            }
        });
    }
    for (auto &thread : threads)
        thread.join();

    EXPECT_EQ(mismatches.load(), 0);
    EXPECT_EQ(successes.load(), 8 * 50);
}

} // namespace
