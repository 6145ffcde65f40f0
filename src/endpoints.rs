//! The API's operations as data: one table drives the Rust calls, the
//! exported C functions (generated from it by `xtask`) and their docs.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::client::{ApiRequest, Body, Client, Method};
use crate::config::ApiVersion;
use crate::error::{Error, ErrorKind, Result};
use crate::settings;
use crate::transport::Reply;

/// What an operation does with its arguments and reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Every item of a paged collection, all pages fetched, as one array.
    List,
    /// One page, the envelope as the API returns it.
    Page,
    /// Every item across cursors; the field that holds the items.
    CursorList(&'static str),
    /// One cursor batch as the API returns it.
    CursorPage,
    Get,
    Create,
    Update,
    Delete,
    /// A request whose reply, if any, is returned as JSON.
    Action,
    /// A GET of a value that is not paged (a bare array or a flag).
    Fetch,
    SettingGet,
    SettingSet,
}

/// A C parameter after `ccx_client *client`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// The `networkId` / `hostId` / `userId` query parameter.
    Parent,
    Id,
    /// The `regionId` query parameter of a device profile.
    Region,
    Page,
    Size,
    Body,
    /// A JSON object whose fields become query parameters.
    Filter,
    Cursor,
    /// A setting name.
    Name,
    /// A setting value as JSON.
    Value,
    Out,
}

#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// The exported C function.
    pub function: &'static str,
    pub method: Method,
    /// Relative to `/api/v1`; `{id}` and `{name}` are filled in.
    pub path: &'static str,
    pub op: Op,
    pub params: &'static [Param],
    /// The query name of the parent parameter.
    pub parent: Option<&'static str>,
    pub parent_required: bool,
    pub since: ApiVersion,
}

impl Endpoint {
    pub fn has(&self, param: Param) -> bool {
        self.params.contains(&param)
    }
}

#[allow(clippy::too_many_arguments)]
const fn ep(
    function: &'static str,
    method: Method,
    path: &'static str,
    op: Op,
    params: &'static [Param],
    parent: Option<&'static str>,
    parent_required: bool,
    since: ApiVersion,
) -> Endpoint {
    Endpoint {
        function,
        method,
        path,
        op,
        params,
        parent,
        parent_required,
        since,
    }
}

use ApiVersion::*;
use Method as M;
use Op::*;
use Param as P;

