/*
 * cloudconnexa.hpp: a header-only C++17 wrapper over cloudconnexa.h.
 *
 * Errors: every failing call throws ccx::Error, which carries the status
 * code, the HTTP status (0 when no reply was involved), the message and the
 * server's error body, all copied from the calling thread's last-error slot
 * before anything else can overwrite it.
 *
 * Ownership: ccx::Client owns its ccx_client and frees it in its
 * destructor; it can be moved but not copied. JSON comes back as
 * std::string; the library's own allocation is freed before the call
 * returns, so no ccx_string_free is ever needed from C++.
 *
 * Threading: one Client may be used from many threads at once, which is
 * why its calls are const members; moving it or destroying it must not race
 * with calls on it.
 *
 * Any of the library's functions can be reached through Client::call (it
 * returns the JSON out-parameter) and Client::run (no out-parameter):
 *
 *     std::string regions = client.call(ccx_vpn_regions_list);
 *     client.run(ccx_devices_delete, id);
 *
 * Link with the C library: `pkg-config --cflags --libs cloudconnexa`.
 */
#ifndef CLOUDCONNEXA_HPP
#define CLOUDCONNEXA_HPP

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "cloudconnexa.h"

namespace ccx {

/* A failed call, with everything the library recorded about it. */
class Error : public std::runtime_error {
public:
    Error(ccx_status status, std::int32_t http_status,
          const std::string &message, std::string body)
        : std::runtime_error(message), status_(status),
          http_status_(http_status), body_(std::move(body))
    {
    }

    /*
     * The calling thread's last error, as left by the call that returned
     * status. Must run before any other ccx_ call on this thread.
     */
    static Error last(ccx_status status)
    {
        return Error(status, ccx_last_http_status(), ccx_last_error(),
                     ccx_last_error_body());
    }

    ccx_status status() const noexcept { return status_; }
    /* The static name of the status, e.g. "not found". */
    const char *status_name() const noexcept
    {
        return ccx_status_str(status_);
    }
    std::int32_t http_status() const noexcept { return http_status_; }
    /* The failing reply's body (capped by the library), or "". */
    const std::string &body() const noexcept { return body_; }

private:
    ccx_status status_;
    std::int32_t http_status_;
    std::string body_;
};

namespace detail {

struct StringFree {
    void operator()(char *s) const noexcept { ccx_string_free(s); }
};
using OwnedString = std::unique_ptr<char, StringFree>;

inline void check(ccx_status status)
{
    if (status != CCX_OK)
        throw Error::last(status);
}

/*
 * The one place a std::string becomes a C string. The C side would stop at
 * an embedded NUL and act on a different ID or a truncated body, so such
 * a string is refused with CCX_ERR_INVALID_ARGUMENT before any C call.
 */
inline const char *c_string(const std::string &s)
{
    if (s.find('\0') != std::string::npos)
        throw Error(CCX_ERR_INVALID_ARGUMENT, 0,
                    "a string argument contains a NUL byte", "");
    return s.c_str();
}

/* How each C++ argument is passed to the C function. */
inline const char *arg(const std::string &s) { return c_string(s); }
inline const char *arg(const char *s) { return s; }
inline const char *arg(std::nullptr_t) { return nullptr; }
template <typename T,
          typename = std::enable_if_t<std::is_arithmetic<T>::value>>
T arg(T value)
{
    return value;
}

/* An empty string means "leave it out" where the API allows that. */
inline const char *optional(const std::string &s)
{
    return s.empty() ? nullptr : c_string(s);
}

} // namespace detail

/* The version of the library actually loaded, e.g. "0.1.0". */
inline std::string version() { return ccx_version(); }

class Client {
public:
    /*
     * Builds a client without any network I/O. An empty argument falls
     * back to CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID,
     * CLOUDCONNEXA_CLIENT_SECRET and CLOUDCONNEXA_API_VERSION. Throws
     * ccx::Error (CCX_ERR_CONFIG) when something is missing or malformed.
     */
    explicit Client(const std::string &api_url = {},
                    const std::string &client_id = {},
                    const std::string &client_secret = {},
                    const std::string &api_version = {})
        : handle_(ccx_client_new(
              detail::optional(api_url), detail::optional(client_id),
              detail::optional(client_secret),
              detail::optional(api_version)))
    {
        if (handle_ == nullptr)
            throw Error::last(ccx_last_error_code());
    }

    ~Client() { ccx_client_free(handle_); }

    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    Client(Client &&other) noexcept
        : handle_(std::exchange(other.handle_, nullptr))
    {
    }

    Client &operator=(Client &&other) noexcept
    {
        if (this != &other) {
            ccx_client_free(handle_);
            handle_ = std::exchange(other.handle_, nullptr);
        }
        return *this;
    }

