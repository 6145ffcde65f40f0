package cloudconnexa

// #include "ccxgo.h"
import "C"

// The resource methods below cover networks, routes, users, user groups
// and regions; Request reaches every other endpoint. List methods follow
// every page; Page methods return one page envelope as the API sends it.

// NetworksList returns every network as a JSON array.
func (c *Client) NetworksList() (string, error) {
	return c.callO(C.ccxgo_fn_o(C.ccx_networks_list))
}

// NetworksPage returns one page of networks; pages start at 0.
func (c *Client) NetworksPage(page, size int32) (string, error) {
	return c.callIIO(C.ccxgo_fn_iio(C.ccx_networks_page), page, size)
}

// NetworksGet returns one network.
func (c *Client) NetworksGet(id string) (string, error) {
	return c.callSO(C.ccxgo_fn_so(C.ccx_networks_get), str("id", id))
}

// NetworksCreate creates a network from its JSON and returns it.
func (c *Client) NetworksCreate(bodyJSON string) (string, error) {
	return c.callSO(C.ccxgo_fn_so(C.ccx_networks_create),
		str("bodyJSON", bodyJSON))
}

// NetworksUpdate replaces a network's settings and returns it.
func (c *Client) NetworksUpdate(id, bodyJSON string) (string, error) {
	return c.callSSO(C.ccxgo_fn_sso(C.ccx_networks_update), str("id", id),
		str("bodyJSON", bodyJSON))
}

// NetworksDelete deletes a network.
func (c *Client) NetworksDelete(id string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_networks_delete), str("id", id))
}

// NetworkRoutesList returns the routes of one network, or of all
// networks when networkID is "".
func (c *Client) NetworkRoutesList(networkID string) (string, error) {
	return c.callSO(C.ccxgo_fn_so(C.ccx_network_routes_list),
		opt("networkID", networkID))
}

// NetworkRoutesPage returns one page of routes ("" = every network).
func (c *Client) NetworkRoutesPage(networkID string,
	page, size int32) (string, error) {
	return c.callSIIO(C.ccxgo_fn_siio(C.ccx_network_routes_page),
		opt("networkID", networkID), page, size)
}

// NetworkRoutesCreate adds a route to a network.
func (c *Client) NetworkRoutesCreate(networkID,
	bodyJSON string) (string, error) {
	return c.callSSO(C.ccxgo_fn_sso(C.ccx_network_routes_create),
		str("networkID", networkID), str("bodyJSON", bodyJSON))
}

// NetworkRoutesDelete deletes a route.
func (c *Client) NetworkRoutesDelete(id string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_network_routes_delete), str("id", id))
}

// NetworkConnectorsDelete deletes a connector; networkID may be "".
func (c *Client) NetworkConnectorsDelete(networkID, id string) error {
	return c.callSS(C.ccxgo_fn_ss(C.ccx_network_connectors_delete),
		opt("networkID", networkID), str("id", id))
}

// UsersList returns every user as a JSON array.
func (c *Client) UsersList() (string, error) {
	return c.callO(C.ccxgo_fn_o(C.ccx_users_list))
}

// UsersPage returns one page of users; pages start at 0.
func (c *Client) UsersPage(page, size int32) (string, error) {
	return c.callIIO(C.ccxgo_fn_iio(C.ccx_users_page), page, size)
}

// UsersGet returns one user.
func (c *Client) UsersGet(id string) (string, error) {
	return c.callSO(C.ccxgo_fn_so(C.ccx_users_get), str("id", id))
}

// UsersCreate creates a user from its JSON and returns it.
func (c *Client) UsersCreate(bodyJSON string) (string, error) {
	return c.callSO(C.ccxgo_fn_so(C.ccx_users_create), str("bodyJSON", bodyJSON))
}

// UsersUpdate replaces a user's settings and returns the user.
func (c *Client) UsersUpdate(id, bodyJSON string) (string, error) {
	return c.callSSO(C.ccxgo_fn_sso(C.ccx_users_update), str("id", id),
		str("bodyJSON", bodyJSON))
}

// UsersDelete deletes a user.
func (c *Client) UsersDelete(id string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_users_delete), str("id", id))
}

// UsersSuspend suspends a user.
func (c *Client) UsersSuspend(id string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_users_suspend), str("id", id))
}

// UsersActivate activates a suspended user.
func (c *Client) UsersActivate(id string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_users_activate), str("id", id))
}

// UserGroupsList returns every user group as a JSON array.
func (c *Client) UserGroupsList() (string, error) {
	return c.callO(C.ccxgo_fn_o(C.ccx_user_groups_list))
}

// UserGroupsGet returns one user group.
func (c *Client) UserGroupsGet(id string) (string, error) {
	return c.callSO(C.ccxgo_fn_so(C.ccx_user_groups_get), str("id", id))
}

// VPNRegionsList returns every VPN region as a JSON array.
func (c *Client) VPNRegionsList() (string, error) {
	return c.callO(C.ccxgo_fn_o(C.ccx_vpn_regions_list))
}