/// Every operation of the API, in the order of `api/functions.tsv`.
#[rustfmt::skip]
pub static ENDPOINTS: &[Endpoint] = &[
    ep("ccx_networks_list", M::Get, "/networks", List, &[P::Out], None, false, V1_0),
    ep("ccx_networks_page", M::Get, "/networks", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_networks_create", M::Post, "/networks", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_networks_get", M::Get, "/networks/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_networks_update", M::Put, "/networks/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_networks_delete", M::Delete, "/networks/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_network_routes_list", M::Get, "/networks/routes", List, &[P::Parent, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_routes_page", M::Get, "/networks/routes", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_routes_create", M::Post, "/networks/routes", Create, &[P::Parent, P::Body, P::Out], Some("networkId"), true, V1_0),
    ep("ccx_network_routes_get", M::Get, "/networks/routes/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_network_routes_update", M::Put, "/networks/routes/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_network_routes_delete", M::Delete, "/networks/routes/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_network_ip_services_list", M::Get, "/networks/ip-services", List, &[P::Parent, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_ip_services_page", M::Get, "/networks/ip-services", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_ip_services_create", M::Post, "/networks/ip-services", Create, &[P::Parent, P::Body, P::Out], Some("networkId"), true, V1_0),
    ep("ccx_network_ip_services_get", M::Get, "/networks/ip-services/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_network_ip_services_update", M::Put, "/networks/ip-services/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_network_ip_services_delete", M::Delete, "/networks/ip-services/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_network_connectors_list", M::Get, "/networks/connectors", List, &[P::Parent, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_connectors_page", M::Get, "/networks/connectors", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_connectors_create", M::Post, "/networks/connectors", Create, &[P::Parent, P::Body, P::Out], Some("networkId"), true, V1_0),
    ep("ccx_network_connectors_get", M::Get, "/networks/connectors/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_network_connectors_update", M::Put, "/networks/connectors/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_network_connectors_delete", M::Delete, "/networks/connectors/{id}", Delete, &[P::Parent, P::Id], Some("networkId"), false, V1_0),
    ep("ccx_network_connectors_profile", M::Post, "/networks/connectors/{id}/profile", Action, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_network_connectors_profile_token", M::Post, "/networks/connectors/{id}/profile/encrypt", Action, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_network_connectors_ipsec_start", M::Post, "/networks/connectors/{id}/ipsec/start", Action, &[P::Id], None, false, V1_0),
    ep("ccx_network_connectors_ipsec_stop", M::Post, "/networks/connectors/{id}/ipsec/stop", Action, &[P::Id], None, false, V1_0),
    ep("ccx_network_connectors_activate", M::Put, "/networks/connectors/{id}/activate", Action, &[P::Id], None, false, V1_2_0),
    ep("ccx_network_connectors_suspend", M::Put, "/networks/connectors/{id}/suspend", Action, &[P::Id], None, false, V1_2_0),
    ep("ccx_network_applications_list", M::Get, "/networks/applications", List, &[P::Parent, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_applications_page", M::Get, "/networks/applications", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("networkId"), false, V1_0),
    ep("ccx_network_applications_create", M::Post, "/networks/applications", Create, &[P::Parent, P::Body, P::Out], Some("networkId"), true, V1_0),
    ep("ccx_network_applications_get", M::Get, "/networks/applications/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_network_applications_update", M::Put, "/networks/applications/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_network_applications_delete", M::Delete, "/networks/applications/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_hosts_list", M::Get, "/hosts", List, &[P::Out], None, false, V1_0),
    ep("ccx_hosts_page", M::Get, "/hosts", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_hosts_create", M::Post, "/hosts", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_hosts_get", M::Get, "/hosts/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_hosts_update", M::Put, "/hosts/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_hosts_delete", M::Delete, "/hosts/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_host_connectors_list", M::Get, "/hosts/connectors", List, &[P::Parent, P::Out], Some("hostId"), false, V1_0),
    ep("ccx_host_connectors_page", M::Get, "/hosts/connectors", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("hostId"), false, V1_0),
    ep("ccx_host_connectors_create", M::Post, "/hosts/connectors", Create, &[P::Parent, P::Body, P::Out], Some("hostId"), true, V1_0),
    ep("ccx_host_connectors_get", M::Get, "/hosts/connectors/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_host_connectors_update", M::Put, "/hosts/connectors/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_host_connectors_delete", M::Delete, "/hosts/connectors/{id}", Delete, &[P::Parent, P::Id], Some("hostId"), false, V1_0),
    ep("ccx_host_connectors_profile", M::Post, "/hosts/connectors/{id}/profile", Action, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_host_connectors_profile_token", M::Post, "/hosts/connectors/{id}/profile/encrypt", Action, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_host_connectors_activate", M::Put, "/hosts/connectors/{id}/activate", Action, &[P::Id], None, false, V1_2_0),
    ep("ccx_host_connectors_suspend", M::Put, "/hosts/connectors/{id}/suspend", Action, &[P::Id], None, false, V1_2_0),
    ep("ccx_host_ip_services_list", M::Get, "/hosts/ip-services", List, &[P::Parent, P::Out], Some("hostId"), false, V1_0),
    ep("ccx_host_ip_services_page", M::Get, "/hosts/ip-services", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("hostId"), false, V1_0),
    ep("ccx_host_ip_services_create", M::Post, "/hosts/ip-services", Create, &[P::Parent, P::Body, P::Out], Some("hostId"), true, V1_0),
    ep("ccx_host_ip_services_get", M::Get, "/hosts/ip-services/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_host_ip_services_update", M::Put, "/hosts/ip-services/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_host_ip_services_delete", M::Delete, "/hosts/ip-services/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_host_applications_list", M::Get, "/hosts/applications", List, &[P::Parent, P::Out], Some("hostId"), false, V1_0),
    ep("ccx_host_applications_page", M::Get, "/hosts/applications", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("hostId"), false, V1_0),
    ep("ccx_host_applications_create", M::Post, "/hosts/applications", Create, &[P::Parent, P::Body, P::Out], Some("hostId"), true, V1_0),
    ep("ccx_host_applications_get", M::Get, "/hosts/applications/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_host_applications_update", M::Put, "/hosts/applications/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_host_applications_delete", M::Delete, "/hosts/applications/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_users_list", M::Get, "/users", List, &[P::Out], None, false, V1_0),
    ep("ccx_users_page", M::Get, "/users", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_users_create", M::Post, "/users", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_users_get", M::Get, "/users/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_users_update", M::Put, "/users/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_users_delete", M::Delete, "/users/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_users_suspend", M::Put, "/users/{id}/suspend", Action, &[P::Id], None, false, V1_1_1),
    ep("ccx_users_activate", M::Put, "/users/{id}/activate", Action, &[P::Id], None, false, V1_1_1),
    ep("ccx_user_groups_list", M::Get, "/user-groups", List, &[P::Out], None, false, V1_0),
    ep("ccx_user_groups_page", M::Get, "/user-groups", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_user_groups_create", M::Post, "/user-groups", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_user_groups_get", M::Get, "/user-groups/{id}", Get, &[P::Id, P::Out], None, false, V1_1_0),
    ep("ccx_user_groups_update", M::Put, "/user-groups/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_user_groups_delete", M::Delete, "/user-groups/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_devices_list", M::Get, "/devices", List, &[P::Parent, P::Out], Some("userId"), false, V1_0),
    ep("ccx_devices_page", M::Get, "/devices", Page, &[P::Parent, P::Page, P::Size, P::Out], Some("userId"), false, V1_0),
    ep("ccx_devices_create", M::Post, "/devices", Create, &[P::Parent, P::Body, P::Out], Some("userId"), true, V1_0),
    ep("ccx_devices_get", M::Get, "/devices/{id}", Get, &[P::Parent, P::Id, P::Out], Some("userId"), true, V1_0),
    ep("ccx_devices_update", M::Put, "/devices/{id}", Update, &[P::Parent, P::Id, P::Body, P::Out], Some("userId"), true, V1_0),
    ep("ccx_devices_delete", M::Delete, "/devices/{id}", Delete, &[P::Parent, P::Id], Some("userId"), true, V1_0),
    ep("ccx_devices_profile", M::Post, "/devices/{id}/profile", Action, &[P::Parent, P::Id, P::Region, P::Out], Some("userId"), true, V1_0),
    ep("ccx_devices_profile_revoke", M::Delete, "/devices/{id}/profile", Action, &[P::Parent, P::Id], Some("userId"), true, V1_0),
    ep("ccx_device_postures_list", M::Get, "/device-postures", List, &[P::Out], None, false, V1_0),
    ep("ccx_device_postures_page", M::Get, "/device-postures", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_device_postures_create", M::Post, "/device-postures", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_device_postures_get", M::Get, "/device-postures/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_device_postures_update", M::Put, "/device-postures/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_device_postures_delete", M::Delete, "/device-postures/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_dns_records_list", M::Get, "/dns-records", List, &[P::Out], None, false, V1_0),
    ep("ccx_dns_records_page", M::Get, "/dns-records", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_dns_records_create", M::Post, "/dns-records", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_dns_records_get", M::Get, "/dns-records/{id}", Get, &[P::Id, P::Out], None, false, V1_1_0),
    ep("ccx_dns_records_update", M::Put, "/dns-records/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_dns_records_delete", M::Delete, "/dns-records/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_vpn_regions_list", M::Get, "/regions", Fetch, &[P::Out], None, false, V1_0),
    ep("ccx_location_contexts_list", M::Get, "/location-contexts", List, &[P::Out], None, false, V1_0),
    ep("ccx_location_contexts_page", M::Get, "/location-contexts", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_location_contexts_create", M::Post, "/location-contexts", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_location_contexts_get", M::Get, "/location-contexts/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_location_contexts_update", M::Put, "/location-contexts/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_location_contexts_delete", M::Delete, "/location-contexts/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_access_groups_list", M::Get, "/access-groups", List, &[P::Out], None, false, V1_0),
    ep("ccx_access_groups_page", M::Get, "/access-groups", Page, &[P::Page, P::Size, P::Out], None, false, V1_0),
    ep("ccx_access_groups_create", M::Post, "/access-groups", Create, &[P::Body, P::Out], None, false, V1_0),
    ep("ccx_access_groups_get", M::Get, "/access-groups/{id}", Get, &[P::Id, P::Out], None, false, V1_0),
    ep("ccx_access_groups_update", M::Put, "/access-groups/{id}", Update, &[P::Id, P::Body, P::Out], None, false, V1_0),
    ep("ccx_access_groups_delete", M::Delete, "/access-groups/{id}", Delete, &[P::Id], None, false, V1_0),
    ep("ccx_cyber_shield_allow_list_add", M::Post, "/cybershield/allow-list-add-domains", Action, &[P::Body], None, false, V1_0),
    ep("ccx_cyber_shield_allow_list_remove", M::Post, "/cybershield/allow-list-remove-domains", Action, &[P::Body], None, false, V1_0),
    ep("ccx_cyber_shield_block_list_add", M::Post, "/cybershield/block-list-add-domains", Action, &[P::Body], None, false, V1_0),
    ep("ccx_cyber_shield_block_list_remove", M::Post, "/cybershield/block-list-remove-domains", Action, &[P::Body], None, false, V1_0),
    ep("ccx_sessions_list", M::Get, "/sessions", CursorList("sessions"), &[P::Filter, P::Out], None, false, V1_0),
    ep("ccx_sessions_page", M::Get, "/sessions", CursorPage, &[P::Filter, P::Cursor, P::Size, P::Out], None, false, V1_0),
    ep("ccx_audit_logs_list", M::Get, "/audit-log", CursorList("auditLogs"), &[P::Filter, P::Out], None, false, V1_1_6),
    ep("ccx_audit_logs_page", M::Get, "/audit-log", CursorPage, &[P::Filter, P::Cursor, P::Size, P::Out], None, false, V1_1_6),
    ep("ccx_dns_log_get", M::Get, "/dns-log/user-dns-resolutions/enabled", Fetch, &[P::Out], None, false, V1_1_1),
    ep("ccx_dns_log_enable", M::Put, "/dns-log/user-dns-resolutions/enable", Action, &[], None, false, V1_1_1),
    ep("ccx_dns_log_disable", M::Put, "/dns-log/user-dns-resolutions/disable", Action, &[], None, false, V1_1_1),
    ep("ccx_access_visibility_get", M::Get, "/access-visibility/enabled", Fetch, &[P::Out], None, false, V1_1_1),
    ep("ccx_access_visibility_enable", M::Put, "/access-visibility/enable", Action, &[], None, false, V1_1_1),
    ep("ccx_access_visibility_disable", M::Put, "/access-visibility/disable", Action, &[], None, false, V1_1_1),
    ep("ccx_settings_get", M::Get, "/settings/{name}", SettingGet, &[P::Name, P::Out], None, false, V1_0),
    ep("ccx_settings_set", M::Put, "/settings/{name}", SettingSet, &[P::Name, P::Value, P::Out], None, false, V1_0),
];

/// The endpoint behind an exported function.
pub fn find(function: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.function == function)
}

/// The arguments of one call, as the C function received them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Args<'a> {
    pub parent: Option<&'a str>,
    pub id: Option<&'a str>,
    pub region: Option<&'a str>,
    pub page: i32,
    pub size: i32,
    pub body: Option<&'a str>,
    pub filter: Option<&'a str>,
    pub cursor: Option<&'a str>,
    pub name: Option<&'a str>,
    pub value: Option<&'a str>,
}

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The longest ID accepted. API IDs are UUIDs; anything near this is a
/// mistake (a body passed as an ID, say), and far longer would only fail
/// later as a URL too long to send, without naming the argument.
pub(crate) const ID_MAX: usize = 1024;

/// Refuses an ID-like argument longer than `ID_MAX`, by name.
pub fn check_id_length(value: &str, what: &str) -> Result<()> {
    if value.len() > ID_MAX {
        return Err(Error::invalid_argument(format!(
            "{what} is {} bytes long; IDs are short (the API's are UUIDs), at most {ID_MAX} \
             bytes are accepted",
            value.len()
        )));
    }
    Ok(())
}

/// Escapes an ID into exactly one path segment: `/`, `?`, `#`, spaces and
/// dot segments can never reach another endpoint.
pub fn path_segment(id: &str, what: &str) -> Result<String> {
    if id.is_empty() {
        return Err(Error::invalid_argument(format!("{what} is empty")));
    }
    check_id_length(id, what)?;
    // "." and ".." would be path steps, and even escaped as %2E a server or
    // proxy that decodes them would climb out of the resource; no API ID
    // is made of dots alone.
    if id.bytes().all(|b| b == b'.') {
        return Err(Error::invalid_argument(format!(
            "{what} {id:?} is made of dots only, which is not an ID"
        )));
    }
    Ok(percent_encoding::utf8_percent_encode(id, SEGMENT).to_string())
}

/// A reply body as JSON: passed through when it is JSON, else returned as
/// a JSON string (profiles come back as text).
pub fn json_or_text(body: &[u8]) -> Result<String> {
    match std::str::from_utf8(body) {
        Ok(text) if serde_json::from_str::<&RawValue>(text).is_ok() => Ok(text.to_string()),
        Ok(text) => Ok(serde_json::Value::String(text.to_string()).to_string()),
        Err(_) => Err(Error::new(
            ErrorKind::Response,
            "reply is neither JSON nor UTF-8 text",
        )),
    }
}

/// A reply's body as the JSON a function returns, or `None` when there is
/// no body. JSON passes through untouched. Text is accepted only where the
/// API answers with text (profiles, tokens, `ccx_request`) and is returned
/// as a JSON string; anything else that is not JSON, such as an HTML page
/// from a wrong host or a cut-off body, is a bad reply.
pub fn reply_json(reply: &Reply, text_allowed: bool, what: &str) -> Result<Option<String>> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = reply
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let start = String::from_utf8_lossy(&reply.body[..reply.body.len().min(64)])
        .trim_start()
        .to_ascii_lowercase();
    let html = content_type.contains("html")
        || start.starts_with("<!doctype")
        || start.starts_with("<html");
    let is_json = std::str::from_utf8(&reply.body)
        .is_ok_and(|text| serde_json::from_str::<&RawValue>(text).is_ok());
    if is_json || (text_allowed && !html && !content_type.contains("json")) {
        return json_or_text(&reply.body).map(Some);
    }
    let problem = if html {
        "is an HTML page, not the API's JSON: check that the API URL is \
         https://<cloud-id>.api.openvpn.com"
    } else {
        "is not valid JSON"
    };
    Err(
        Error::new(ErrorKind::Response, format!("{what}: the reply {problem}"))
            .with_reply(reply.status, &reply.body),
    )
}

pub fn check_json(text: &str, what: &str) -> Result<()> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|e| Error::invalid_argument(format!("{what} is not valid JSON: {e}")))
}

