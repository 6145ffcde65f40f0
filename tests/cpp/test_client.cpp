/*
 * The C++ wrapper against the emulator: construction and its failures,
 * CRUD on networks and users, errors as exceptions, the generic call paths,
 * move-only ownership and use from many threads; then the generated
 * methods: one per function of api/functions.tsv, each with the signature
 * its C function implies, and a representative set of them at work.
 *
 * Needs CLOUDCONNEXA_API_URL, _CLIENT_ID and _CLIENT_SECRET from
 * scripts/with-emulator (started with --no-rate-limit), and
 * CCX_FUNCTIONS_TSV, the path of api/functions.tsv (mk/bindings.mk).
 */
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <fstream>
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

/* Generated methods ---------------------------------------------------- */

/*
 * The C function a generated method must wrap, derived from the method's
 * own type: the client first, each std::string as const char *, and
 * char **out_json last exactly when the method returns std::string. Only
 * const methods match, since one Client is shared between threads.
 */
template <typename Param> struct c_param;
template <> struct c_param<const std::string &> {
    using type = const char *;
};
template <> struct c_param<std::int32_t> {
    using type = std::int32_t;
};

template <typename Method> struct c_function_of;
template <typename... Params>
struct c_function_of<std::string (ccx::Client::*)(Params...) const> {
    using type = ccx_status (*)(ccx_client *,
                                typename c_param<Params>::type..., char **);
};
template <typename... Params>
struct c_function_of<void (ccx::Client::*)(Params...) const> {
    using type = ccx_status (*)(ccx_client *,
                                typename c_param<Params>::type...);
};

/*
 * Checked against cloudconnexa.h, which is generated from the endpoint
 * table rather than from functions.tsv: a parameter dropped, added or
 * retyped by the generator fails the build here.
 */
