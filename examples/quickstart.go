// quickstart.go: examples/quickstart.c with the Go binding. Lists
// networks, creates one with a connector in the first VPN region, reads it
// back, deletes it, then shows an error.
//
// Credentials come from CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID and
// CLOUDCONNEXA_CLIENT_SECRET. `make demo-go` runs it on the emulator; by
// hand, from bindings/go:
//
//	go run -tags ccx_intree ../../examples/quickstart.go
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	cloudconnexa "github.com/libcloudconnexa/cloudconnexa-go"
)

// The documentation says a network needs a connector for traffic to
// pass, so it gets one, in a region of this tenant.
type connector struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	VpnRegionID string `json:"vpnRegionId"`
}

type route struct {
	Value       string `json:"value"`
	Description string `json:"description"`
}

type networkCreate struct {
	Name           string      `json:"name"`
	Description    string      `json:"description"`
	InternetAccess string      `json:"internetAccess"`
	Egress         bool        `json:"egress"`
	Routes         []route     `json:"routes"`
	Connectors     []connector `json:"connectors"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "failed:", err)
		os.Exit(1)
	}
}

func run() error {
	fmt.Println("libcloudconnexa", cloudconnexa.Version())

	// Empty arguments are read from the CLOUDCONNEXA_* variables.
	client, err := cloudconnexa.NewClient("", "", "", "")
	if err != nil {
		return err
	}
	defer client.Close()

	if err := client.Authenticate(); err != nil {
		return err
	}
	fmt.Println("authenticated; token expires at", client.TokenExpiresAt())

	networks, err := client.NetworksList()
	if err != nil {
		return err
	}
	fmt.Println("networks:", networks)

	regionsJSON, err := client.VpnRegionsList()
	if err != nil {
		return err
	}
	var regions []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(regionsJSON), &regions); err != nil {
		return err
	}
	if len(regions) == 0 {
		return errors.New("no VPN region to put a connector in")
	}
	region := regions[0].ID
	fmt.Println("first VPN region:", region)

	body, err := json.Marshal(networkCreate{
		Name:           "quickstart-network",
		Description:    "made by quickstart.go",
		InternetAccess: "SPLIT_TUNNEL_ON",
		Routes:         []route{{"10.20.0.0/16", "office"}},
		Connectors: []connector{{
			Name:        "quickstart-network-connector",
			VpnRegionID: region,
		}},
	})
	if err != nil {
		return err
	}
	created, err := client.NetworksCreate(string(body))
	if err != nil {
		return err
	}
	var network struct {
		ID         string      `json:"id"`
		Connectors []connector `json:"connectors"`
	}
	if err := json.Unmarshal([]byte(created), &network); err != nil {
		return err
	}
	if len(network.Connectors) == 0 {
		return fmt.Errorf("created network has no connector: %s", created)
	}
	fmt.Println("created:", created)
	fmt.Println("network", network.ID, "has connector",
		network.Connectors[0].ID, "in", region)

	again, err := client.NetworksGet(network.ID)
	if err != nil {
		return err
	}
	fmt.Println("read back:", again)

	if err := client.NetworksDelete(network.ID); err != nil {
		return err
	}
	fmt.Println("deleted network", network.ID, "and its connector")

	// Errors carry a status, the HTTP status and the server's body.
	_, err = client.NetworksGet(network.ID)
	var apiErr *cloudconnexa.Error
	if !errors.As(err, &apiErr) || apiErr.Status != cloudconnexa.StatusNotFound {
		return fmt.Errorf("expected not found, got %v", err)
	}
	fmt.Printf("reading it again fails as expected: %s (%s, HTTP %d)\n",
		apiErr.Message, apiErr.Status, apiErr.HTTPStatus)
	fmt.Println("server's error body:", apiErr.Body)
	return nil
}