/// The longest `ccx_request` path, query included: servers commonly refuse
/// request lines over 8 KiB. A filter or a cursor gets the same limit.
pub(crate) const REQUEST_PATH_MAX: usize = 8192;

/// Refuses a filter or cursor that could not fit in a request line.
fn check_query_length(value: &str, what: &str) -> Result<()> {
    if value.len() > REQUEST_PATH_MAX {
        return Err(Error::invalid_argument(format!(
            "{what} is {} bytes long, more than the {REQUEST_PATH_MAX} that fit in a request",
            value.len()
        )));
    }
    Ok(())
}

/// Checks a `ccx_request` path: relative to `/api/v1` (a leading `/api/v1`
/// is tolerated), with no scheme, host, fragment or dot segment, so that a
/// request can only reach this API's own paths.
pub fn check_request_path(path: &str) -> Result<String> {
    let given = path;
    let fail = |problem: &str| {
        Err(Error::invalid_argument(format!(
            "path {:?} {problem}; give a path relative to /api/v1 such as \"/networks?page=0\"",
            crate::error::truncate(given, 200)
        )))
    };
    if path.len() > REQUEST_PATH_MAX {
        return fail(&format!(
            "is {} bytes long, more than the {REQUEST_PATH_MAX} accepted",
            path.len()
        ));
    }
    let path = match path.strip_prefix("/api/v1") {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', '?']) => rest,
        _ => path,
    };
    if !path.starts_with('/') || path.starts_with("//") {
        return fail("must start with a single '/'");
    }
    if path.contains("://") {
        return fail("must not be a URL");
    }
    if path.chars().any(|c| c.is_control() || c == ' ' || c == '#') {
        return fail("contains a space, control character or '#' (escape them)");
    }
    // Some servers and proxies read a backslash as '/' and decode %2E, so
    // those could form a '..' step too.
    if path.contains('\\') {
        return fail("contains a backslash");
    }
    let route = path.split('?').next().unwrap_or_default();
    let is_dot_step = |segment: &str| {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    };
    if route.split('/').any(is_dot_step) {
        return fail("contains a '.' or '..' segment (or an escaped one)");
    }
    Ok(path.to_string())
}

