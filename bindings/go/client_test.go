package cloudconnexa

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const networkBody = `{"name":"go-network","description":"from client_test.go",` +
	`"internetAccess":"SPLIT_TUNNEL_ON","egress":false,` +
	`"routes":[{"value":"10.40.0.0/16","description":"lab"}]}`

func newClient(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient("", "", "", "")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// idOf returns the "id" of a JSON object.
func idOf(t *testing.T, object string) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(object), &v); err != nil || v.ID == "" {
		t.Fatalf("no id in %s: %v", object, err)
	}
	return v.ID
}

// asError checks that err is an *Error with the given status.
func asError(t *testing.T, err error, status Status) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error with %v, got %v", status, err)
	}
	if e.Status != status || !errors.Is(err, status) {
		t.Fatalf("want status %v, got %v (%s)", status, e.Status, e.Message)
	}
	return e
}

func TestVersionMatchesCargoToml(t *testing.T) {
	manifest, err := os.ReadFile("../../Cargo.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^version = "(.*)"`).FindSubmatch(manifest)
	if m == nil {
		t.Fatal("no version in Cargo.toml")
	}
	if got := Version(); got != string(m[1]) {
		t.Fatalf("Version() = %q, Cargo.toml says %q", got, m[1])
	}
}

func TestNewClientRejectsABadURL(t *testing.T) {
	c, err := NewClient("not a url", "id", "secret", "")
	if c != nil {
		t.Fatal("got a client")
	}
	e := asError(t, err, StatusConfig)
	if e.HTTPStatus != 0 || e.Message == "" {
		t.Fatalf("unexpected error %+v", e)
	}
}

func TestNewClientRejectsAnUnknownAPIVersion(t *testing.T) {
	_, err := NewClient("", "", "", "9.9")
	asError(t, err, StatusConfig)
}

func TestAuthenticate(t *testing.T) {
	c := newClient(t)
	if !c.TokenExpiresAt().IsZero() {
		t.Fatal("a token before authenticating")
	}
	if err := c.Authenticate(); err != nil {
		t.Fatal(err)
	}
	if !c.TokenExpiresAt().After(time.Now()) {
		t.Fatalf("token expires at %v", c.TokenExpiresAt())
	}
}

func TestWrongSecretIsAnAuthErrorWithoutTheSecret(t *testing.T) {
	secret := "wrong-secret-0c71"
	c, err := NewClient(os.Getenv("CLOUDCONNEXA_API_URL"),
		os.Getenv("CLOUDCONNEXA_CLIENT_ID"), secret, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := asError(t, c.Authenticate(), StatusAuth)
	if strings.Contains(e.Error(), secret) || strings.Contains(e.Body, secret) {
		t.Fatalf("the secret leaked: %+v", e)
	}
}

func TestNetworksCreateGetUpdateDelete(t *testing.T) {
	c := newClient(t)

	created, err := c.NetworksCreate(networkBody)
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(t, created)

	got, err := c.NetworksGet(id)
	if err != nil || idOf(t, got) != id {
		t.Fatalf("get: %v %s", err, got)
	}
	list, err := c.NetworksList()
	if err != nil || !strings.Contains(list, id) {
		t.Fatalf("list: %v", err)
	}
	page, err := c.NetworksPage(0, 1000)
	if err != nil || !strings.Contains(page, `"content"`) {
		t.Fatalf("page: %v %s", err, page)
	}

	updated, err := c.NetworksUpdate(id, `{"name":"go-network-renamed",`+
		`"egress":false,"internetAccess":"SPLIT_TUNNEL_ON"}`)
	if err != nil || !strings.Contains(updated, "go-network-renamed") {
		t.Fatalf("update: %v %s", err, updated)
	}
	routes, err := c.NetworkRoutesList(id)
	if err != nil || !strings.Contains(routes, "10.40.0.0/16") {
		t.Fatalf("routes: %v %s", err, routes)
	}

	if err := c.NetworksDelete(id); err != nil {
		t.Fatal(err)
	}
	_, err = c.NetworksGet(id)
	e := asError(t, err, StatusNotFound)
	if e.HTTPStatus != 404 || !strings.Contains(e.Message, id) ||
		!strings.Contains(e.Body, "errorMessage") {
		t.Fatalf("unexpected error %+v", e)
	}
}

// A C string ends at its first NUL, so an argument holding one would act
// on a different ID or send a truncated body: it must be refused.
func TestArgumentsWithANulByteAreRefused(t *testing.T) {
	c := newClient(t)

	created, err := c.NetworksCreate(networkBody)
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(t, created)
	t.Cleanup(func() { c.NetworksDelete(id) })

	e := asError(t, c.NetworksDelete(id+"\x00junk"), StatusInvalidArgument)
	if e.Status != 1 || e.HTTPStatus != 0 ||
		!strings.Contains(e.Message, "id") ||
		!strings.Contains(e.Message, "NUL") {
		t.Fatalf("unexpected error %+v", e)
	}
	if _, err := c.NetworksGet(id); err != nil {
		t.Fatalf("the network is gone after a refused delete: %v", err)
	}

	_, err = c.NetworksGet("a\x00b")
	asError(t, err, StatusInvalidArgument)
	_, err = c.NetworksUpdate(id, `{"name":"x"}`+"\x00garbage")
	e = asError(t, err, StatusInvalidArgument)
	if !strings.Contains(e.Message, "bodyJSON") {
		t.Fatalf("message does not name the argument: %q", e.Message)
	}
	_, err = c.Request("GET", "/networks\x00", "")
	asError(t, err, StatusInvalidArgument)
	_, err = NewClient("http://127.0.0.1:1\x00", "", "", "")
	asError(t, err, StatusInvalidArgument)

	got, err := c.NetworksGet(id)
	if err != nil || !strings.Contains(got, "go-network") {
		t.Fatalf("the network changed: %v %s", err, got)
	}
}

func TestUsersCreateGetUpdateSuspendDelete(t *testing.T) {
	c := newClient(t)

	created, err := c.UsersCreate(`{"firstName":"Grace","lastName":"Hopper",` +
		`"username":"grace-go","email":"grace-go@example.com","role":"MEMBER"}`)
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(t, created)

	if got, err := c.UsersGet(id); err != nil || idOf(t, got) != id {
		t.Fatalf("get: %v", err)
	}
	if list, err := c.UsersList(); err != nil || !strings.Contains(list, id) {
		t.Fatalf("list: %v", err)
	}
	updated, err := c.UsersUpdate(id, `{"firstName":"Amazing Grace",`+
		`"lastName":"Hopper","email":"grace-go@example.com","role":"MEMBER"}`)
	if err != nil || !strings.Contains(updated, "Amazing Grace") {
		t.Fatalf("update: %v %s", err, updated)
	}
	if err := c.UsersSuspend(id); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.UsersGet(id); !strings.Contains(got, "SUSPENDED") {
		t.Fatalf("not suspended: %s", got)
	}
	if err := c.UsersDelete(id); err != nil {
		t.Fatal(err)
	}
	_, err = c.UsersGet(id)
	asError(t, err, StatusNotFound)
}

func TestValidationErrorCarriesTheServerBody(t *testing.T) {
	c := newClient(t)
	_, err := c.NetworksCreate(`{"description":"no name"}`)
	e := asError(t, err, StatusValidation)
	if e.HTTPStatus != 400 || e.Body == "" {
		t.Fatalf("unexpected error %+v", e)
	}
	_, err = c.NetworksCreate("{oops")
	asError(t, err, StatusInvalidArgument)
}

func TestRequestReachesAnyPath(t *testing.T) {
	c := newClient(t)
	page, err := c.Request("GET", "/networks?page=0&size=1", "")
	if err != nil || !strings.Contains(page, `"content"`) {
		t.Fatalf("%v %s", err, page)
	}
	created, err := c.Request("POST", "/networks", networkBody)
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(t, created)
	if _, err := c.Request("DELETE", "/networks/"+id, ""); err != nil {
		t.Fatal(err)
	}
	_, err = c.NetworksGet(id)
	asError(t, err, StatusNotFound)
}

func TestCloseFreesOnceAndLaterCallsFail(t *testing.T) {
	c, err := NewClient("", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	before := freed.Load()
	c.Close()
	c.Close()
	if n := freed.Load() - before; n != 1 {
		t.Fatalf("closing twice freed %d handles", n)
	}
	_, err = c.NetworksList()
	asError(t, err, StatusInvalidArgument)
}

// forget makes clients and drops them without closing.
//
//go:noinline
func forget(t *testing.T, n int) {
	for i := 0; i < n; i++ {
		if _, err := NewClient("", "", "", ""); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGarbageCollectorFreesForgottenClients(t *testing.T) {
	before := freed.Load()
	forget(t, 20)
	deadline := time.Now().Add(5 * time.Second)
	for freed.Load()-before < 20 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := freed.Load() - before; n < 20 {
		t.Fatalf("the finalizer freed %d of 20 clients", n)
	}
}

// Goroutines share one client while another closes it: every call either
// works or reports the closed client, and none touches freed memory.
func TestSharedClientAndCloseDuringCalls(t *testing.T) {
	c, err := NewClient("", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, closed int
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				list, err := c.NetworksList()
				mu.Lock()
				switch {
				case err == nil && strings.HasPrefix(list, "["):
					ok++
				case errors.Is(err, StatusInvalidArgument):
					closed++
				default:
					t.Errorf("unexpected %v %q", err, list)
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	c.Close()
	wg.Wait()
	if ok == 0 || ok+closed != 16*40 {
		t.Fatalf("%d worked, %d saw the closed client", ok, closed)
	}
}

// goName is the method name functions.tsv's rule gives a C function:
// ccx_network_routes_list is NetworkRoutesList.
func goName(function string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(function, "ccx_"), "_") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// TestEveryFunctionHasAMethod checks that every function of the contract
// has a method named by rule, with one Go parameter per C parameter and a
// JSON result exactly when the C function has char **out_json.
func TestEveryFunctionHasAMethod(t *testing.T) {
	tsv, err := os.ReadFile("../../api/functions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	client := reflect.TypeOf(&Client{})
	stringType := reflect.TypeOf("")
	rows := strings.Split(strings.TrimSpace(string(tsv)), "\n")[1:]
	for _, row := range rows {
		cols := strings.Split(row, "\t")
		function, signature := cols[0], cols[4]
		method, ok := client.MethodByName(goName(function))
		if !ok {
			t.Errorf("%s: no method %s", function, goName(function))
			continue
		}
		params := strings.Split(signature[strings.Index(signature, "(")+1:len(signature)-1], ", ")
		out := params[len(params)-1] == "char **out_json"
		in := len(params) - 1 // the client
		if out {
			in--
		}
		typ := method.Type
		if typ.NumIn()-1 != in { // the receiver
			t.Errorf("%s: %d parameters, want %d", method.Name,
				typ.NumIn()-1, in)
		}
		if want := map[bool]int{true: 2, false: 1}[out]; typ.NumOut() != want ||
			(out && typ.Out(0) != stringType) {
			t.Errorf("%s: results %v, want JSON %v", method.Name, typ, out)
		}
	}
	if len(rows) != 127 {
		t.Errorf("functions.tsv has %d functions, want 127", len(rows))
	}
}

func TestGeneratedMethodsReachTheAPI(t *testing.T) {
	c := newClient(t)

	if hosts, err := c.HostsList(); err != nil || !strings.HasPrefix(hosts, "[") {
		t.Fatalf("HostsList: %q %v", hosts, err)
	}
	regions, err := c.VpnRegionsList()
	if err != nil {
		t.Fatal(err)
	}
	if old, err := c.VPNRegionsList(); err != nil || old != regions {
		t.Fatalf("VPNRegionsList: %v", err)
	}

	record, err := c.DnsRecordsCreate(`{"domain":"go.example.com",` +
		`"description":"from client_test.go"}`)
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(t, record)
	if got, err := c.DnsRecordsGet(id); err != nil || idOf(t, got) != id {
		t.Fatalf("DnsRecordsGet: %v", err)
	}
	if list, err := c.DnsRecordsList(); err != nil || !strings.Contains(list, id) {
		t.Fatalf("DnsRecordsList: %v", err)
	}
	if err := c.DnsRecordsDelete(id); err != nil {
		t.Fatal(err)
	}
	_, err = c.DnsRecordsGet(id)
	asError(t, err, StatusNotFound)

	if _, err := c.SettingsGet("wpc/topology"); err != nil {
		t.Fatalf("SettingsGet: %v", err)
	}
	if sessions, err := c.SessionsList("{}"); err != nil || !strings.HasPrefix(sessions, "[") {
		t.Fatalf("SessionsList: %q %v", sessions, err)
	}
	if _, err := c.SessionsPage("", "", 10); err != nil {
		t.Fatalf("SessionsPage: %v", err)
	}

	user, err := c.UsersCreate(`{"firstName":"Ada","lastName":"Lovelace",` +
		`"username":"ada-go","email":"ada-go@example.com","role":"MEMBER"}`)
	if err != nil {
		t.Fatal(err)
	}
	uid := idOf(t, user)
	if err := c.UsersSuspend(uid); err != nil {
		t.Fatal(err)
	}
	if err := c.UsersActivate(uid); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.UsersGet(uid); strings.Contains(got, "SUSPENDED") {
		t.Fatalf("still suspended: %s", got)
	}
	if devices, err := c.DevicesList(uid); err != nil || !strings.HasPrefix(devices, "[") {
		t.Fatalf("DevicesList: %q %v", devices, err)
	}
	if err := c.UsersDelete(uid); err != nil {
		t.Fatal(err)
	}
}
