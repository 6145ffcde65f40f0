// quickstart.go: examples/quickstart.c with the Go binding. Lists
// networks, creates one, reads it back, deletes it, then shows an error.
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

const body = `{"name":"quickstart-network",` +
	`"description":"made by quickstart.go",` +
	`"internetAccess":"SPLIT_TUNNEL_ON","egress":false,` +
	`"routes":[{"value":"10.20.0.0/16","description":"office"}]}`

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

	created, err := client.NetworksCreate(body)
	if err != nil {
		return err
	}
	var network struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(created), &network); err != nil {
		return err
	}
	fmt.Println("created:", created)

	again, err := client.NetworksGet(network.ID)
	if err != nil {
		return err
	}
	fmt.Println("read back:", again)

	if err := client.NetworksDelete(network.ID); err != nil {
		return err
	}
	fmt.Println("deleted network", network.ID)

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