/// Query parameters from a filter object: strings as they are, numbers and
/// booleans as their JSON text.
fn filter_pairs(filter: &str) -> Result<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_str(filter)
        .map_err(|e| Error::invalid_argument(format!("filter_json is not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(Error::invalid_argument(
            "filter_json must be a JSON object such as {\"startDate\":\"2024-01-01T00:00:00Z\"}",
        ));
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (key, value) in map {
        if key == "size" || key == "cursor" {
            // The call sets these itself; a second copy in the query would
            // leave the server to pick one.
            return Err(Error::invalid_argument(format!(
                "filter_json must not contain {key:?}: pass it as the {key} argument \
                 of the _page function (the _list functions use the client's page size)"
            )));
        }
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => continue,
            serde_json::Value::Bool(_) | serde_json::Value::Number(_) => value.to_string(),
            _ => {
                return Err(Error::invalid_argument(format!(
                    "filter_json field {key:?} must be a string, number or boolean"
                )))
            }
        };
        pairs.push((key, text));
    }
    Ok(pairs)
}

/// A path with its query string.
struct Target {
    path: String,
    query: url::form_urlencoded::Serializer<'static, String>,
    has_query: bool,
}

impl Target {
    fn new(path: String) -> Target {
        Target {
            path,
            query: url::form_urlencoded::Serializer::new(String::new()),
            has_query: false,
        }
    }