#define CCX_METHOD(name)                                                    \
    static_assert(                                                          \
        std::is_same<c_function_of<decltype(&ccx::Client::name)>::type,    \
                     decltype(&ccx_##name)>::value,                         \
        "ccx::Client::" #name " does not match ccx_" #name);
#include "generated_methods.inc"
#undef CCX_METHOD

#define CCX_METHOD(name) #name,
const char *const generated_methods[] = {
#include "generated_methods.inc"
};
#undef CCX_METHOD

/* The first column of every data row of functions.tsv, without ccx_. */
std::vector<std::string> contract_functions()
{
    std::ifstream tsv(CCX_FUNCTIONS_TSV);
    std::vector<std::string> names;
    std::string line;

    EXPECT_TRUE(tsv.is_open()) << CCX_FUNCTIONS_TSV;
    std::getline(tsv, line); /* the column names */
    while (std::getline(tsv, line)) {
        if (line.empty())
            continue;
        std::string name = line.substr(0, line.find('\t'));
        EXPECT_EQ(name.rfind("ccx_", 0), 0u) << name;
        names.push_back(name.substr(4));
    }
    return names;
}

/* The string value of the first "key" field, or "". */
std::string field_of(const std::string &json, const std::string &key)
{
    const std::string quoted = "\"" + key + "\":\"";
    auto start = json.find(quoted);
    if (start == std::string::npos)
        return {};
    start += quoted.size();
    return json.substr(start, json.find('"', start) - start);
}

std::size_t count_of(const std::string &haystack, const std::string &needle)
{
    std::size_t count = 0;
    for (auto at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + needle.size()))
        count++;
    return count;
}

TEST(Generated, EveryFunctionOfTheContractHasAMethod)
{
    std::vector<std::string> functions = contract_functions();
    std::vector<std::string> methods(std::begin(generated_methods),
                                     std::end(generated_methods));

    EXPECT_EQ(functions.size(), ccx::Client::generated_method_count);
    EXPECT_EQ(methods.size(), ccx::Client::generated_method_count);
    for (const std::string &function : functions)
        EXPECT_NE(std::find(methods.begin(), methods.end(), function),
                  methods.end())
            << "no method for ccx_" << function;
    EXPECT_EQ(methods, functions) << "not one method per function, in order";
}

/*
 * One flat resource family: create, read, list, page, update, delete,
 * each through its generated method.
 */
struct Family {
    const char *name;
    std::string (ccx::Client::*create)(const std::string &) const;
    std::string (ccx::Client::*get)(const std::string &) const;
    std::string (ccx::Client::*list)() const;
    std::string (ccx::Client::*page)(std::int32_t, std::int32_t) const;
    std::string (ccx::Client::*update)(const std::string &,
                                       const std::string &) const;
    void (ccx::Client::*remove)(const std::string &) const;
    const char *body;    /* holds "cpp-created" */
    const char *changed; /* holds "cpp-updated" */
    int missing_http;    /* the HTTP status of a missing object */
};

const Family families[] = {
    {"hosts", &ccx::Client::hosts_create, &ccx::Client::hosts_get,
     &ccx::Client::hosts_list, &ccx::Client::hosts_page,
     &ccx::Client::hosts_update, &ccx::Client::hosts_delete,
     "{\"name\":\"cpp-created\",\"domain\":\"cpp.example.com\"}",
     "{\"name\":\"cpp-updated\"}", 404},
    {"user groups", &ccx::Client::user_groups_create,
     &ccx::Client::user_groups_get, &ccx::Client::user_groups_list,
     &ccx::Client::user_groups_page, &ccx::Client::user_groups_update,
     &ccx::Client::user_groups_delete,
     "{\"name\":\"cpp-created\",\"internetAccess\":\"SPLIT_TUNNEL_ON\","
     "\"maxDevice\":3,\"connectAuth\":\"NO_AUTH\"}",
     "{\"name\":\"cpp-updated\",\"maxDevice\":5}", 404},
    {"device postures", &ccx::Client::device_postures_create,
     &ccx::Client::device_postures_get, &ccx::Client::device_postures_list,
     &ccx::Client::device_postures_page,
     &ccx::Client::device_postures_update,
     &ccx::Client::device_postures_delete,
     "{\"name\":\"cpp-created\",\"linux\":{\"allowed\":true}}",
     "{\"name\":\"cpp-updated\"}", 404},
    {"DNS records", &ccx::Client::dns_records_create,
     &ccx::Client::dns_records_get, &ccx::Client::dns_records_list,
     &ccx::Client::dns_records_page, &ccx::Client::dns_records_update,
     &ccx::Client::dns_records_delete,
     "{\"domain\":\"cpp-created.example.com\","
     "\"ipv4Addresses\":[\"10.9.0.1\"]}",
     /* The API answers a missing DNS record with 400, not 404. */
     "{\"domain\":\"cpp-updated.example.com\"}", 400},
    {"location contexts", &ccx::Client::location_contexts_create,
     &ccx::Client::location_contexts_get,
     &ccx::Client::location_contexts_list,
     &ccx::Client::location_contexts_page,
     &ccx::Client::location_contexts_update,
     &ccx::Client::location_contexts_delete,
     "{\"name\":\"cpp-created\",\"ipCheck\":{\"allowed\":true}}",
     "{\"name\":\"cpp-updated\"}", 404},
    {"access groups", &ccx::Client::access_groups_create,
     &ccx::Client::access_groups_get, &ccx::Client::access_groups_list,
     &ccx::Client::access_groups_page, &ccx::Client::access_groups_update,
     &ccx::Client::access_groups_delete,
     "{\"name\":\"cpp-created\",\"source\":[],\"destination\":[]}",
     "{\"name\":\"cpp-updated\"}", 404},
};

TEST(Generated, FlatFamiliesCreateGetListUpdateDelete)
{
    ccx::Client client;

    for (const Family &family : families) {
        SCOPED_TRACE(family.name);
        std::string created = (client.*family.create)(family.body);
        std::string id = id_of(created);
        ASSERT_FALSE(id.empty()) << created;
        EXPECT_TRUE(contains(created, "cpp-created")) << created;

        std::string got = (client.*family.get)(id);
        EXPECT_EQ(id_of(got), id);
        EXPECT_TRUE(contains(got, "cpp-created")) << got;
        EXPECT_TRUE(contains((client.*family.list)(), id));
        std::string page = (client.*family.page)(0, 1000);
        EXPECT_TRUE(contains(page, "\"content\"")) << page;
        EXPECT_TRUE(contains(page, id)) << page;

        std::string updated = (client.*family.update)(id, family.changed);
        EXPECT_TRUE(contains(updated, "cpp-updated")) << updated;
        EXPECT_TRUE(contains((client.*family.get)(id), "cpp-updated"));

        (client.*family.remove)(id);
        ccx::Error gone = error_from([&] { (client.*family.get)(id); });
        EXPECT_EQ(gone.status(), CCX_ERR_NOT_FOUND);
        EXPECT_EQ(gone.http_status(), family.missing_http);
        EXPECT_EQ(error_from([&] { (client.*family.remove)(id); }).status(),
                  CCX_ERR_NOT_FOUND);
        EXPECT_FALSE(contains((client.*family.list)(), id));
    }
}

TEST(Generated, UserGroupWithoutANameIsAValidationError)
{
    ccx::Client client;
    ccx::Error error = error_from(
        [&] { client.user_groups_create("{\"maxDevice\":3}"); });
    EXPECT_EQ(error.status(), CCX_ERR_VALIDATION);
    EXPECT_EQ(error.http_status(), 400);
}

TEST(Generated, NetworkRoutesAndChildren)
{
    ccx::Client client;
    std::string network = id_of(client.networks_create(
        "{\"name\":\"cpp-children\",\"internetAccess\":\"SPLIT_TUNNEL_ON\","
        "\"egress\":false}"));
    ASSERT_FALSE(network.empty());

    std::string route = id_of(client.network_routes_create(
        network, "{\"value\":\"10.31.0.0/16\",\"description\":\"lab\"}"));
    ASSERT_FALSE(route.empty());
    EXPECT_TRUE(contains(client.network_routes_get(route), "10.31.0.0/16"));
    /* An empty network id passes NULL: every network's routes. */
    EXPECT_TRUE(contains(client.network_routes_list(), route));
    EXPECT_TRUE(contains(client.network_routes_page(network, 0, 10), route));
    client.network_routes_update(route, "{\"description\":\"cpp-updated\"}");
    EXPECT_TRUE(contains(client.network_routes_get(route), "cpp-updated"));
    client.network_routes_delete(route);
    EXPECT_EQ(error_from([&] { client.network_routes_get(route); })
                  .status(),
              CCX_ERR_NOT_FOUND);

    std::string service = id_of(client.network_ip_services_create(
        network, "{\"name\":\"cpp-service\",\"routes\":"
                 "[{\"value\":\"10.31.1.0/24\"}]}"));
    ASSERT_FALSE(service.empty());
    EXPECT_TRUE(contains(client.network_ip_services_list(network), service));
    EXPECT_TRUE(
        contains(client.network_ip_services_get(service), "10.31.1.0/24"));

    std::string application = id_of(client.network_applications_create(
        network, "{\"name\":\"cpp-application\",\"routes\":"
                 "[{\"value\":\"app.cpp.example.com\"}]}"));
    ASSERT_FALSE(application.empty());
    EXPECT_TRUE(contains(client.network_applications_list(), application));

    /* Deleting the network takes its children with it. */
    client.networks_delete(network);
    EXPECT_EQ(error_from([&] { client.network_ip_services_get(service); })
                  .status(),
              CCX_ERR_NOT_FOUND);
    EXPECT_EQ(error_from([&] {
                  client.network_applications_get(application);
              }).status(),
              CCX_ERR_NOT_FOUND);
}

TEST(Generated, NetworkConnectors)
{
    ccx::Client client;
    std::string network = id_of(client.networks_create(
        "{\"name\":\"cpp-connectors\",\"internetAccess\":"
        "\"SPLIT_TUNNEL_ON\",\"egress\":false}"));
    ASSERT_FALSE(network.empty());

    std::string created = client.network_connectors_create(
        network, "{\"name\":\"cpp-connector\",\"vpnRegionId\":\"us-east-1\","
                 "\"ipSecConfig\":{\"platform\":\"AWS\"}}");
    std::string id = id_of(created);
    ASSERT_FALSE(id.empty()) << created;
    EXPECT_EQ(id_of(client.network_connectors_get(id)), id);
    EXPECT_TRUE(contains(client.network_connectors_list(network), id));
    EXPECT_TRUE(contains(client.network_connectors_list(), id));
    EXPECT_TRUE(
        contains(client.network_connectors_page(network, 0, 10), id));
    EXPECT_TRUE(contains(client.network_connectors_update(
                             id, "{\"name\":\"cpp-updated\"}"),
                         "cpp-updated"));

    /* Profiles come back as JSON strings. */
    std::string profile = client.network_connectors_profile(id);
    EXPECT_EQ(profile.front(), '"') << profile;
    EXPECT_TRUE(contains(profile, id)) << profile;
    std::string token = client.network_connectors_profile_token(id);
    EXPECT_EQ(token.front(), '"') << token;
    EXPECT_GT(token.size(), 2u);

    client.network_connectors_ipsec_start(id);
    EXPECT_EQ(field_of(client.network_connectors_get(id), "connectorState"),
              "ACTIVE");
    client.network_connectors_ipsec_stop(id);
    EXPECT_EQ(field_of(client.network_connectors_get(id), "connectorState"),
              "STOPPED");
    client.network_connectors_suspend(id);
    EXPECT_EQ(field_of(client.network_connectors_get(id), "status"),
              "SUSPENDED");
    client.network_connectors_activate(id);
    EXPECT_EQ(field_of(client.network_connectors_get(id), "status"),
              "ACTIVE");

    client.network_connectors_delete(network, id);
    EXPECT_EQ(error_from([&] { client.network_connectors_get(id); })
                  .status(),
              CCX_ERR_NOT_FOUND);

    /* An empty network id is left out of the delete. */
    std::string other = id_of(client.network_connectors_create(
        network, "{\"name\":\"cpp-connector-2\"}"));
    ASSERT_FALSE(other.empty());
    client.network_connectors_delete("", other);
    EXPECT_FALSE(contains(client.network_connectors_list(network), other));

    client.networks_delete(network);
}

TEST(Generated, HostsAndTheirConnectors)
{
    ccx::Client client;
    std::string host = id_of(client.hosts_create(
        "{\"name\":\"cpp-host\",\"domain\":\"host.cpp.example.com\"}"));
    ASSERT_FALSE(host.empty());

    std::string connector = id_of(client.host_connectors_create(
        host, "{\"name\":\"cpp-host-connector\","
              "\"vpnRegionId\":\"eu-central-1\"}"));
    ASSERT_FALSE(connector.empty());
    EXPECT_TRUE(contains(client.host_connectors_get(connector),
                         "eu-central-1"));
    EXPECT_TRUE(contains(client.host_connectors_list(host), connector));
    EXPECT_TRUE(contains(client.host_connectors_page(host, 0, 10),
                         connector));
    EXPECT_TRUE(contains(client.hosts_get(host), connector));
    client.host_connectors_update(connector, "{\"name\":\"cpp-updated\"}");
    EXPECT_TRUE(
        contains(client.host_connectors_get(connector), "cpp-updated"));
    EXPECT_TRUE(contains(client.host_connectors_profile(connector),
                         connector));
    client.host_connectors_suspend(connector);
    EXPECT_EQ(field_of(client.host_connectors_get(connector), "status"),
              "SUSPENDED");
    client.host_connectors_delete(host, connector);
    EXPECT_EQ(error_from([&] { client.host_connectors_get(connector); })
                  .status(),
              CCX_ERR_NOT_FOUND);

    std::string service = id_of(client.host_ip_services_create(
        host, "{\"name\":\"cpp-host-service\"}"));
    ASSERT_FALSE(service.empty());
    EXPECT_TRUE(contains(client.host_ip_services_list(host), service));
    std::string application = id_of(client.host_applications_create(
        host, "{\"name\":\"cpp-host-application\"}"));
    ASSERT_FALSE(application.empty());
    EXPECT_TRUE(contains(client.host_applications_list(), application));

    client.hosts_delete(host);
    EXPECT_EQ(error_from([&] { client.host_ip_services_get(service); })
                  .status(),
              CCX_ERR_NOT_FOUND);
    EXPECT_EQ(
        error_from([&] { client.host_applications_get(application); })
            .status(),
        CCX_ERR_NOT_FOUND);
}

TEST(Generated, DevicesOfAUser)
{
    ccx::Client client;
    std::string user = id_of(client.users_create(
        "{\"firstName\":\"Grace\",\"lastName\":\"Hopper\","
        "\"username\":\"grace-cpp\",\"email\":\"grace-cpp@example.com\","
        "\"role\":\"MEMBER\"}"));
    ASSERT_FALSE(user.empty());
    client.users_suspend(user);
    client.users_activate(user);
    EXPECT_EQ(field_of(client.users_get(user), "status"), "ACTIVE");

    std::string device = id_of(client.devices_create(
        user, "{\"name\":\"cpp-laptop\",\"description\":\"test\"}"));
    ASSERT_FALSE(device.empty());
    EXPECT_TRUE(contains(client.devices_get(user, device), "cpp-laptop"));
    EXPECT_TRUE(contains(client.devices_list(user), device));
    EXPECT_TRUE(contains(client.devices_list(), device));
    EXPECT_TRUE(contains(client.devices_page(user, 0, 10), device));
    client.devices_update(user, device, "{\"name\":\"cpp-updated\"}");
    EXPECT_TRUE(contains(client.devices_get(user, device), "cpp-updated"));

    std::string profile = client.devices_profile(user, device, "us-east-1");
    EXPECT_TRUE(contains(profile, "region us-east-1")) << profile;
    client.devices_profile_revoke(user, device);

    /* A device is found only under its own user. */
    EXPECT_EQ(error_from([&] { client.devices_get("someone-else", device); })
                  .status(),
              CCX_ERR_NOT_FOUND);
    client.devices_delete(user, device);
    EXPECT_EQ(error_from([&] { client.devices_get(user, device); })
                  .status(),
              CCX_ERR_NOT_FOUND);
    client.users_delete(user);
}

TEST(Generated, SettingsGetAndSet)
{
    ccx::Client client;
    std::string before = client.settings_get("wpc/topology");
    ASSERT_EQ(before.front(), '"') << before;

    std::string other =
        before == "\"CUSTOM\"" ? "\"FULL_MESH\"" : "\"CUSTOM\"";
    EXPECT_EQ(client.settings_set("wpc/topology", other), other);
    EXPECT_EQ(client.settings_get("wpc/topology"), other);

    /* Not an allowed value: refused before anything is sent. */
    ccx::Error error = error_from(
        [&] { client.settings_set("wpc/topology", "\"STAR\""); });
    EXPECT_EQ(error.status(), CCX_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error.http_status(), 0);
    EXPECT_EQ(client.settings_get("wpc/topology"), other);

    client.settings_set("wpc/topology", before);
    EXPECT_EQ(client.settings_get("wpc/topology"), before);
}

TEST(Generated, SessionsFollowTheirCursor)
{
    ccx::Client client;
    std::string first = client.sessions_page("", "", 100);
    std::string cursor = field_of(first, "nextCursor");
    ASSERT_FALSE(cursor.empty()) << "the emulator seeds over 100 sessions";
    EXPECT_EQ(count_of(first, "\"sessionId\""), 100u);

    /* Page by page with the cursor, as sessions_list does inside. */
    std::size_t paged = count_of(first, "\"sessionId\"");
    std::string last_id;
    while (!cursor.empty()) {
        std::string next = client.sessions_page("", cursor, 100);
        EXPECT_NE(field_of(next, "sessionId"), field_of(first, "sessionId"));
        paged += count_of(next, "\"sessionId\"");
        cursor = field_of(next, "nextCursor");
    }
    std::string all = client.sessions_list();
    EXPECT_EQ(all.front(), '[');
    EXPECT_EQ(count_of(all, "\"sessionId\""), paged);

    std::string active =
        client.sessions_list("{\"status\":\"ACTIVE\"}");
    EXPECT_GT(count_of(active, "\"ACTIVE\""), 0u);
    EXPECT_FALSE(contains(active, "COMPLETED"));

    EXPECT_EQ(error_from([&] { client.sessions_page("", "not-a-cursor", 10); })
                  .status(),
              CCX_ERR_VALIDATION);
}

TEST(Generated, AuditLogsFollowTheirCursor)
{
    ccx::Client client;
    std::size_t paged = 0;
    std::string cursor;
    do {
        std::string batch = client.audit_logs_page("{}", cursor, 50);
        paged += count_of(batch, "\"initiatorId\"");
        cursor = field_of(batch, "nextCursor");
    } while (!cursor.empty());
    EXPECT_GT(paged, 50u);
    EXPECT_EQ(count_of(client.audit_logs_list(), "\"initiatorId\""), paged);

    std::string mine =
        client.audit_logs_list("{\"initiatorId\":\"api-client\"}");
    EXPECT_GT(count_of(mine, "api-client"), 0u);
    EXPECT_FALSE(contains(mine, "admin@example.com"));
}

TEST(Generated, CyberShieldListsAndSwitches)
{
    ccx::Client client;
    const std::string add =
        "{\"domainAndComments\":[{\"domain\":\"cpp.example.com\","
        "\"comment\":\"from test_client.cpp\"}]}";
    const std::string remove = "{\"domains\":[\"cpp.example.com\"]}";
    client.cyber_shield_allow_list_add(add);
    client.cyber_shield_allow_list_remove(remove);
    client.cyber_shield_block_list_add(add);
    client.cyber_shield_block_list_remove(remove);
    EXPECT_EQ(error_from([&] { client.cyber_shield_block_list_add("{}"); })
                  .status(),
              CCX_ERR_VALIDATION);

    client.dns_log_enable();
    EXPECT_EQ(client.dns_log_get(), "true");
    client.dns_log_disable();
    EXPECT_EQ(client.dns_log_get(), "false");
    client.access_visibility_enable();
    EXPECT_EQ(client.access_visibility_get(), "true");
    client.access_visibility_disable();
    EXPECT_EQ(client.access_visibility_get(), "false");

    EXPECT_EQ(client.vpn_regions_list(), client.call(ccx_vpn_regions_list));
}

} // namespace