    /* The C handle, still owned by this object; null after a move. */
    ccx_client *native() const noexcept { return handle_; }

    /*
     * Calls any resource function whose last parameter is char **out_json,
     * passing the handle first, and returns the JSON it produced.
     * std::string arguments are passed as const char *.
     */
    template <typename Fn, typename... Args>
    std::string call(Fn fn, const Args &...args) const
    {
        char *out = nullptr;
        ccx_status status = fn(handle_, detail::arg(args)..., &out);
        detail::OwnedString owned(out);

        detail::check(status);
        return owned ? std::string(owned.get()) : std::string();
    }

    /* Calls any function that has no JSON output, e.g. a delete. */
    template <typename Fn, typename... Args>
    void run(Fn fn, const Args &...args) const
    {
        detail::check(fn(handle_, detail::arg(args)...));
    }

    /* Core */

    void authenticate() const { run(ccx_authenticate); }

    /* Unix seconds at which the current token expires; 0 if none. */
    std::int64_t token_expires_at() const
    {
        return ccx_token_expires_at(handle_);
    }

    /*
     * Any API call: path is relative to /api/v1 and may carry a query.
     * An empty body sends none.
     */
    std::string request(const std::string &method, const std::string &path,
                        const std::string &body = {}) const
    {
        return call(ccx_request, method, path, detail::optional(body));
    }

    void set_timeout_ms(std::uint32_t ms) const
    {
        run(ccx_client_set_timeout_ms, ms);
    }
    void set_max_retries(std::uint32_t n) const
    {
        run(ccx_client_set_max_retries, n);
    }
    void set_max_retry_wait_ms(std::uint32_t ms) const
    {
        run(ccx_client_set_max_retry_wait_ms, ms);
    }
    void set_page_size(std::uint32_t size) const
    {
        run(ccx_client_set_page_size, size);
    }
    void set_user_agent(const std::string &user_agent) const
    {
        run(ccx_client_set_user_agent, user_agent);
    }
    void set_ca_file(const std::string &pem_path) const
    {
        run(ccx_client_set_ca_file, pem_path);
    }
    /* An empty URL turns the proxy off. */
    void set_proxy(const std::string &proxy_url) const
    {
        run(ccx_client_set_proxy, detail::optional(proxy_url));
    }

    /* Networks */

    std::string networks_list() const { return call(ccx_networks_list); }
    std::string networks_page(std::int32_t page, std::int32_t size) const
    {
        return call(ccx_networks_page, page, size);
    }
    std::string networks_get(const std::string &id) const
    {
        return call(ccx_networks_get, id);
    }
    std::string networks_create(const std::string &body_json) const
    {
        return call(ccx_networks_create, body_json);
    }
    std::string networks_update(const std::string &id,
                                const std::string &body_json) const
    {
        return call(ccx_networks_update, id, body_json);
    }
    void networks_delete(const std::string &id) const
    {
        run(ccx_networks_delete, id);
    }

    /* Network routes; an empty network_id lists the routes of all. */

    std::string network_routes_list(const std::string &network_id = {}) const
    {
        return call(ccx_network_routes_list, detail::optional(network_id));
    }
    std::string network_routes_create(const std::string &network_id,
                                      const std::string &body_json) const
    {
        return call(ccx_network_routes_create, network_id, body_json);
    }
    void network_routes_delete(const std::string &id) const
    {
        run(ccx_network_routes_delete, id);
    }

    /* Users */

    std::string users_list() const { return call(ccx_users_list); }
    std::string users_page(std::int32_t page, std::int32_t size) const
    {
        return call(ccx_users_page, page, size);
    }
    std::string users_get(const std::string &id) const
    {
        return call(ccx_users_get, id);
    }
    std::string users_create(const std::string &body_json) const
    {
        return call(ccx_users_create, body_json);
    }
    std::string users_update(const std::string &id,
                             const std::string &body_json) const
    {
        return call(ccx_users_update, id, body_json);
    }
    void users_delete(const std::string &id) const
    {
        run(ccx_users_delete, id);
    }
    void users_suspend(const std::string &id) const
    {
        run(ccx_users_suspend, id);
    }
    void users_activate(const std::string &id) const
    {
        run(ccx_users_activate, id);
    }

    /* User groups */

    std::string user_groups_list() const
    {
        return call(ccx_user_groups_list);
    }
    std::string user_groups_get(const std::string &id) const
    {
        return call(ccx_user_groups_get, id);
    }

    /* VPN regions */

    std::string vpn_regions_list() const
    {
        return call(ccx_vpn_regions_list);
    }

private:
    ccx_client *handle_;
};

} // namespace ccx

#endif