    fn add(&mut self, name: &str, value: &str) {
        self.query.append_pair(name, value);
        self.has_query = true;
    }

    fn finish(&mut self) -> String {
        if self.has_query {
            format!("{}?{}", self.path, self.query.finish())
        } else {
            self.path.clone()
        }
    }
}

#[derive(Deserialize)]
struct PageEnvelope<'a> {
    #[serde(borrow)]
    content: Option<Vec<&'a RawValue>>,
    #[serde(rename = "totalPages")]
    total_pages: Option<i64>,
    #[serde(rename = "totalElements")]
    total_elements: Option<i64>,
    page: Option<i64>,
}

/// One page of a paged collection: its items, each kept byte for byte,
/// and the counts the server gave.
#[derive(Debug)]
pub struct Page<'a> {
    pub items: Vec<&'a RawValue>,
    pub total_pages: Option<i64>,
    pub total_elements: Option<i64>,
    pub page: Option<i64>,
}

/// Reads a page envelope; the error says what is wrong with it.
pub fn parse_page(body: &[u8]) -> std::result::Result<Page<'_>, String> {
    let envelope: PageEnvelope<'_> =
        serde_json::from_slice(body).map_err(|e| format!("is not a page envelope: {e}"))?;
    let items = envelope
        .content
        .ok_or_else(|| "has no \"content\" array".to_string())?;
    Ok(Page {
        items,
        total_pages: envelope.total_pages,
        total_elements: envelope.total_elements,
        page: envelope.page,
    })
}

/// One batch of a cursor feed: its items and the cursor of the next one.
#[derive(Debug)]
pub struct Batch<'a> {
    pub items: Vec<&'a RawValue>,
    pub next_cursor: Option<String>,
}

/// Reads a cursor batch whose items are in `field`; the error says what
/// is wrong with it.
pub fn parse_batch<'a>(body: &'a [u8], field: &str) -> std::result::Result<Batch<'a>, String> {
    // Owned keys: a borrowed &str cannot hold a key spelt with an escape
    // (`"caf\u00e9"`), and an unknown field must not fail the whole list.
    let envelope: std::collections::HashMap<String, &RawValue> =
        serde_json::from_slice(body).map_err(|e| format!("is not a JSON object: {e}"))?;
    let items: Vec<&RawValue> = match envelope.get(field) {
        Some(raw) if raw.get() == "null" => Vec::new(),
        Some(raw) => serde_json::from_str(raw.get())
            .map_err(|_| format!("has a \"{field}\" that is not an array"))?,
        None => return Err(format!("has no \"{field}\" array")),
    };
    let next_cursor = match envelope.get("nextCursor") {
        Some(raw) => serde_json::from_str::<Option<String>>(raw.get())
            .map_err(|_| "has a nextCursor that is not a string".to_string())?,
        None => None,
    };
    Ok(Batch {
        items,
        next_cursor: next_cursor.filter(|c| !c.is_empty()),
    })
}

/// A JSON array built from raw items, kept byte for byte.
struct ArrayBuilder {
    text: String,
    count: usize,
}

impl ArrayBuilder {
    fn new() -> ArrayBuilder {
        ArrayBuilder {
            text: String::from("["),
            count: 0,
        }
    }

    fn push_all(&mut self, items: &[&RawValue]) {
        for item in items {
            if self.count > 0 {
                self.text.push(',');
            }
            self.text.push_str(item.get());
            self.count += 1;
        }
    }

    fn finish(mut self) -> String {
        self.text.push(']');
        self.text
    }
}

/// The most memory reserved up front for a list, whatever size the server
/// claims; past it the array grows as items arrive.
const RESERVE_CAP: usize = 64 * 1024 * 1024;

/// Pages a list follows at most, against a server that never says "done".
const MAX_PAGES: i64 = 1_000_000;

impl Client {
    /// Runs one operation of the table and returns its JSON, if any.
    pub fn call(&self, endpoint: &Endpoint, args: &Args<'_>) -> Result<Option<String>> {
        let version = self.config().api_version;
        if version < endpoint.since {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "{} needs API version {} or newer; this client uses {} \
                     (set api_version or CLOUDCONNEXA_API_VERSION)",
                    endpoint.function, endpoint.since, version
                ),
            ));
        }
        if let Some(body) = args.body {
            check_json(body, "body_json")?;
        }
        if endpoint.op == SettingGet || endpoint.op == SettingSet {
            return self.call_setting(endpoint, args);
        }
        let mut path = endpoint.path.to_string();
        if endpoint.has(P::Id) {
            let id = args
                .id
                .ok_or_else(|| Error::invalid_argument("id is NULL"))?;
            path = path.replace("{id}", &path_segment(id, "id")?);
        }
        let mut target = Target::new(path);
        if let Some(name) = endpoint.parent {
            match args.parent {
                Some("") => {
                    return Err(Error::invalid_argument(format!(
                        "{} is empty",
                        c_name(name)
                    )))
                }
                Some(parent) => {
                    check_id_length(parent, &c_name(name))?;
                    target.add(name, parent)
                }
                None if endpoint.parent_required => {
                    return Err(Error::invalid_argument(format!(
                        "{} is NULL: {} needs it",
                        c_name(name),
                        endpoint.function
                    )))
                }
                None => {}
            }
        }
        if endpoint.has(P::Region) {
            match args.region {
                Some(region) if !region.is_empty() => {
                    check_id_length(region, "region_id")?;
                    target.add("regionId", region)
                }
                _ => return Err(Error::invalid_argument("region_id is NULL or empty")),
            }
        }
        if let Some(filter) = args.filter {
            check_query_length(filter, "filter_json")?;
            for (name, value) in filter_pairs(filter)? {
                target.add(&name, &value);
            }
        }
        match endpoint.op {
            List => self.list_pages(endpoint, target).map(Some),
            CursorList(items) => self.list_cursors(endpoint, target, items).map(Some),
            Page => {
                check_page(args.page, args.size, 1000)?;
                target.add("page", &args.page.to_string());
                target.add("size", &args.size.to_string());
                self.fetch(endpoint, &target.finish(), None)
            }
            CursorPage => {
                check_page(0, args.size, 100)?;
                if let Some(cursor) = args.cursor.filter(|c| !c.is_empty()) {
                    check_query_length(cursor, "cursor")?;
                    target.add("cursor", cursor);
                }
                target.add("size", &args.size.to_string());
                self.fetch(endpoint, &target.finish(), None)
            }
            _ => {
                let body = args.body.map(|b| Body::Json(b.as_bytes()));
                self.fetch(endpoint, &target.finish(), body)
            }
        }
    }

    /// One request; the reply's JSON, or `None` when it has no body. Only
    /// actions (profiles, profile tokens) may answer with text.
    fn fetch(
        &self,
        endpoint: &Endpoint,
        path: &str,
        body: Option<Body<'_>>,
    ) -> Result<Option<String>> {
        let reply = self.send(&ApiRequest {
            method: endpoint.method,
            path_and_query: path,
            body,
        })?;
        let what = format!("{} /api/v1{}", endpoint.method.as_str(), endpoint.path);
        reply_json(&reply, endpoint.op == Action, &what)
    }

    fn list_pages(&self, endpoint: &Endpoint, mut target: Target) -> Result<String> {
        let size = i64::from(self.page_size());
        let base = target.finish();
        let separator = if target.has_query { '&' } else { '?' };
        let mut items = ArrayBuilder::new();
        let mut page: i64 = 0;
        // The previous page's items, to catch a server that ignores `page`
        // and sends the same full page again, which would otherwise be
        // followed up to MAX_PAGES times with every item repeated.
        let mut previous: Vec<String> = Vec::new();
        loop {
            let path = format!("{base}{separator}page={page}&size={size}");
            let reply = self.send(&ApiRequest {
                method: endpoint.method,
                path_and_query: &path,
                body: None,
            })?;
            let what = format!("GET /api/v1{} page {page}", target.path);
            let envelope = parse_page(&reply.body)
                .map_err(|problem| bad_reply(&what, &problem, &reply.body))?;
            let content = envelope.items;
            if let Some(echoed) = envelope.page {
                if echoed != page {
                    return Err(bad_reply(
                        &what,
                        &format!("is page {echoed}, not the page asked for"),
                        &reply.body,
                    ));
                }
            }
            if page == 0 {
                if let Some(total) = envelope.total_elements.filter(|t| *t > 0) {
                    let per_item = reply.body.len() / content.len().max(1);
                    items.text.reserve(
                        (total as usize)
                            .saturating_mul(per_item + 1)
                            .min(RESERVE_CAP),
                    );
                }
            }
            if !content.is_empty() && content.iter().map(|i| i.get()).eq(previous.iter()) {
                return Err(bad_reply(
                    &what,
                    &format!(
                        "repeats page {} item for item; the server may be ignoring \
                         the page parameter",
                        page - 1
                    ),
                    &reply.body,
                ));
            }
            items.push_all(&content);
            previous = content.iter().map(|i| i.get().to_string()).collect();
            let more = match envelope.total_pages {
                Some(total) => {
                    if content.is_empty() && page + 1 < total {
                        return Err(bad_reply(
                            &what,
                            &format!("is empty although totalPages is {total}"),
                            &reply.body,
                        ));
                    }
                    page + 1 < total
                }
                // Without totalPages, a full page means there may be more.
                None => content.len() as i64 >= size,
            };
            if !more {
                return Ok(items.finish());
            }
            page += 1;
            if page >= MAX_PAGES {
                return Err(bad_reply(&what, "never ends", &reply.body));
            }
        }
    }

    fn list_cursors(&self, endpoint: &Endpoint, mut target: Target, field: &str) -> Result<String> {
        let size = self.page_size().min(100);
        target.add("size", &size.to_string());
        let base = target.finish();
        let mut items = ArrayBuilder::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let path = match &cursor {
                Some(c) => {
                    let mut q = url::form_urlencoded::Serializer::new(String::new());
                    q.append_pair("cursor", c);
                    format!("{base}&{}", q.finish())
                }
                None => base.clone(),
            };
            let reply = self.send(&ApiRequest {
                method: endpoint.method,
                path_and_query: &path,
                body: None,
            })?;
            let what = format!("GET /api/v1{}", target.path);
            let batch = parse_batch(&reply.body, field)
                .map_err(|problem| bad_reply(&what, &problem, &reply.body))?;
            items.push_all(&batch.items);
            match batch.next_cursor {
                // A cursor seen before would start a cycle (A, B, A, ...).
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(bad_reply(
                        &what,
                        "repeats an earlier nextCursor",
                        &reply.body,
                    ))
                }
                Some(next) => cursor = Some(next),
                None => return Ok(items.finish()),
            }
        }
    }

    fn call_setting(&self, endpoint: &Endpoint, args: &Args<'_>) -> Result<Option<String>> {
        let name = args
            .name
            .ok_or_else(|| Error::invalid_argument("name is NULL"))?;
        let setting = settings::find(name)?;
        let version = self.config().api_version;
        if version < setting.since {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "setting {name} needs API version {} or newer; this client uses {version}",
                    setting.since
                ),
            ));
        }
        let path = endpoint.path.replace("{name}", setting.name);
        let encoded = match endpoint.op {
            SettingSet => {
                let value = args
                    .value
                    .ok_or_else(|| Error::invalid_argument("value_json is NULL"))?;
                Some(settings::encode(setting, value)?)
            }
            _ => None,
        };
        let reply = self.send(&ApiRequest {
            method: endpoint.method,
            path_and_query: &path,
            body: encoded.as_ref().map(|e| e.body()),
        })?;
        settings::decode(setting, &reply.body, endpoint.op == SettingGet)
    }
}

fn check_page(page: i32, size: i32, max: i32) -> Result<()> {
    if page < 0 {
        return Err(Error::invalid_argument(format!(
            "page {page} is negative: pages start at 0"
        )));
    }
    if !(1..=max).contains(&size) {
        return Err(Error::invalid_argument(format!(
            "size {size} is out of range: the API takes 1 to {max}"
        )));
    }
    Ok(())
}

fn bad_reply(what: &str, problem: &str, body: &[u8]) -> Error {
    Error::new(ErrorKind::Response, format!("{what}: the reply {problem}")).with_reply(200, body)
}

/// The C argument name of a parent query parameter: `networkId` becomes
/// `network_id`.
pub fn c_name(query_name: &str) -> String {
    let mut out = String::new();
    for c in query_name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_cannot_repeat_size_or_cursor() {
        assert!(filter_pairs(r#"{"size":5}"#).is_err());
        assert!(filter_pairs(r#"{"cursor":"abc"}"#).is_err());
        let pairs = filter_pairs(r#"{"status":"ACTIVE","returnOnlyNew":true}"#).unwrap();
        assert_eq!(pairs.len(), 2);
    }

    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(
            path_segment("a/b?c#d e", "id").unwrap(),
            "a%2Fb%3Fc%23d%20e"
        );
        assert!(path_segment("..", "id").is_err());
        assert!(path_segment(".", "id").is_err());
        assert_eq!(path_segment("a..b", "id").unwrap(), "a..b");
        assert_eq!(path_segment("%2e%2e", "id").unwrap(), "%252e%252e");
        assert!(path_segment("", "id").is_err());
        assert!(path_segment(&"a".repeat(ID_MAX), "id").is_ok());
        let long = path_segment(&"a".repeat(ID_MAX + 1), "id").unwrap_err();
        assert!(
            long.message().starts_with("id is 1025 bytes long"),
            "{}",
            long.message()
        );
    }

    #[test]
    fn request_paths_cannot_step_out_of_the_api() {
        for path in [
            "/networks/%2e%2E/users",
            "/..\\users",
            "/networks/%2E",
            "/a/./b",
        ] {
            assert!(check_request_path(path).is_err(), "{path}");
        }
        assert_eq!(
            check_request_path("/api/v1/networks?page=0").unwrap(),
            "/networks?page=0"
        );
    }

    #[test]
    fn every_function_is_in_the_table_once() {
        let mut names: Vec<&str> = ENDPOINTS.iter().map(|e| e.function).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ENDPOINTS.len());
    }
}
